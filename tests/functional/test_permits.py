"""Who is allowed and who is refused, for every permission that depends on the object acted on:
each case builds the object, loads its context with the route's real factory, and asks the real
security policy for each person."""

from dataclasses import dataclass, field

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
from tests.factories import AccountFactory
from tmo.contexts.elections import CandidateContext, ElectionContext
from tmo.models.elections import Election
from tmo.models.membership import Member
from tmo.permissions import Permission, Role
from tmo.rules.elections import Status
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


@pytest.mark.parametrize(("permission", "set_up", "expected"), CASES)
def test_who_is_allowed_and_who_is_refused(app, dbsession, permission, set_up, expected):
    scene = set_up(app, dbsession)
    found = {who: decide(app, dbsession, scene, who, permission) for who in expected}
    assert found == expected
