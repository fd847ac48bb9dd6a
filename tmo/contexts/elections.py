"""Election contexts: an election, a candidate of it, and the ballots' export, loaded from the path;
and the ballot of someone voting with a poll card's code, loaded from the pass the code gave them.

An election still being set up is a 404 for all but those who officiate at it.
"""

from functools import cached_property

from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther

from tmo.contexts import Context, belonging, load
from tmo.models.elections import Candidate, Election, RollEntry
from tmo.permissions import Permission
from tmo.services import elections


class ElectionContext(Context):
    read_permission = Permission.ELECTIONS_READ

    def __init__(self, request):
        super().__init__(request)
        self.election: Election = load(request, Election, "election_id")
        self.conceal_unless_readable()

    # The ballot pages' routes for a member voting with their account.
    ballot_route = "election_ballot"
    cast_route = "election_cast"

    @property
    def voter(self):
        """The member whose ballot this is: the one logged in."""
        return self.request.identity.member

    @cached_property
    def roll_entry(self):
        """The asker's entry on this election's roll, if they are on it."""
        identity = self.request.identity
        if identity.account_id is not None and "member" not in vars(identity):
            # Their membership, not asked for yet, comes with the entry in one query.
            member, entry = elections.membership_and_roll_entry(
                self.request.dbsession, self.election, identity.account_id
            )
            identity.member = member
            return entry
        return elections.roll_entry(self.request.dbsession, self.election, identity.member)

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


# The cookie carrying a code-holder's pass from /vote to the receipt.
VOTING_PASS_COOKIE = "tmo_voting_pass"  # noqa: S105 (a cookie name, not a secret)


class CodeVoterContext(Context):
    """The ballot of someone who gave a poll card's code at /vote: the roll entry their pass
    names, and its election. Without a valid pass (none, expired, or its code reissued) the
    way back is /vote, to give the code again."""

    ballot_route = "vote_ballot"
    cast_route = "vote_cast"

    def __init__(self, request):
        super().__init__(request)
        entry: RollEntry | None = elections.open_pass(
            request.dbsession,
            request.registry.settings["tmo.secret"],
            request.cookies.get(VOTING_PASS_COOKIE, ""),
            request.now,
        )
        if entry is None:
            raise HTTPSeeOther(request.route_url("vote"))
        self.roll_entry = self.opened_by_code = entry
        self.election: Election = entry.election

    @property
    def voter(self):
        return self.roll_entry.member
