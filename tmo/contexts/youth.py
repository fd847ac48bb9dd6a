"""Youth Forum contexts: a proposal (and a file or photo of one), a member or request to join,
and the forum's chair with the election open now, loaded from the path.

A draft proposal is its proposer's own until they send it: to everyone else it, its pages and
its quote are a 404.
"""

from functools import cached_property

from pyramid.httpexceptions import HTTPNotFound

from tmo.contexts import Context, load
from tmo.models.files import StoredFile
from tmo.models.youth import YouthMember, YouthProposal, YouthReportPhoto
from tmo.permissions import Permission
from tmo.services import youth


class ProposalContext(Context):
    read_permission = Permission.YOUTH_PROPOSAL_READ

    def __init__(self, request):
        super().__init__(request)
        self.proposal: YouthProposal = self.find_proposal()
        self.conceal_unless_readable()

    def find_proposal(self) -> YouthProposal:
        return load(self.request, YouthProposal, "proposal_id")

    @cached_property
    def vote(self) -> str | None:
        """The asker's vote on this proposal, if they have cast one."""
        member = self.request.identity.youth_member
        return youth.vote_of(self.request.dbsession, self.proposal, member) if member else None

    @cached_property
    def interest(self) -> bool:
        """Whether the asker has declared an interest in this proposal."""
        member = self.request.identity.youth_member
        return member is not None and youth.has_interest(
            self.request.dbsession, self.proposal, member
        )


class ProposalFileContext(ProposalContext):
    """A proposal's quote or receipt (other stored files have pages of their own)."""

    file: StoredFile

    def find_proposal(self) -> YouthProposal:
        file_id = int(self.request.matchdict["file_id"])
        proposal = youth.proposal_of_file(self.request.dbsession, file_id)
        if proposal is None:
            raise HTTPNotFound()
        self.file = proposal.quote if proposal.quote_file_id == file_id else proposal.receipt
        return proposal


class ReportPhotoContext(Context):
    """A photo in a report back: kept only with consent, and shown to anyone."""

    def __init__(self, request):
        super().__init__(request)
        self.photo: YouthReportPhoto = load(request, YouthReportPhoto, "photo_id")


class ForumMemberContext(Context):
    """A young person's request to join the forum, or their membership."""

    def __init__(self, request):
        super().__init__(request)
        self.member: YouthMember = load(request, YouthMember, "member_id")


class ChairContext(Context):
    """The forum's chair, and the election of the next one if the forum is voting now."""

    def __init__(self, request):
        super().__init__(request)
        self.election = youth.open_chair_election_now(request.dbsession)


class ChairElectionContext(ChairContext):
    """The forum's election of its chair that is open now: a 404 when there is none."""

    def __init__(self, request):
        super().__init__(request)
        if self.election is None:
            raise HTTPNotFound()
