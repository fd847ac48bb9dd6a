"""Notices contexts: a notice sent, and a print run of letters, loaded from the path."""

from tmo.contexts import Context, load
from tmo.models.notices import Notice, PrintRun


class NoticeContext(Context):
    def __init__(self, request):
        super().__init__(request)
        self.notice: Notice = load(request, Notice, "notice_id")


class PrintRunContext(Context):
    def __init__(self, request):
        super().__init__(request)
        self.run: PrintRun = load(request, PrintRun, "run_id")
