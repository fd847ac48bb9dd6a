"""Who is allowed and who is refused, for every permission that depends on the object acted on:
each case builds the object, loads its context with the route's real factory, and asks the real
security policy for each person."""

from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from sqlalchemy import select

from tests.elections_setup import (
    KEY,
    RULES,
    count,
    member,
    new_election,
    now,
    poll_open,
    shift,
    stand,
    web_request,
)
from tests.factories import AccountFactory, MemberFactory, TenancyFactory, YouthMemberFactory
from tests.functional.test_meetings import PDF, committee, held_with_confidential_item
from tmo.clock import london_day
from tmo.constitution import Constitution, SeatCategoryKey
from tmo.contexts.accounts import AccountContext
from tmo.contexts.board import DirectorshipContext, OwnDirectorContext
from tmo.contexts.elections import (
    VOTING_PASS_COOKIE,
    CandidateContext,
    CodeVoterContext,
    ElectionContext,
)
from tmo.contexts.meetings import MeetingContext, MinutesContext, PaperContext, RequisitionContext
from tmo.contexts.membership import (
    ApplicationContext,
    OwnApplicationContext,
    OwnMembershipContext,
    RegisterEntryContext,
)
from tmo.contexts.notices import NoticeContext, PrintRunContext
from tmo.contexts.youth import ChairElectionContext, ProposalContext, ProposalFileContext
from tmo.models.board import Director, Directorship
from tmo.models.elections import Candidate, Election, RollEntry
from tmo.models.files import StoredFile
from tmo.models.meetings import Meeting, Requisition
from tmo.models.membership import Member, MembershipApplication
from tmo.models.notices import Notice, PrintRun
from tmo.permissions import Permission, Role
from tmo.rules.board import BOARD
from tmo.rules.elections import CandidateStatus, Status
from tmo.rules.meetings import GENERAL_ITEM, MinutesState
from tmo.rules.membership import ApplicationStatus
from tmo.security.permits import PERMITS
from tmo.services import elections, meetings, youth

NOBODY = "nobody logged in"
# What a factory answers that sends the person elsewhere to begin again (/vote without a pass).
SENT_BACK = "sent back to /vote"


@dataclass
class Scene:
    """What a case sets up: the people by name (an account, or None for someone not logged in),
    the route's context factory and the path's ids it reads."""

    people: dict = field(default_factory=dict)
    factory: type = ElectionContext
    matchdict: dict = field(default_factory=dict)
    # Cookies a person's browser carries (a voting code's pass), by name.
    cookies: dict = field(default_factory=dict)


def decide(app, dbsession, scene: Scene, who: str, permission) -> bool | str:
    """Whether ``who`` holds ``permission`` on the scene's object; "404" when the object's own
    factory hides it from them."""
    request = web_request(app, dbsession)
    request.account = scene.people.get(who)
    request.matchdict = {key: str(value) for key, value in scene.matchdict.items()}
    if who in scene.cookies:
        request.headers["Cookie"] = scene.cookies[who]
    try:
        context = scene.factory(request)
    except HTTPNotFound:
        return "404"
    except HTTPSeeOther:
        return SENT_BACK
    return bool(request.has_permission(permission, context))


# -- Elections ------------------------------------------------------------------------------------


def officials():
    return {
        "its returning officer": AccountFactory(roles=[Role.RETURNING_OFFICER]),
        "its scrutineer": AccountFactory(roles=[Role.SCRUTINEER]),
        "another returning officer": AccountFactory(roles=[Role.RETURNING_OFFICER]),
        "a member": member("Mo Member").account,
        NOBODY: None,
    }


def draft_election(app, dbsession) -> Scene:
    people = officials()
    election = elections.create(
        dbsession,
        RULES,
        title="Draft",
        method="stv",
        seats=1,
        seat_category="resident",
        seats_description="",
        returning_officer_id=people["its returning officer"].id,
        scrutineer_id=people["its scrutineer"].id,
        notice_on=now().date(),
        actor_id=people["its returning officer"].id,
        now=now(),
    )
    dbsession.flush()
    return Scene(people, matchdict={"election_id": election.id})


def nominations_open(app, dbsession) -> Scene:
    people = officials()
    election = new_election(
        dbsession,
        returning_officer=people["its returning officer"],
        scrutineer=people["its scrutineer"],
    )
    return Scene(people, matchdict={"election_id": election.id})


def a_nomination(app, dbsession) -> Scene:
    people = officials()
    election = new_election(dbsession, returning_officer=people["its returning officer"])
    candidate, proposer, seconder = member("Cai Candidate"), member("Pat Pro"), member("Sol Sec")
    nomination = stand(dbsession, election, candidate, proposer, seconder, accept=None)
    people |= {
        "the candidate": candidate.account,
        "its proposer": proposer.account,
        "its seconder": seconder.account,
    }
    return Scene(
        people,
        factory=CandidateContext,
        matchdict={"election_id": election.id, "candidate_id": nomination.id},
    )


def nomination_with_photo(accepted: bool):
    def set_up(app, dbsession) -> Scene:
        scene = a_nomination(app, dbsession)
        nomination = dbsession.get(Candidate, scene.matchdict["candidate_id"])
        nomination.photo = StoredFile(
            filename="photo.png", media_type="image/png", size=3, sha256="0" * 64, content=b"png"
        )
        nomination.status = CandidateStatus.ACCEPTED if accepted else CandidateStatus.NOMINATED
        dbsession.flush()
        return scene

    return set_up


def poll_opened(app, dbsession) -> Scene:
    people = officials()
    election, voters = poll_open(
        dbsession, web_request(app, dbsession), returning_officer=people["its returning officer"]
    )
    people["a voter on the roll"] = voters[-1].account
    people["a member who joined after the roll was frozen"] = member("Lee Late").account
    return Scene(people, matchdict={"election_id": election.id})


def code_holders(app, dbsession) -> Scene:
    """The poll open; someone who gave a voter's code at /vote, and others without its pass."""
    people = officials()
    election, voters = poll_open(
        dbsession, web_request(app, dbsession), returning_officer=people["its returning officer"]
    )
    secret = app.registry.settings["tmo.secret"]
    entries = dbsession.scalars(select(RollEntry).where(RollEntry.election_id == election.id))
    entry = next(e for e in entries if e.member_id == voters[-1].id)
    token = elections.issue_pass(secret, entry, now())
    people |= {
        "someone who gave a voter's code": None,
        "a voter logged in, without a pass": voters[-1].account,
        "someone with a forged pass": None,
        "someone whose pass has expired": None,
    }
    expired = elections.issue_pass(secret, entry, now() - timedelta(hours=1))
    cookies = {
        "someone who gave a voter's code": f"{VOTING_PASS_COOKIE}={token}",
        "someone with a forged pass": f"{VOTING_PASS_COOKIE}={token[:-4]}beef",
        "someone whose pass has expired": f"{VOTING_PASS_COOKIE}={expired}",
    }
    return Scene(people, factory=CodeVoterContext, cookies=cookies)


def counted(app, dbsession) -> Scene:
    scene = poll_opened(app, dbsession)
    election = dbsession.get(Election, scene.matchdict["election_id"])
    voter = scene.people["a voter on the roll"].id
    ballot = (elections.accepted(election)[0].id,)
    elections.cast(dbsession, election.id, member_of(dbsession, voter), ballot, key=KEY, now=now())
    shift(election, RULES.elections.poll_days)
    count(dbsession, election, election.returning_officer_id)
    dbsession.flush()
    return scene


def closed_sealed(app, dbsession) -> Scene:
    """The poll closed with a ballot in the box, not yet opened."""
    scene = poll_opened(app, dbsession)
    election = dbsession.get(Election, scene.matchdict["election_id"])
    voter = scene.people["a voter on the roll"].id
    ballot = (elections.accepted(election)[0].id,)
    elections.cast(dbsession, election.id, member_of(dbsession, voter), ballot, key=KEY, now=now())
    shift(election, RULES.elections.poll_days)
    dbsession.flush()
    return scene


def without_scrutineer(app, dbsession) -> Scene:
    people = officials()
    election = new_election(dbsession, returning_officer=people["its returning officer"])
    return Scene(people, matchdict={"election_id": election.id})


def member_of(dbsession, account_id: int) -> int:
    return dbsession.scalar(select(Member.id).where(Member.account_id == account_id))


def declared(app, dbsession) -> Scene:
    scene = counted(app, dbsession)
    election = dbsession.get(Election, scene.matchdict["election_id"])
    election.status = Status.DECLARED
    dbsession.flush()
    return scene


# -- Meetings -------------------------------------------------------------------------------------


def meeting_people(dbsession, body) -> dict:
    """The board's officers and the scrutineer, a member of ``body`` and one of another body, a
    member of the TMO, and residents."""
    seated, elsewhere = AccountFactory(), AccountFactory()
    other = committee(dbsession, name="Complaints Panel")
    body.members[1].account_id = seated.id
    other.members[1].account_id = elsewhere.id
    dbsession.flush()
    return {
        "a director": AccountFactory(roles=[Role.DIRECTOR]),
        "the chair": AccountFactory(roles=[Role.CHAIR]),
        "the secretary": AccountFactory(roles=[Role.SECRETARY]),
        "the scrutineer": AccountFactory(roles=[Role.SCRUTINEER]),
        "a member of the committee": seated,
        "a member of another committee": elsewhere,
        "a member of the TMO": member("Mo Member").account,
        "a resident": AccountFactory(),
        NOBODY: None,
    }


def held_meeting(app, dbsession, minutes_state=MinutesState.DRAFT) -> Scene:
    """A committee's meeting held five days ago, one of its items confidential with a paper."""
    body = committee(dbsession)
    meeting = held_with_confidential_item(dbsession, body, 5)
    meeting.minutes_state = minutes_state
    people = meeting_people(dbsession, body)
    return Scene(people, factory=MeetingContext, matchdict={"meeting_id": meeting.id})


def draft_minutes(app, dbsession) -> Scene:
    scene = held_meeting(app, dbsession)
    return Scene(scene.people, factory=MinutesContext, matchdict=scene.matchdict)


def signed_minutes(app, dbsession) -> Scene:
    scene = held_meeting(app, dbsession, MinutesState.SIGNED)
    return Scene(scene.people, factory=MinutesContext, matchdict=scene.matchdict)


def approved_minutes(app, dbsession) -> Scene:
    return held_meeting(app, dbsession, MinutesState.APPROVED)


def a_paper(app, dbsession, *, confidential: bool) -> Scene:
    scene = held_meeting(app, dbsession)
    meeting = dbsession.get(Meeting, scene.matchdict["meeting_id"])
    item = next(
        i for i in meeting.items if i.kind == GENERAL_ITEM and i.confidential == confidential
    )
    # The confidential item comes with its paper; the open one is given one.
    paper = item.papers[0] if confidential else add_a_paper(dbsession, item)
    return Scene(scene.people, factory=PaperContext, matchdict={"paper_id": paper.id})


def add_a_paper(dbsession, item):
    paper = meetings.add_paper(
        dbsession,
        item,
        title="Cleaning scores",
        content=PDF,
        filename="scores.pdf",
        constitution=RULES,
        actor_id=None,
    )
    dbsession.flush()
    return paper


def confidential_paper(app, dbsession) -> Scene:
    return a_paper(app, dbsession, confidential=True)


def open_paper(app, dbsession) -> Scene:
    return a_paper(app, dbsession, confidential=False)


def a_requisition(app, dbsession) -> Scene:
    requisition = Requisition(purpose="To discuss the cladding on Elm House")
    dbsession.add(requisition)
    dbsession.flush()
    people = {
        "a member of the TMO": member("Mo Member").account,
        "the member role without a membership": AccountFactory(roles=[Role.MEMBER]),
        "a resident": AccountFactory(),
        NOBODY: None,
    }
    return Scene(people, factory=RequisitionContext, matchdict={"requisition_id": requisition.id})


# -- The Youth Forum ------------------------------------------------------------------------------

QUOTE = (b"%PDF-1.4 a quote from the supplier\n", "quote.pdf")


def young(name: str, **membership):
    """A Youth Forum member with an account that holds the youth member role."""
    account = AccountFactory(roles=[Role.YOUTH_MEMBER], display_name=name)
    return YouthMemberFactory(account=account, first_name=name, **membership)


def forum_people():
    """Its proposer (in the forum), another forum member, one who has left, the youth worker,
    the secretary, a director and someone not logged in."""
    yesterday = london_day(now()) - timedelta(days=1)
    proposer = young("Amara")
    return proposer, {
        "its proposer": proposer.account,
        "another forum member": young("Ben").account,
        "a member who has left": young("Cal", left_on=yesterday).account,
        "the youth worker": AccountFactory(roles=[Role.YOUTH_WORKER]),
        "the secretary": AccountFactory(roles=[Role.SECRETARY]),
        "a director": AccountFactory(roles=[Role.DIRECTOR]),
        NOBODY: None,
    }


def drafted(dbsession, proposer):
    proposal = youth.draft_proposal(
        dbsession,
        proposer,
        youth.ProposalFields("Football goals", "Play", "Everyone", "sport", 50_000, "2 goals"),
        quote=QUOTE,
        actor_id=None,
    )
    dbsession.flush()
    return proposal


def a_draft(app, dbsession) -> Scene:
    proposer, people = forum_people()
    proposal = drafted(dbsession, proposer)
    return Scene(people, factory=ProposalContext, matchdict={"proposal_id": proposal.id})


def a_draft_whose_proposer_left(app, dbsession) -> Scene:
    proposer, people = forum_people()
    proposal = drafted(dbsession, proposer)
    proposer.left_on = london_day(now()) - timedelta(days=1)
    dbsession.flush()
    return Scene(people, factory=ProposalContext, matchdict={"proposal_id": proposal.id})


def a_drafts_quote(app, dbsession) -> Scene:
    proposer, people = forum_people()
    proposal = drafted(dbsession, proposer)
    return Scene(people, factory=ProposalFileContext, matchdict={"file_id": proposal.quote_file_id})


def a_proposal_sent_back(app, dbsession) -> Scene:
    proposer, people = forum_people()
    proposal = drafted(dbsession, proposer)
    youth.submit_proposal(dbsession, proposal, proposer, actor_id=None, now=now())
    youth.return_proposal(dbsession, proposal, comments="A second quote, please.", actor_id=None)
    dbsession.flush()
    return Scene(people, factory=ProposalContext, matchdict={"proposal_id": proposal.id})


def a_vote_open(app, dbsession) -> Scene:
    proposer, people = forum_people()
    proposal = drafted(dbsession, proposer)
    youth.submit_proposal(dbsession, proposal, proposer, actor_id=None, now=now())
    youth.open_vote(
        dbsession, Constitution(), proposal, comments="", actor_id=None, today=london_day(now())
    )
    dbsession.flush()
    return Scene(people, factory=ProposalContext, matchdict={"proposal_id": proposal.id})


def a_chair_election(app, dbsession) -> Scene:
    candidate, people = forum_people()
    youth.open_chair_election(
        dbsession, Constitution(), candidates=[candidate], actor_id=None, today=london_day(now())
    )
    dbsession.flush()
    return Scene(people, factory=ChairElectionContext)


def no_chair_election(app, dbsession) -> Scene:
    _, people = forum_people()
    return Scene(people, factory=ChairElectionContext)


CASES = [
    pytest.param(
        Permission.ELECTIONS_READ,
        draft_election,
        {
            "its returning officer": True,
            "its scrutineer": True,
            "another returning officer": "404",
            "a member": "404",
            NOBODY: "404",
        },
        id="an election being set up is known only to those who officiate",
    ),
    pytest.param(
        Permission.ELECTIONS_READ,
        nominations_open,
        {"a member": True, NOBODY: True, "another returning officer": True},
        id="an announced election is known to everyone",
    ),
    pytest.param(
        Permission.ELECTIONS_OBSERVE,
        nominations_open,
        {
            "its returning officer": True,
            "its scrutineer": True,
            "another returning officer": False,
            "a member": False,
            NOBODY: False,
        },
        id="its returning officer and scrutineer read its working pages",
    ),
    pytest.param(
        Permission.ELECTIONS_RUN,
        nominations_open,
        {
            "its returning officer": True,
            "its scrutineer": False,
            "another returning officer": False,
            "a member": False,
        },
        id="only its own returning officer runs an election",
    ),
    pytest.param(
        Permission.ELECTIONS_KEY_HOLD,
        nominations_open,
        {
            "its scrutineer": True,
            "its returning officer": False,
            "another returning officer": False,
            "a member": False,
            NOBODY: False,
        },
        id="the scrutineer holds the sealing key",
    ),
    pytest.param(
        Permission.ELECTIONS_KEY_HOLD,
        without_scrutineer,
        {
            "its returning officer": True,
            "its scrutineer": False,
            "another returning officer": False,
            "a member": False,
        },
        id="with no scrutineer its returning officer holds the sealing key",
    ),
    pytest.param(
        Permission.ELECTIONS_NOMINATION_READ,
        a_nomination,
        {
            "the candidate": True,
            "its proposer": True,
            "its seconder": True,
            "a member": False,
            "its returning officer": False,
            NOBODY: False,
        },
        id="a nomination's page is for the people named on it",
    ),
    pytest.param(
        Permission.ELECTIONS_SUPPORT,
        a_nomination,
        {"its seconder": True, "the candidate": False, "a member": False},
        id="only a named proposer or seconder confirms their support",
    ),
    pytest.param(
        Permission.ELECTIONS_STAND,
        a_nomination,
        {"the candidate": True, "its proposer": False, "a member": False},
        id="only the candidate consents, writes the statement or withdraws",
    ),
    pytest.param(
        Permission.ELECTIONS_CANDIDATE_PHOTO,
        nomination_with_photo(accepted=False),
        {"the candidate": True, "its proposer": False, NOBODY: False},
        id="a nominee's photo is theirs alone until the nomination is accepted",
    ),
    pytest.param(
        Permission.ELECTIONS_CANDIDATE_PHOTO,
        nomination_with_photo(accepted=True),
        {NOBODY: True, "a member": True},
        id="an accepted candidate's photo is public",
    ),
    pytest.param(
        Permission.ELECTIONS_NOMINATE,
        nominations_open,
        {"a member": True, "its returning officer": False, NOBODY: False},
        id="only a current member nominates",
    ),
    pytest.param(
        Permission.ELECTIONS_VOTE,
        poll_opened,
        {
            "a voter on the roll": True,
            "a member who joined after the roll was frozen": False,
            "its returning officer": False,
            NOBODY: False,
        },
        id="only a member on the roll reaches the ballot",
    ),
    pytest.param(
        Permission.ELECTIONS_VOTE_BY_CODE,
        code_holders,
        {
            "someone who gave a voter's code": True,
            "a voter logged in, without a pass": SENT_BACK,
            "someone with a forged pass": SENT_BACK,
            "someone whose pass has expired": SENT_BACK,
            NOBODY: SENT_BACK,
        },
        id="only the holder of a voting code's pass reaches the code's ballot",
    ),
    pytest.param(
        Permission.ELECTIONS_RESULT_READ,
        poll_opened,
        {"its returning officer": False, "its scrutineer": False, "a voter on the roll": False},
        id="nobody sees a result while the poll is open",
    ),
    pytest.param(
        Permission.ELECTIONS_RESULT_READ,
        counted,
        {"its returning officer": True, "a voter on the roll": False, NOBODY: False},
        id="a count not yet declared is for its returning officer",
    ),
    pytest.param(
        Permission.ELECTIONS_RESULT_READ,
        declared,
        {NOBODY: True, "a voter on the roll": True},
        id="a declared result is public",
    ),
    pytest.param(
        Permission.ELECTIONS_BALLOTS_READ,
        poll_opened,
        {"its returning officer": False, NOBODY: False},
        id="the ballots are not published while the poll is open",
    ),
    pytest.param(
        Permission.ELECTIONS_BALLOTS_READ,
        counted,
        {NOBODY: True, "a member": True},
        id="the ballots are published once the poll has closed",
    ),
    pytest.param(
        Permission.ELECTIONS_BALLOTS_EXPORT,
        closed_sealed,
        {"its returning officer": False, NOBODY: False, "a member": False},
        id="the ballots cannot be downloaded while the box is sealed",
    ),
    pytest.param(
        Permission.ELECTIONS_BALLOTS_EXPORT,
        counted,
        {NOBODY: True, "a member": True},
        id="the anonymised ballots download once the box is opened",
    ),
    pytest.param(
        Permission.MEETINGS_RECORD_READ,
        held_meeting,
        {
            "a director": True,
            "the chair": True,
            "the secretary": True,
            "the scrutineer": True,
            "a member of the committee": True,
            "a member of another committee": False,
            "a member of the TMO": False,
            "a resident": False,
            NOBODY: False,
        },
        id="a meeting's full record is for the board's officers, the scrutineer and its own body",
    ),
    pytest.param(
        Permission.MEETINGS_APOLOGIES_SEND,
        held_meeting,
        {
            "a member of the committee": True,
            "a member of another committee": False,
            "a director": False,
            "the secretary": False,
            NOBODY: False,
        },
        id="apologies for a meeting are sent by the members of its body",
    ),
    pytest.param(
        Permission.MEETINGS_MINUTES_READ,
        draft_minutes,
        {"the secretary": "404", "a member of the committee": "404", NOBODY: "404"},
        id="minutes not yet signed are not published, to anyone",
    ),
    pytest.param(
        Permission.MEETINGS_MINUTES_READ,
        signed_minutes,
        {NOBODY: True, "a resident": True, "the secretary": True},
        id="signed minutes are public",
    ),
    pytest.param(
        Permission.MEETINGS_PAPER_READ,
        confidential_paper,
        {
            "a director": True,
            "the scrutineer": True,
            "a member of the committee": True,
            "a member of another committee": "404",
            "a member of the TMO": "404",
            NOBODY: "404",
        },
        id="a confidential item's paper exists only for the readers of the record",
    ),
    pytest.param(
        Permission.MEETINGS_PAPER_READ,
        open_paper,
        {NOBODY: True, "a resident": True},
        id="a paper of an open item is public",
    ),
    pytest.param(
        Permission.MEETINGS_MINUTES_SIGN,
        approved_minutes,
        {
            "the chair": True,
            "the secretary": False,
            "a director": False,
            "a member of the committee": False,
            NOBODY: False,
        },
        id="the chair signs the minutes",
    ),
    pytest.param(
        Permission.MEETINGS_REQUISITION_SIGN,
        a_requisition,
        {
            "a member of the TMO": True,
            "the member role without a membership": False,
            "a resident": False,
            NOBODY: False,
        },
        id="only a current member of the TMO signs a requisition",
    ),
    pytest.param(
        Permission.YOUTH_PROPOSAL_READ,
        a_draft,
        {
            "its proposer": True,
            "another forum member": "404",
            "the youth worker": "404",
            "the secretary": "404",
            NOBODY: "404",
        },
        id="a draft proposal is known only to its proposer",
    ),
    pytest.param(
        Permission.YOUTH_PROPOSAL_READ,
        a_drafts_quote,
        {"its proposer": True, "another forum member": "404", "the youth worker": "404"},
        id="a draft's quote is its proposer's alone",
    ),
    pytest.param(
        Permission.YOUTH_PROPOSAL_READ,
        a_vote_open,
        {"another forum member": True, "the youth worker": True, "a director": True},
        id="a proposal sent to the youth worker may be known of",
    ),
    pytest.param(
        Permission.YOUTH_PROPOSAL_EDIT,
        a_proposal_sent_back,
        {
            "its proposer": True,
            "another forum member": False,
            "the youth worker": False,
            NOBODY: False,
        },
        id="only its proposer changes, sends or withdraws a proposal",
    ),
    pytest.param(
        Permission.YOUTH_PROPOSAL_EDIT,
        a_draft_whose_proposer_left,
        {"its proposer": False},
        id="a proposer who has left the forum no longer changes their proposal",
    ),
    pytest.param(
        Permission.YOUTH_PROPOSAL_READ,
        a_draft_whose_proposer_left,
        {"its proposer": True, "another forum member": "404"},
        id="a draft stays its proposer's own after they leave",
    ),
    pytest.param(
        Permission.YOUTH_PROPOSAL_VOTE,
        a_vote_open,
        {
            "its proposer": True,
            "another forum member": True,
            "a member who has left": False,
            "the youth worker": False,
            "the secretary": False,
            NOBODY: False,
        },
        id="forum members vote on a proposal or declare an interest",
    ),
    pytest.param(
        Permission.YOUTH_PROPOSAL_MANAGE,
        a_vote_open,
        {
            "the youth worker": True,
            "its proposer": False,
            "the secretary": False,
            "a director": False,
        },
        id="the youth worker checks a proposal, counts its vote and records its spend",
    ),
    pytest.param(
        Permission.YOUTH_PROPOSAL_RATIFY,
        a_vote_open,
        {"the secretary": True, "the youth worker": False, "a director": False},
        id="the secretary records the board's ratification",
    ),
    pytest.param(
        Permission.YOUTH_PROPOSAL_REPORT,
        a_vote_open,
        {
            "the youth worker": True,
            "its proposer": True,
            "another forum member": False,
            "the secretary": False,
        },
        id="the youth worker or its proposer reports back",
    ),
    pytest.param(
        Permission.YOUTH_CHAIR_VOTE,
        a_chair_election,
        {
            "another forum member": True,
            "a member who has left": False,
            "the youth worker": False,
            NOBODY: False,
        },
        id="forum members vote for the chair",
    ),
    pytest.param(
        Permission.YOUTH_CHAIR_VOTE,
        no_chair_election,
        {"another forum member": "404", "the youth worker": "404"},
        id="there is no vote for the chair while none is open",
    ),
]


# -- Membership, the board, accounts --------------------------------------------------------------


def residents():
    return {
        "a resident": AccountFactory(),
        "the secretary": AccountFactory(roles=[Role.SECRETARY]),
        NOBODY: None,
    }


def application_of(dbsession, account, status=ApplicationStatus.SUBMITTED):
    application = MembershipApplication(
        account_id=account.id,
        home_id=TenancyFactory().home_id,
        full_name=account.display_name,
        holding="secure_tenant",
        date_of_birth=date(1980, 1, 1),
        consented_at=now(),
        status=status,
    )
    dbsession.add(application)
    dbsession.flush()
    return application


def a_pending_application(app, dbsession) -> Scene:
    """The applicant's own, found from who is asking; a resident's was rejected."""
    people = residents()
    people["the applicant"] = AccountFactory(display_name="Ada Applicant")
    application_of(dbsession, people["the applicant"])
    application_of(dbsession, people["a resident"], ApplicationStatus.REJECTED)
    return Scene(people, factory=OwnApplicationContext)


def an_application(app, dbsession, status=ApplicationStatus.SUBMITTED) -> Scene:
    """One application, as the secretary's page finds it from the path."""
    people = residents()
    people["the applicant"] = AccountFactory(display_name="Ada Applicant")
    application = application_of(dbsession, people["the applicant"], status)
    return Scene(people, factory=ApplicationContext, matchdict={"application_id": application.id})


def a_decided_application(app, dbsession) -> Scene:
    return an_application(app, dbsession, ApplicationStatus.ADMITTED)


def a_membership(app, dbsession) -> Scene:
    people = residents()
    people["the member"] = member("Mo Member").account
    former = AccountFactory()
    MemberFactory(account=former, ceased_on=date(2024, 1, 1), ceased_reason="resigned")
    people["a former member"] = former
    return Scene(people, factory=OwnMembershipContext)


def a_director(app, dbsession) -> Scene:
    people = residents()
    serving = AccountFactory(roles=[Role.DIRECTOR])
    dbsession.add(Director(name="Dee Director", account_id=serving.id))
    dbsession.flush()
    people["the director"] = serving
    people["a director on no record"] = AccountFactory(roles=[Role.DIRECTOR])
    return Scene(people, factory=OwnDirectorContext)


def an_entry_in_the_register(app, dbsession, *, purged=False) -> Scene:
    people = residents()
    entry = member("Reg Entry")
    if purged:
        entry.name = ""
    dbsession.flush()
    people["the member themselves"] = entry.account
    people["the scrutineer"] = AccountFactory(roles=[Role.SCRUTINEER])
    return Scene(people, factory=RegisterEntryContext, matchdict={"member_id": entry.id})


def a_purged_entry(app, dbsession) -> Scene:
    return an_entry_in_the_register(app, dbsession, purged=True)


def a_former_members_entry(app, dbsession) -> Scene:
    people = residents()
    entry = member("Fay Former")
    entry.ceased_on, entry.ceased_reason = date(2024, 1, 1), "resigned"
    dbsession.flush()
    return Scene(people, factory=RegisterEntryContext, matchdict={"member_id": entry.id})


def an_application_entered_for_a_resident(app, dbsession) -> Scene:
    """An application staff entered for a resident with no account."""
    people = residents()
    application = MembershipApplication(
        account_id=None,
        entered_by_id=people["the secretary"].id,
        home_id=TenancyFactory().home_id,
        full_name="Edna Price",
        holding="secure_tenant",
        date_of_birth=date(1948, 11, 2),
        consented_at=now(),
    )
    dbsession.add(application)
    dbsession.flush()
    return Scene(people, factory=ApplicationContext, matchdict={"application_id": application.id})


def an_account(app, dbsession) -> Scene:
    people = residents()
    people["an administrator"] = AccountFactory(roles=[Role.ADMINISTRATOR])
    target = AccountFactory()
    return Scene(people, factory=AccountContext, matchdict={"account_id": target.id})


def a_term_of_office(app, dbsession) -> Scene:
    people = residents()
    people["a director"] = AccountFactory(roles=[Role.DIRECTOR])
    person = Director(name="Tom Term", date_of_birth=date(1970, 1, 1))
    dbsession.add(person)
    held = Directorship(
        director=person,
        seat_category=SeatCategoryKey.INDEPENDENT,
        seat_number=1,
        how=BOARD,
        start_date=date(2025, 1, 1),
    )
    dbsession.add(held)
    dbsession.flush()
    return Scene(people, factory=DirectorshipContext, matchdict={"term_id": held.id})


def notice_people():
    people = residents()
    people["an administrator"] = AccountFactory(roles=[Role.ADMINISTRATOR])
    people["a director"] = AccountFactory(roles=[Role.DIRECTOR])
    return people


def a_notice_sent(app, dbsession) -> Scene:
    people = notice_people()
    notice = Notice(kind="meeting_notice", subject="Notice of the AGM")
    dbsession.add(notice)
    dbsession.flush()
    return Scene(people, factory=NoticeContext, matchdict={"notice_id": notice.id})


def a_print_run(app, dbsession) -> Scene:
    people = notice_people()
    run = PrintRun(letters=0)
    dbsession.add(run)
    dbsession.flush()
    return Scene(people, factory=PrintRunContext, matchdict={"run_id": run.id})


NOTICES_READERS = {
    "the secretary": True,
    "an administrator": False,
    "a director": False,
    "a resident": False,
    NOBODY: False,
}

CASES += [
    pytest.param(
        Permission.NOTICES_MANAGE,
        a_notice_sent,
        NOTICES_READERS,
        id="a notice's deliveries are for the secretary",
    ),
    pytest.param(
        Permission.NOTICES_MANAGE,
        a_print_run,
        NOTICES_READERS,
        id="a print run is printed and posted by the secretary",
    ),
    pytest.param(
        Permission.MEMBERSHIP_APPLICATION_WITHDRAW,
        a_pending_application,
        {
            "the applicant": True,
            "a resident": "404",
            "the secretary": "404",
            NOBODY: False,
        },
        id="only the applicant withdraws an application, and only while it waits",
    ),
    pytest.param(
        Permission.MEMBERSHIP_APPLICATION_WITHDRAW,
        an_application,
        {"the applicant": True, "a resident": False, "the secretary": False},
        id="an application is withdrawn by its applicant",
    ),
    pytest.param(
        Permission.MEMBERSHIP_APPLICATION_WITHDRAW,
        a_decided_application,
        {"the applicant": False},
        id="a decided application is withdrawn by nobody",
    ),
    pytest.param(
        Permission.MEMBERSHIP_APPLICATIONS_DECIDE,
        an_application,
        {"the secretary": True, "the applicant": False, NOBODY: False},
        id="the secretary decides an application",
    ),
    pytest.param(
        Permission.MEMBERSHIP_MEMBER_OWN,
        a_membership,
        {
            "the member": True,
            "a former member": "404",
            "a resident": "404",
            NOBODY: False,
        },
        id="a member's own pages are for a current member",
    ),
    pytest.param(
        Permission.BOARD_INTERESTS_OWN,
        a_director,
        {
            "the director": True,
            "a director on no record": "404",
            "a resident": False,
            "the secretary": False,
            NOBODY: False,
        },
        id="a director declares as the director on record, no one else",
    ),
    pytest.param(
        Permission.MEMBERSHIP_REGISTER_READ,
        an_entry_in_the_register,
        {
            "the secretary": True,
            "the scrutineer": True,
            "the member themselves": False,
            "a resident": False,
            NOBODY: False,
        },
        id="an entry in the register is for the secretary and the scrutineer",
    ),
    pytest.param(
        Permission.MEMBERSHIP_REGISTER_READ,
        a_purged_entry,
        {"the secretary": "404", "the scrutineer": "404", "a resident": "404"},
        id="a purged entry is no longer one, for anyone",
    ),
    pytest.param(
        Permission.MEMBERSHIP_CONTACT_RECORD,
        an_entry_in_the_register,
        {
            "the secretary": True,
            "the scrutineer": False,
            "the member themselves": False,
            "a resident": False,
            NOBODY: False,
        },
        id="the secretary records how a member wants to be contacted, for them",
    ),
    pytest.param(
        Permission.MEMBERSHIP_CONTACT_RECORD,
        a_former_members_entry,
        {"the secretary": False},
        id="a former member's contact choice is recorded by nobody",
    ),
    pytest.param(
        Permission.MEMBERSHIP_APPLICATION_WITHDRAW,
        an_application_entered_for_a_resident,
        {"the secretary": False, "a resident": False, NOBODY: False},
        id="an application with no account is withdrawn by nobody online",
    ),
    pytest.param(
        Permission.MEMBERSHIP_APPLICATIONS_DECIDE,
        an_application_entered_for_a_resident,
        {"the secretary": True, "a resident": False, NOBODY: False},
        id="the secretary decides an application entered for a resident",
    ),
    pytest.param(
        Permission.ADMIN_ROLES_GRANT,
        an_account,
        {"an administrator": True, "the secretary": False, "a resident": False, NOBODY: False},
        id="only an administrator grants roles on an account",
    ),
    pytest.param(
        Permission.ADMIN_ACCOUNTS_READ,
        an_account,
        {"an administrator": True, "the secretary": True, "a resident": False},
        id="the secretary reads an account",
    ),
    pytest.param(
        Permission.BOARD_MANAGE,
        a_term_of_office,
        {"the secretary": True, "a director": False, "a resident": False},
        id="only the secretary ends a term of office",
    ),
]


def test_every_permission_that_looks_at_more_than_a_role_has_its_cases():
    """A permission granted by a fact about the asker or the object, not by a role alone, is
    proved here for someone allowed and someone refused."""
    looked_at = {
        permission
        for permission, lists in PERMITS.items()
        if any(not check.__name__.startswith("holds_") for checks in lists for check in checks)
    }
    proved = {case.values[0] for case in CASES}
    assert sorted(looked_at - proved) == []
    allowed = {case.values[0] for case in CASES if True in case.values[2].values()}
    refused = {
        case.values[0] for case in CASES if {False, "404", SENT_BACK} & set(case.values[2].values())
    }
    assert sorted(looked_at - allowed) == [] and sorted(looked_at - refused) == []


@pytest.mark.parametrize(("permission", "set_up", "expected"), CASES)
def test_who_is_allowed_and_who_is_refused(app, dbsession, permission, set_up, expected):
    scene = set_up(app, dbsession)
    found = {who: decide(app, dbsession, scene, who, permission) for who in expected}
    assert found == expected
