"""Election contexts: an election, a candidate of it, and the ballots' export, loaded from the path.

An election still being set up is a 404 for all but those who officiate at it.
"""

from functools import cached_property

from pyramid.httpexceptions import HTTPNotFound

from tmo.contexts import Context, belonging, load
from tmo.models.elections import Candidate, Election
from tmo.permissions import Permission
from tmo.services import elections


class ElectionContext(Context):
    read_permission = Permission.ELECTIONS_READ

    def __init__(self, request):
        super().__init__(request)
        self.election: Election = load(request, Election, "election_id")
        self.conceal_unless_readable()

    @cached_property
    def roll_entry(self):
        """The asker's entry on this election's roll, if they are on it."""
        return elections.roll_entry(
            self.request.dbsession, self.election, self.request.identity.member
        )

    @cached_property
    def ballots_published(self) -> bool:
        return elections.ballots_published(self.election, self.request.now)


class CandidateContext(ElectionContext):
    def __init__(self, request):
        super().__init__(request)
        self.candidate: Candidate = load(request, Candidate, "candidate_id")
        belonging(self.candidate, "election_id", self.election)

    @cached_property
    def supporter(self):
        """The asker's part in this nomination as proposer or seconder, if they have one."""
        member = self.request.identity.member
        if member is None:
            return None
        return next((s for s in self.candidate.supporters if s.member_id == member.id), None)


class BallotExportContext(ElectionContext):
    """The anonymised ballots in the file type of the election's method (BLT or CSV)."""

    def __init__(self, request):
        super().__init__(request)
        self.format = "csv" if self.election.method == "block" else "blt"
        if request.matchdict["format"] != self.format:
            raise HTTPNotFound()
