"""Who is allowed and who is refused, for every permission that depends on the object acted on:
each case builds the object, loads its context with the route's real factory, and asks the real
security policy for each person."""

from dataclasses import dataclass, field
from datetime import date

import pytest
from pyramid.httpexceptions import HTTPNotFound
from sqlalchemy import select

from tests.elections_setup import (
    RULES,
    member,
    new_election,
    now,
    poll_open,
    shift,
    stand,
    web_request,
)
from tests.factories import AccountFactory, MemberFactory, TenancyFactory
from tmo.constitution import SeatCategoryKey
from tmo.contexts.accounts import AccountContext
from tmo.contexts.board import DirectorshipContext, OwnDirectorContext
from tmo.contexts.elections import CandidateContext, ElectionContext
from tmo.contexts.membership import (
    ApplicationContext,
    OwnApplicationContext,
    OwnMembershipContext,
    RegisterEntryContext,
)
from tmo.models.board import Director, Directorship
from tmo.models.elections import Election
from tmo.models.membership import Member, MembershipApplication
from tmo.permissions import Permission, Role
from tmo.rules.board import BOARD
from tmo.rules.elections import Status
from tmo.rules.membership import ApplicationStatus
from tmo.services import elections

NOBODY = "nobody logged in"


@dataclass
class Scene:
    """What a case sets up: the people by name (an account, or None for someone not logged in),
    the route's context factory and the path's ids it reads."""

    people: dict = field(default_factory=dict)
    factory: type = ElectionContext
    matchdict: dict = field(default_factory=dict)


def decide(app, dbsession, scene: Scene, who: str, permission) -> bool | str:
    """Whether ``who`` holds ``permission`` on the scene's object; "404" when the object's own
    factory hides it from them."""
    request = web_request(app, dbsession)
    request.account = scene.people.get(who)
    request.matchdict = {key: str(value) for key, value in scene.matchdict.items()}
    try:
        context = scene.factory(request)
    except HTTPNotFound:
        return "404"
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


def poll_opened(app, dbsession) -> Scene:
    people = officials()
    election, voters = poll_open(
        dbsession, web_request(app, dbsession), returning_officer=people["its returning officer"]
    )
    people["a voter on the roll"] = voters[-1].account
    people["a member who joined after the roll was frozen"] = member("Lee Late").account
    return Scene(people, matchdict={"election_id": election.id})


def counted(app, dbsession) -> Scene:
    scene = poll_opened(app, dbsession)
    election = dbsession.get(Election, scene.matchdict["election_id"])
    voter = scene.people["a voter on the roll"].id
    ballot = (elections.accepted(election)[0].id,)
    elections.cast(dbsession, election.id, member_of(dbsession, voter), ballot, now=now())
    shift(election, RULES.elections.poll_days)
    elections.count(dbsession, election, election.returning_officer_id, now())
    dbsession.flush()
    return scene


def member_of(dbsession, account_id: int) -> int:
    return dbsession.scalar(select(Member.id).where(Member.account_id == account_id))


def declared(app, dbsession) -> Scene:
    scene = counted(app, dbsession)
    election = dbsession.get(Election, scene.matchdict["election_id"])
    election.status = Status.DECLARED
    dbsession.flush()
    return scene


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


CASES += [
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


@pytest.mark.parametrize(("permission", "set_up", "expected"), CASES)
def test_who_is_allowed_and_who_is_refused(app, dbsession, permission, set_up, expected):
    scene = set_up(app, dbsession)
    found = {who: decide(app, dbsession, scene, who, permission) for who in expected}
    assert found == expected
