"""The front door: after logging in each person lands on what needs them, each line a link to
where they act, and the navigation counts what waits."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event

from tests import factories
from tests.conftest import log_in
from tests.elections_setup import fresh, member, new_election, poll_open, shift, web_request
from tests.functional.test_meetings import past_meeting
from tests.functional.test_notices import letters
from tests.functional.test_youth import TODAY, awaiting_ratification, open_budget, voted
from tests.functional.test_youth import member as youth_member
from tmo.constitution import SeatCategoryKey
from tmo.models.accounts import RoleGrant
from tmo.models.board import Director, Directorship
from tmo.models.files import StoredFile
from tmo.models.meetings import AgendaItem, AgendaPaper, Attendance, Body, Meeting, Requisition
from tmo.models.membership import MembershipApplication
from tmo.models.youth import YouthProposal
from tmo.permissions import Role
from tmo.rules import board as board_rules
from tmo.rules import meetings as meeting_rules
from tmo.rules.membership import ApplicationStatus
from tmo.rules.youth import MemberStatus, ProposalStatus
from tmo.services import elections

NOW = datetime.now(UTC).replace(microsecond=0)


def door(page) -> dict[str, str]:
    """Each line of the front door: its link's text -> where it goes."""
    main = page.html.select_one("main")
    return {a.get_text(" ", strip=True): a["href"] for a in main.select(".door-line > a")}


def line_text(page, starts: str) -> str:
    """The whole of the line whose link begins ``starts``, as read."""
    for item in page.html.select("main .door-line"):
        if item.a.get_text(" ", strip=True).startswith(starts):
            return item.get_text(" ", strip=True)
    raise AssertionError(f"no line starting {starts!r} in {list(door(page))}")


def every_line_opens(testapp, page) -> None:
    """Each line leads to a page the person may open: no line is a dead end."""
    for text, href in door(page).items():
        assert testapp.get(path(href)).status_int == 200, text


def needs_you(page) -> str:
    return " ".join(page.html.select_one("nav .nav-needs").get_text("").split())


def path(href: str) -> str:
    return href.removeprefix("http://localhost")


def board_body(dbsession) -> Body:
    body = Body(name="The board", kind=meeting_rules.BOARD, quorum_number=3)
    dbsession.add(body)
    dbsession.commit()
    return body


def meeting_on(dbsession, body, days, title, **extra) -> Meeting:
    """A meeting of ``body`` ``days`` from now (negative: past)."""
    starts = NOW + timedelta(days=days)
    meeting = Meeting(
        body=body,
        title=title,
        kind=extra.pop("kind", meeting_rules.ORDINARY),
        starts_at=starts,
        place="Community room",
        notice_given_at=starts - timedelta(days=21),
        **extra,
    )
    dbsession.add(meeting)
    dbsession.commit()
    return meeting


def director_for(dbsession, account, name="Dana Kowalski", **term) -> Director:
    director = Director(name=name, account_id=account.id if account else None)
    dbsession.add(director)
    dbsession.add(
        Directorship(
            director=director,
            seat_category=SeatCategoryKey.RESIDENT,
            seat_number=term.pop("seat", 1),
            how=board_rules.ELECTED,
            start_date=date.today() - timedelta(days=900),
            end_date=term.pop("end_date", date.today() + timedelta(days=700)),
        )
    )
    dbsession.commit()
    return director


def application(dbsession, account=None, name="Rob Fernandes") -> MembershipApplication:
    home = factories.HomeFactory()
    applied = MembershipApplication(
        account_id=account.id if account else None,
        home_id=home.id,
        full_name=name,
        holding="secure_tenant",
        consented_at=NOW,
        status=ApplicationStatus.SUBMITTED,
    )
    dbsession.add(applied)
    dbsession.commit()
    return applied


# -- Landing ----------------------------------------------------------------------------------


def test_log_in_lands_on_what_needs_you_and_the_home_page_sends_you_there(testapp):
    account = factories.AccountFactory()
    page = log_in(testapp, account.email)
    assert page.request.path == "/needs-you"
    assert page.html.h1.get_text() == "What needs you"
    assert testapp.get("/").location == "http://localhost/needs-you"


def test_someone_not_logged_in_is_asked_to_log_in_and_sees_no_count(testapp):
    assert testapp.get("/needs-you").location.startswith("http://localhost/login")
    assert testapp.get("/").html.select_one("nav .nav-needs") is None


# -- Residents, applicants and members --------------------------------------------------------


def test_a_resident_without_membership_is_asked_first_to_apply_to_join(testapp):
    account = factories.AccountFactory()
    page = log_in(testapp, account.email)
    lines = door(page)
    assert next(iter(lines)) == "Apply to join"
    assert path(lines["Apply to join"]) == "/membership/apply"
    assert needs_you(page) == "Needs you (1)"
    every_line_opens(testapp, page)


def test_an_applicant_is_told_where_their_application_is(testapp, dbsession):
    account = factories.AccountFactory()
    application(dbsession, account)
    page = log_in(testapp, account.email)
    text = "Your application to join is waiting for the secretary's decision"
    assert path(door(page)[text]) == "/membership"
    assert "Apply to join" not in door(page)
    assert needs_you(page) == "Needs you"
    every_line_opens(testapp, page)


def test_a_member_is_sent_to_vote_and_sees_their_membership(testapp, dbsession, app):
    election, voters = poll_open(dbsession, web_request(app, dbsession))
    dbsession.commit()
    voter = voters[-1]
    page = log_in(testapp, voter.account.email)
    lines = door(page)
    assert path(lines["Vote in Board election"]) == f"/elections/{election.id}/ballot"
    assert "The poll closes:" in line_text(page, "Vote in Board election")
    assert path(lines[f"Your membership: number {voter.member_number}"]) == "/membership"
    assert needs_you(page) == "Needs you (1)"
    every_line_opens(testapp, page)


def test_a_member_who_joined_after_the_roll_was_frozen_is_told_why_they_cannot_vote(
    testapp, dbsession, app
):
    election, _ = poll_open(dbsession, web_request(app, dbsession))
    election.roll_frozen_on = date.today() - timedelta(days=10)
    newcomer = member("Nia Newcombe")
    newcomer.admitted_on = date.today() - timedelta(days=2)
    dbsession.commit()
    page = log_in(testapp, newcomer.account.email)
    text = line_text(page, "You cannot vote in Board election")
    assert path(door(page)["You cannot vote in Board election"]) == f"/elections/{election.id}"
    assert f"You joined on {newcomer.admitted_on:%-d %B %Y}" in text
    assert f"after the roll of voters was frozen on {election.roll_frozen_on:%-d %B %Y}" in text
    assert "Vote in Board election" not in door(page)
    every_line_opens(testapp, page)


def test_a_member_sees_nominations_open_and_general_meetings_coming(testapp, dbsession):
    election = new_election(dbsession)
    general = Body(name="General meeting of members", kind=meeting_rules.GENERAL_MEETING)
    dbsession.add(general)
    agm = meeting_on(dbsession, general, 30, "Annual general meeting 2027", kind=meeting_rules.AGM)
    someone = member("Maya Ahmed")
    dbsession.commit()
    page = log_in(testapp, someone.account.email)
    lines = door(page)
    assert path(lines["Nominations are open: Board election"]) == f"/elections/{election.id}"
    assert "Nominations close:" in line_text(page, "Nominations are open")
    assert path(lines["Annual general meeting 2027"]) == f"/meetings/{agm.id}"
    every_line_opens(testapp, page)


# -- Directors and the chair ------------------------------------------------------------------


def test_a_director_sees_the_next_board_meeting_with_its_papers_and_interests_due(
    testapp, dbsession
):
    account = factories.AccountFactory(roles=[Role.DIRECTOR])
    director_for(dbsession, account)
    body = board_body(dbsession)
    meeting = meeting_on(dbsession, body, 10, "Board meeting")
    item = AgendaItem(meeting=meeting, position=1, title="Repairs report")
    stored = StoredFile(filename="repairs.pdf", media_type="application/pdf", size=4, sha256="0")
    stored.content = b"%PDF"
    dbsession.add(AgendaPaper(item=item, title="Repairs report", file=stored))
    dbsession.commit()
    page = log_in(testapp, account.email)
    lines = door(page)
    assert path(lines["Board meeting: the agenda and 1 paper"]) == f"/meetings/{meeting.id}"
    assert path(lines["Declare your interests"]) == "/board/my-interests"
    assert "You have not declared your interests yet." in line_text(page, "Declare")
    every_line_opens(testapp, page)
    # Apologies to send: the meeting's line says where, then that they are sent.
    assert "If you cannot come, send your apologies from its page." in line_text(page, "Board")
    meeting_page = testapp.get(lines["Board meeting: the agenda and 1 paper"])
    form = meeting_page.click("Send your apologies").forms["form"]
    form["reason"] = "Away that week"
    form.submit("submit").follow()
    assert "You have sent your apologies." in line_text(testapp.get("/needs-you"), "Board")


def test_the_chair_sees_minutes_to_sign_absences_and_youth_spends_awaiting_the_board(
    testapp, dbsession
):
    open_budget(dbsession)
    awaiting_ratification(dbsession)
    body = board_body(dbsession)
    approved = meeting_on(
        dbsession, body, -40, "Board meeting in October", minutes_state=meeting_rules.APPROVED
    )
    absent = director_for(dbsession, None, name="Marcus Obi", seat=2)
    for days in (90, 60, 30):
        held = meeting_on(dbsession, body, -days, f"Held {days}")
        dbsession.add(
            Attendance(
                meeting=held, person_key=f"director:{absent.id}", name="Marcus Obi", status="absent"
            )
        )
    dbsession.commit()
    chair = factories.AccountFactory(roles=[Role.CHAIR, Role.DIRECTOR])
    page = log_in(testapp, chair.email)
    lines = door(page)
    signing = "Sign the minutes of Board meeting in October"
    assert path(lines[signing]) == f"/meetings/{approved.id}/record"
    assert "Marcus Obi" in line_text(page, "1 director flagged for missing board meetings")
    spends = "1 Youth Forum spend awaiting the board's ratification"
    assert path(lines[spends]) == "/youth/proposals?status=awaiting_ratification"
    every_line_opens(testapp, page)


# -- The secretary ----------------------------------------------------------------------------


def test_the_secretary_sees_applications_letters_minutes_requisitions_and_terms_ending(
    testapp, dbsession
):
    application(dbsession, name="Rob Fernandes")
    letters(dbsession, "Notice of the AGM", ["Ann Able", "Bo Brown"])
    body = board_body(dbsession)
    held = past_meeting(dbsession, body, 5, title="Board meeting in November")
    requisition = Requisition(
        purpose="To discuss the repairs contract",
        threshold_reached_on=date.today() - timedelta(days=3),
        call_by=date.today() + timedelta(days=18),
    )
    dbsession.add(requisition)
    general = Body(name="General meeting of members", kind=meeting_rules.GENERAL_MEETING)
    dbsession.add(general)
    meeting_on(dbsession, general, 90, "Annual general meeting 2027", kind=meeting_rules.AGM)
    director_for(dbsession, None, name="Faisal Miah", end_date=date.today() + timedelta(days=80))
    secretary = factories.AccountFactory(roles=[Role.SECRETARY])
    page = log_in(testapp, secretary.email)
    lines = door(page)
    assert path(lines["1 application to join waiting"]) == "/secretary/applications"
    assert "not matched to the property register" in line_text(page, "1 application")
    assert path(lines["2 letters to print and post"]) == "/secretary/notices"
    circulate = "Circulate the minutes of Board meeting in November"
    assert path(lines[circulate]) == f"/secretary/meetings/{held.id}"
    calling = "Call the general meeting members requisitioned"
    assert path(lines[calling]) == (
        f"/secretary/meetings/bodies/{general.id}/schedule?requisition={requisition.id}"
    )
    call_by = date.today() + timedelta(days=18)
    assert f"Call it by: {call_by:%-d %B %Y}" in line_text(page, calling)
    terms = "1 term of directors due for election at the next AGM"
    assert path(lines[terms]) == "/secretary/board"
    assert "Faisal Miah" in line_text(page, terms)
    assert needs_you(page) == "Needs you (6)"
    every_line_opens(testapp, page)


# -- Returning officers and scrutineers --------------------------------------------------------


def test_the_returning_officer_sees_each_election_s_next_step_and_its_date(testapp, dbsession):
    officer = factories.AccountFactory(roles=[Role.RETURNING_OFFICER])
    election = new_election(dbsession, returning_officer=officer)
    dbsession.commit()
    page = log_in(testapp, officer.email)
    text = line_text(page, "Board election: Close nominations")
    closes = elections.status_of(election, NOW)
    assert closes.label in text and "Nominations close:" in text
    assert path(door(page)["Board election: Close nominations"]) == (
        f"/returning-officer/elections/{election.id}"
    )
    # Nothing to do before the nominations close; once they have, the step waits on them.
    assert needs_you(page) == "Needs you"
    shift(fresh(dbsession, election), 30)
    dbsession.commit()
    assert needs_you(testapp.get("/needs-you")) == "Needs you (1)"


def test_the_scrutineer_is_told_to_bring_the_key_once_the_poll_has_closed(testapp, dbsession, app):
    scrutineer = factories.AccountFactory(roles=[Role.SCRUTINEER])
    election, _ = poll_open(dbsession, web_request(app, dbsession), scrutineer=scrutineer)
    shift(election, 30)
    dbsession.commit()
    page = log_in(testapp, scrutineer.email)
    step = "Board election: Bring the sealing key to open the ballot box"
    assert path(door(page)[step]) == f"/returning-officer/elections/{election.id}"
    assert "The poll closed:" in line_text(page, step)
    assert needs_you(page) == "Needs you (1)"
    every_line_opens(testapp, page)


# -- The Youth Forum --------------------------------------------------------------------------


def test_a_youth_member_sees_votes_needed_and_where_each_of_their_ideas_is(testapp, dbsession):
    open_budget(dbsession)
    amara = youth_member(dbsession, "Amara")
    proposal = voted(dbsession, amara)
    leo = youth_member(dbsession, "Leo")
    page = log_in(testapp, leo.account.email)
    assert path(door(page)["Vote on Goals"]) == f"/youth/proposals/{proposal.id}"
    assert "The vote closes:" in line_text(page, "Vote on Goals")
    testapp.reset()
    page = log_in(testapp, amara.account.email)
    assert "Where it is: Forum vote open." in line_text(page, "Your idea Goals")


def test_a_youth_worker_sees_ideas_to_check_votes_to_count_and_join_requests(testapp, dbsession):
    open_budget(dbsession)
    amara = youth_member(dbsession, "Amara")
    closed = voted(dbsession, amara)
    closed.vote_closes_on = TODAY - timedelta(days=1)
    sent = voted(dbsession, amara)
    sent.title, sent.status = "Table tennis", ProposalStatus.SUBMITTED
    youth_member(dbsession, "Noah", age=13, status=MemberStatus.APPLIED, approved_on=None)
    dbsession.commit()
    worker = factories.AccountFactory(roles=[Role.YOUTH_WORKER])
    page = log_in(testapp, worker.email)
    lines = door(page)
    assert path(lines["Check the idea Table tennis"]) == f"/youth/proposals/{sent.id}"
    assert path(lines["1 request to join the Youth Forum"]) == "/youth/members"
    # A vote whose time has ended closes itself as the front door opens: nothing to count.
    assert "Count the vote on Goals" not in lines
    dbsession.expire_all()
    assert dbsession.get(YouthProposal, closed.id).status is not ProposalStatus.VOTING
    assert needs_you(page) == "Needs you (2)"
    every_line_opens(testapp, page)


# -- Its cost ---------------------------------------------------------------------------------


def everyone_needs(dbsession, app, n: int) -> None:
    """``n`` of every kind of thing a front door lists."""
    body = board_body(dbsession)
    general = Body(name=f"General {n}", kind=meeting_rules.GENERAL_MEETING)
    dbsession.add(general)
    for number in range(n):
        application(dbsession, name=f"Applicant {number}")
        meeting_on(dbsession, body, 5 + number, f"Board {number}")
        meeting_on(dbsession, general, 20 + number, f"General {number}")
        past_meeting(dbsession, body, 10 + number, title=f"Held {number}")
        new_election(dbsession)
    letters(dbsession, "Notice", [f"Person {number}" for number in range(n)])


@pytest.mark.parametrize("roles", [[Role.SECRETARY, Role.CHAIR, Role.DIRECTOR]])
def test_the_front_door_asks_the_database_as_often_with_many_things_as_with_few(
    testapp, dbsession, app, engine, roles
):
    person = member("Sam Okoro")
    for role in roles:
        person.account.role_grants.append(RoleGrant(role=role))
    dbsession.commit()
    log_in(testapp, person.account.email)

    def statements() -> int:
        seen = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert testapp.get("/needs-you").status_int == 200
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(seen)

    everyone_needs(dbsession, app, 1)
    few = statements()
    everyone_needs(dbsession, app, 4)
    assert statements() == few
