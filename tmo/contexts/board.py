"""Board contexts: a term of office and a director, loaded from the path for the secretary, and
the director who is asking, for their own declarations of interest (a 404 for someone who holds
the director role but serves as no director on record)."""

from functools import cached_property

from tmo.contexts import Context, load
from tmo.contexts.membership import OwnContext
from tmo.models.board import Director, Directorship
from tmo.permissions import Permission
from tmo.services import board


class DirectorshipContext(Context):
    def __init__(self, request):
        super().__init__(request)
        self.directorship: Directorship = load(request, Directorship, "term_id")


class DirectorContext(Context):
    def __init__(self, request):
        super().__init__(request)
        self.director: Director = load(request, Director, "director_id")


class OwnDirectorContext(OwnContext):
    role_permission = Permission.BOARD_INTERESTS_DECLARE
    read_permission = Permission.BOARD_INTERESTS_OWN

    @cached_property
    def director(self) -> Director | None:
        """The director who is asking, if they are one on record."""
        return self.the_askers(board.director_of_account)
