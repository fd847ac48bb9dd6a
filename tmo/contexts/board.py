"""Board contexts: a term of office and a director, loaded from the path for the secretary, and
the director who is asking, for their own declarations of interest (a 404 for someone who holds
the director role but serves as no director on record), and one of those declarations (a 404 for
any other director)."""

from functools import cached_property

from tmo.contexts import Context, load
from tmo.contexts.membership import OwnContext
from tmo.models.board import Director, Directorship, InterestDeclaration
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


class OwnDeclarationContext(OwnContext):
    """One of the asking director's own declarations of interest."""

    role_permission = Permission.BOARD_INTERESTS_DECLARE
    read_permission = Permission.BOARD_INTERESTS_OWN

    def __init__(self, request):
        # Loaded first: whether it is the asker's own is what hides it from everyone else.
        self.declaration: InterestDeclaration = load(request, InterestDeclaration, "declaration_id")
        self.director: Director = self.declaration.director
        super().__init__(request)
