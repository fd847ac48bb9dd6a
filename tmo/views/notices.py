"""The secretary's Notices pages: every notice sent and how far it has got, one notice's
deliveries person by person, and the print runs of letters (the PDF, the CSV for a mailing house
and the day they were posted). No page shows what a message said: it may hold a voting code."""

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.response import Response
from pyramid.view import view_config

from tmo.forms import FormPage, act, form_page
from tmo.models.notices import PrintRun
from tmo.permissions import Permission
from tmo.presenters import day, london
from tmo.refusal import Refusal
from tmo.schemas.notices import PostedSchema
from tmo.services.notices import printing, reading
from tmo.services.paging import page_number, paginate
from tmo.services.pdf import pdf_response
from tmo.views import READ

# Print runs listed on the Notices page: those not yet posted, and the latest posted.
RECENT_RUNS = 10


@view_config(
    route_name="notices",
    renderer="notices/list.jinja2",
    request_method=READ,
    permission=Permission.NOTICES_MANAGE,
)
def notices_page(request):
    dbsession = request.dbsession
    page = paginate(dbsession, reading.notices_query(), page_number(request.params.get("page")))
    return {
        "page": page,
        "reach": reading.reach_of(dbsession, [notice.id for notice in page.items]),
        "waiting": printing.letters_waiting(dbsession),
        "to_post": printing.runs_to_post(dbsession),
        "posted": printing.runs_posted(dbsession, RECENT_RUNS),
    }


@view_config(
    route_name="notice",
    renderer="notices/notice.jinja2",
    request_method=READ,
    permission=Permission.NOTICES_MANAGE,
)
def notice_page(context, request):
    dbsession, notice = request.dbsession, context.notice
    page = paginate(
        dbsession, reading.deliveries_query(notice), page_number(request.params.get("page"))
    )
    return {
        "notice": notice,
        "reach": reading.reach_of(dbsession, [notice.id])[notice.id],
        "page": page,
    }


@view_config(
    route_name="print_run_make", request_method="POST", permission=Permission.NOTICES_MANAGE
)
def make_print_run(request):
    made = []

    def make():
        run = printing.make_print_run(request)
        made.append(run)
        return (
            f"Print run {run.id} made of {run.letters} letter{'s' if run.letters != 1 else ''}. "
            "Print them, post them, then mark the run posted."
        )

    response = act(request, make, request.route_url("notices"))
    if made:
        return HTTPSeeOther(request.route_url("print_run", run_id=made[0].id))
    return response


@view_config(
    route_name="print_run",
    renderer="notices/print_run.jinja2",
    request_method=READ,
    permission=Permission.NOTICES_MANAGE,
)
def print_run_page(context, request):
    run = context.run
    return {
        "run": run,
        "notices": printing.notices_of(request.dbsession, run),
        "deemed_delivered": printing.deemed_delivered_of(run),
    }


def unprintable(request, run: PrintRun):
    """The run's page, with why its letters cannot be printed, or None if they can."""
    try:
        printing.check_printable(run)
    except Refusal as refusal:
        request.session.flash(str(refusal), "warning")
        return HTTPSeeOther(request.route_url("print_run", run_id=run.id))
    return None


@view_config(route_name="print_run_pdf", request_method=READ, permission=Permission.NOTICES_MANAGE)
def print_run_pdf(context, request):
    run = context.run
    refused = unprintable(request, run)
    if refused:
        return refused
    return pdf_response(printing.letters_pdf(request, run), f"print-run-{run.id}-letters.pdf")


@view_config(route_name="print_run_csv", request_method=READ, permission=Permission.NOTICES_MANAGE)
def print_run_csv(context, request):
    run = context.run
    refused = unprintable(request, run)
    if refused:
        return refused
    response = Response(printing.letters_csv(run), content_type="text/csv", charset="utf-8")
    response.content_disposition = f'attachment; filename="print-run-{run.id}-addresses.csv"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@form_page("print_run_posted", "form.jinja2", Permission.NOTICES_MANAGE)
class PostedPage(FormPage):
    schema = PostedSchema
    submit_label = "Mark the letters posted"
    default_field = "posted_on"

    @property
    def heading(self):
        return f"Mark print run {self.context.run.id} posted"

    def back(self):
        run = self.context.run
        return self.request.route_url("print_run", run_id=run.id), f"Back to print run {run.id}"

    def intro(self):
        run = self.context.run
        if run.posted_on is not None:
            return [f"These letters were already marked posted on {day(run.posted_on)}."]
        hours = self.request.constitution.notices.post_delivery_hours
        return [
            f"The {run.letters} letter{'s' if run.letters != 1 else ''} of this run will be "
            f"deemed delivered {hours} working hours after they were posted (Companies Act 2006 "
            "s1147). This cannot be undone."
        ]

    def initial(self):
        return {"posted_on": self.request.today}

    def succeed(self, form, appstruct):
        run = self.context.run
        delivered = printing.mark_posted(self.request, run, appstruct["posted_on"])
        return self.redirect(
            "print_run",
            f"Print run {run.id} marked posted on {day(appstruct['posted_on'])}: its letters are "
            f"deemed delivered on {london(delivered)}.",
            run_id=run.id,
        )
