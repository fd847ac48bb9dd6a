"""Committees and meetings through the whole stack: bodies, notice, the agenda, attendance and the
live quorum, declarations, motions and votes, the minutes' lifecycle, public minutes that never hold
a confidential item, actions carried forward, attendance and the board's absence flag, calendars,
papers and PDFs, general meetings and requisitions."""

import dataclasses
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import icalendar
import pytest
from sqlalchemy import select
from webtest import Upload
from webtest.forms import Radio

from tests.conftest import choose, fill_date, log_in
from tests.elections_setup import TEST_SECRET
from tests.factories import AccountFactory, MemberFactory
from tests.functional.test_board import seat_board
from tmo.clock import SystemClock, london_day
from tmo.constitution import Constitution
from tmo.models.audit import AuditEntry
from tmo.models.board import Director
from tmo.models.meetings import (
    AgendaItem,
    Attendance,
    Body,
    BodyMember,
    Meeting,
    MeetingAction,
    Requisition,
)
from tmo.models.membership import Member
from tmo.permissions import PUBLIC_ROUTES, Role
from tmo.rules import meetings as rules
from tmo.rules.notices import earliest_meeting
from tmo.services import meetings
from tmo.services import pdf as pdf_service

PDF = b"%PDF-1.4\n" + b"x" * 2000
TODAY = SystemClock().today()


def now() -> datetime:
    """The moment a test acts at, when it calls a service itself: the computer's clock."""
    return datetime.now(UTC)


def committee(dbsession, size=5, quorum=3, name="Finance and Audit Committee"):
    body = Body(name=name, kind=rules.COMMITTEE, quorum_number=quorum)
    dbsession.add(body)
    for number in range(1, size + 1):
        dbsession.add(
            BodyMember(
                body=body,
                name=f"Member {number}",
                email=f"member{number}@example.org",
                role="chair" if number == 1 else "member",
                from_date=date(2020, 1, 1),
            )
        )
    dbsession.commit()
    return body


def past_meeting(dbsession, body, days_ago, title="Meeting"):
    """A meeting held ``days_ago`` days ago (its notice given a fortnight before)."""
    starts = datetime.now(UTC).replace(microsecond=0) - timedelta(days=days_ago)
    meeting = Meeting(
        body=body,
        title=title,
        kind=rules.ORDINARY,
        starts_at=starts,
        place="Community room",
        notice_given_at=starts - timedelta(days=14),
    )
    dbsession.add(meeting)
    meetings.add_standing_items(dbsession, meeting)
    dbsession.commit()
    return meeting


def fresh(dbsession, thing):
    """``thing`` as the database holds it now (a request ends the session it was loaded in)."""
    return dbsession.get(type(thing), thing.id)


def keys(dbsession, body):
    return [p.key for p in meetings.participants(dbsession, body, TODAY)]


def attend(dbsession, meeting, present, apologies=(), absent=(), accepted=True):
    entries = [meetings.AttendanceEntry(k, rules.PRESENT) for k in present]
    entries += [meetings.AttendanceEntry(k, rules.APOLOGIES, accepted) for k in apologies]
    entries += [meetings.AttendanceEntry(k, rules.ABSENT) for k in absent]
    meetings.record_attendance(dbsession, meeting, entries, [], actor_id=None, today=TODAY)
    dbsession.commit()


def add_titled_item(dbsession, meeting, title, confidential=False):
    """An item with only a title (and whether it is confidential)."""
    return meetings.add_item(
        dbsession,
        meeting,
        title=title,
        presenter="",
        summary="",
        confidential=confidential,
        actor_id=None,
    )


def item_of(meeting, kind):
    return next(item for item in meeting.items if item.kind == kind)


def secretary(logged_in):
    return logged_in(Role.SECRETARY)


def schedule_form(testapp, body, day, time="19:00", title="Ordinary meeting", kind=None):
    form = testapp.get(f"/secretary/meetings/bodies/{body.id}/schedule").forms["form"]
    form["title"] = title
    form["day"] = day.isoformat()
    form["time"] = time
    form["place"] = "Community room, Elm House"
    if kind:
        choose(form, kind)
    return form.submit("submit")


# -- Bodies ---------------------------------------------------------------------------------------


def test_the_secretary_adds_a_sub_committee_with_a_parent_and_its_members(
    testapp, dbsession, logged_in
):
    parent = committee(dbsession, size=0, name="Operations Committee")
    secretary(logged_in)
    form = testapp.get("/secretary/meetings/bodies/new").forms["form"]
    form["name"] = "Repairs Sub-committee"
    choose(form, rules.SUB_COMMITTEE)
    form["terms_of_reference"] = "Oversees the repairs contract."
    form["quorum_number"] = "1"
    form["quorum_of"] = "2"
    refused = form.submit("submit")
    assert "A sub-committee reports to a parent body: choose it." in refused.text
    form = refused.forms["form"]
    assert form["name"].value == "Repairs Sub-committee"
    form["parent"] = str(parent.id)
    page = form.submit("submit").follow()
    assert "Repairs Sub-committee is added." in page.text

    form = page.forms["form"]
    form["name"] = "Ruth Adeyemi"
    form["email"] = "ruth@example.org"
    choose(form, "chair")
    form["from_date"] = "2026-01-05"
    page = form.submit("submit").follow()
    assert "Ruth Adeyemi (Chair)" in page.text
    body = dbsession.scalar(select(Body).where(Body.name == "Repairs Sub-committee"))
    assert body.parent_id == parent.id
    assert [p.name for p in meetings.participants(dbsession, body, TODAY)] == ["Ruth Adeyemi"]

    form = page.click("End Ruth Adeyemi's membership").forms["form"]
    form["to_date"] = "2026-01-05"
    assert "must end after it begins" in form.submit("submit").text
    form["to_date"] = (TODAY + timedelta(days=1)).isoformat()
    page = form.submit("submit").follow()
    assert "Ruth Adeyemi's membership ends on" in page.html.get_text()
    dbsession.expire_all()
    later = TODAY + timedelta(days=2)
    assert meetings.participants(dbsession, fresh(dbsession, body), later) == []
    public = testapp.get(f"/meetings/bodies/{body.id}")
    assert "Oversees the repairs contract." in public.text
    assert "1/2 of the members (1 needed)" in public.text
    assert "Operations Committee" in public.text


def test_the_board_body_s_members_are_the_serving_directors(dbsession):
    seat_board(dbsession)
    board = Body(name="The board", kind=rules.BOARD)
    dbsession.add(board)
    dbsession.commit()
    people = meetings.participants(dbsession, board, TODAY)
    assert len(people) == 15
    assert all(p.key.startswith("director:") for p in people)
    # The quorum is the constitution's, and changes with it.
    assert meetings.quorum_rule(board, Constitution()).number == 5


# -- Scheduling -----------------------------------------------------------------------------------


def test_short_notice_is_refused_with_the_reason_and_good_notice_goes_to_every_member(
    testapp, dbsession, logged_in, mailer
):
    body = committee(dbsession)
    secretary(logged_in)
    refused = schedule_form(testapp, body, TODAY + timedelta(days=6))
    assert "Too short notice: a meeting of this body needs 7 days' notice" in refused.text
    assert refused.forms["form"]["title"].value == "Ordinary meeting"
    assert not mailer.outbox

    page = schedule_form(testapp, body, TODAY + timedelta(days=7)).follow()
    assert "The meeting is scheduled. Its notice: 5 emails on their way." in page.text
    meeting = dbsession.scalar(select(Meeting))
    assert [i.title for i in meeting.items] == [title for _, title in rules.STANDING_ITEMS]
    assert sorted(m.recipients[0] for m in mailer.outbox) == [
        f"member{n}@example.org" for n in range(1, 6)
    ]
    assert "Notice of meeting: Finance and Audit Committee" in mailer.outbox[0].subject
    assert meeting.starts_at.hour in (18, 19)  # 19:00 in London, stored in UTC


def test_a_general_meeting_needs_fourteen_clear_days_and_notice_goes_to_every_member(
    testapp, dbsession, logged_in, mailer, clock
):
    # Counted from the day the notice is deemed delivered, 48 working hours after it is sent.
    earliest = earliest_meeting(clock.now(), 14, Constitution().notices)
    for number in range(4):
        MemberFactory(contact_email=f"voter{number}@example.org")
    body = Body(name="General meeting of members", kind=rules.GENERAL_MEETING)
    dbsession.add(body)
    dbsession.commit()
    secretary(logged_in)
    refused = schedule_form(testapp, body, earliest - timedelta(days=1), kind=rules.AGM)
    assert "at least 14 clear days' notice (Companies Act 2006 s307)" in refused.text
    assert f"The earliest date is {earliest:%-d %B %Y}." in refused.text
    page = schedule_form(testapp, body, earliest, title="AGM", kind=rules.AGM)
    page = page.follow()
    meeting = dbsession.scalar(select(Meeting))
    titles = [item.title for item in meeting.items]
    assert titles[4:] == [title for _, title in rules.AGM_ITEMS]
    assert len(mailer.outbox) == 4
    # The quorum comes from the constitution: 2 members.
    assert "needed" in page.text and "2 needed" in page.text


# -- At the meeting -------------------------------------------------------------------------------


def test_attendance_by_form_and_the_quorum_leaves_out_declared_interests(
    testapp, dbsession, logged_in
):
    body = committee(dbsession, size=5, quorum=3)
    meeting = past_meeting(dbsession, body, 1)
    secretary(logged_in)
    form = testapp.get(f"/secretary/meetings/{meeting.id}/attendance").forms["form"]
    groups = [name for name, fields in form.fields.items() if isinstance(fields[0], Radio)]
    assert len(groups) == 5
    for group, status in zip(groups, ["present"] * 3 + ["apologies", "absent"], strict=True):
        form[group] = status
    form.set("apologies_accepted", False, index=3)
    form.set("arrived", "19:20", index=2)
    form["guests"] = "Pat Lee (housing officer)"
    page = form.submit("submit").follow()
    assert "The attendance is recorded." in page.text
    assert "Pat Lee (housing officer): In attendance" in page.text
    meeting = fresh(dbsession, meeting)
    rows = {row.name: row for row in meeting.attendance}
    assert rows["Member 3"].arrived == "19:20"
    assert rows["Member 4"].apologies_accepted is False

    item = meetings.add_item(
        dbsession,
        meeting,
        title="Roofing contract",
        presenter="Head of repairs",
        summary="",
        confidential=False,
        actor_id=None,
    )
    dbsession.commit()
    page = testapp.get(f"/secretary/meetings/items/{item.id}")
    assert "Quorate: 3 counted, 3 needed." in page.text
    form = testapp.get(f"/secretary/meetings/items/{item.id}/declare").forms["form"]
    form["person"] = keys(dbsession, body)[0]
    form["interest"] = "Her brother owns the roofing firm"
    page = form.submit("submit").follow()
    assert "Not quorate: 2 counted, 3 needed (1 left out for a declared interest)." in page.text

    form = testapp.get(f"/secretary/meetings/items/{item.id}/motion").forms["form"]
    form["text"] = "That the contract is awarded"
    form["proposer"] = keys(dbsession, body)[1]
    form["seconder"] = keys(dbsession, body)[2]
    for name in ("votes_for", "votes_against", "abstentions"):
        form[name] = "1"
    refused = form.submit("submit")
    assert "Not quorate: 2 counted, 3 needed" in refused.text
    assert "the meeting cannot decide this item" in refused.text


def motion(dbsession, item, proposer, seconder, votes, casting="", constitution=None):
    return meetings.record_motion(
        dbsession,
        constitution or Constitution(),
        item,
        text="That the budget is approved",
        proposer_key=proposer,
        seconder_key=seconder,
        votes_for=votes[0],
        votes_against=votes[1],
        abstentions=votes[2],
        casting_vote=casting,
        actor_id=None,
    )


def budget_item(dbsession, meeting):
    return meetings.add_item(
        dbsession,
        meeting,
        title="Budget",
        presenter="",
        summary="",
        confidential=False,
        actor_id=None,
    )


def test_a_conflicted_member_cannot_propose_or_vote_and_the_chair_breaks_a_tie(dbsession):
    body = committee(dbsession, size=6, quorum=3)
    meeting = past_meeting(dbsession, body, 1)
    people = keys(dbsession, body)
    attend(dbsession, meeting, people[:5], absent=people[5:])
    item = budget_item(dbsession, meeting)
    meetings.declare(dbsession, item, person_key=people[0], interest="Supplier", actor_id=None)
    with pytest.raises(meetings.MeetingError, match="declared an interest in this item"):
        motion(dbsession, item, people[0], people[1], (2, 0, 0))
    with pytest.raises(meetings.MeetingError, match="must be a member present"):
        motion(dbsession, item, people[5], people[1], (2, 0, 0))
    # Four may vote: five present, less the one with an interest.
    with pytest.raises(meetings.MeetingError, match="only 4 members present may vote"):
        motion(dbsession, item, people[1], people[2], (3, 2, 0))
    with pytest.raises(meetings.MeetingError, match="casting vote is used only on a tie"):
        motion(dbsession, item, people[1], people[2], (3, 1, 0), casting="for")
    tied = motion(dbsession, item, people[1], people[2], (2, 2, 0), casting="for")
    assert tied.outcome == rules.CARRIED
    assert [d.text for d in item.decisions] == ["That the budget is approved"]
    lost = motion(dbsession, item, people[1], people[2], (1, 2, 1))
    assert lost.outcome == rules.LOST and len(item.decisions) == 1
    assert dbsession.scalar(
        select(AuditEntry).where(AuditEntry.action == "meetings.motion_recorded")
    )


def test_a_motion_nobody_votes_for_or_against_falls_unless_the_constitution_lets_the_chair_cast(
    dbsession,
):
    body = committee(dbsession, size=4, quorum=3)
    meeting = past_meeting(dbsession, body, 1)
    people = keys(dbsession, body)
    attend(dbsession, meeting, people)
    item = budget_item(dbsession, meeting)
    default = Constitution()
    chair_decides = dataclasses.replace(
        default,
        meetings=dataclasses.replace(default.meetings, casting_vote_when_no_votes_cast=True),
    )

    def all_abstain(casting, constitution=default):
        return motion(dbsession, item, people[0], people[1], (0, 0, 4), casting, constitution)

    with pytest.raises(meetings.MeetingError, match="Nobody voted for or against"):
        all_abstain("for")
    assert all_abstain("").outcome == rules.LOST
    assert all_abstain("for", chair_decides).outcome == rules.CARRIED
    assert all_abstain("against", chair_decides).outcome == rules.LOST


# -- The minutes ----------------------------------------------------------------------------------


def held_with_confidential_item(dbsession, body, days_ago):
    meeting = past_meeting(dbsession, body, days_ago)
    people = keys(dbsession, body)
    attend(dbsession, meeting, people[:4], apologies=people[4:])
    open_item = meetings.add_item(
        dbsession,
        meeting,
        title="Estate cleaning",
        presenter="Estate manager",
        summary="",
        confidential=False,
        actor_id=None,
    )
    meetings.write_item_minutes(
        dbsession, open_item, text="The committee noted better cleaning scores.", actor_id=None
    )
    secret = meetings.add_item(
        dbsession,
        meeting,
        title="Staff disciplinary case",
        presenter="Chief executive",
        summary="",
        confidential=True,
        actor_id=None,
    )
    meetings.write_item_minutes(
        dbsession, secret, text="Dismissal of a caretaker for gross misconduct.", actor_id=None
    )
    meetings.add_paper(
        dbsession,
        secret,
        title="Investigation report",
        content=PDF,
        filename="investigation.pdf",
        constitution=Constitution(),
        actor_id=None,
    )
    dbsession.commit()
    return meeting


def test_the_minutes_lifecycle_from_draft_to_signed_and_public_without_confidential_items(
    testapp, dbsession, logged_in, mailer, monkeypatch
):
    body = committee(dbsession)
    first = held_with_confidential_item(dbsession, body, 40)
    nobody = testapp.get(f"/meetings/{first.id}/minutes", expect_errors=True)
    assert nobody.status_int == 404  # a draft is not published

    secretary(logged_in)
    page = testapp.get(f"/secretary/meetings/{first.id}")
    page = page.forms[1].submit().follow()
    assert "The draft minutes have been circulated to the members: 5 emails on" in page.text
    assert len(mailer.outbox) == 5 and "Draft minutes" in mailer.outbox[0].subject
    first = fresh(dbsession, first)
    assert first.minutes_state == rules.CIRCULATED
    # The record is frozen once circulated.
    with pytest.raises(meetings.MeetingError, match="only by a recorded amendment"):
        meetings.add_item(
            dbsession,
            first,
            title="Late",
            presenter="",
            summary="",
            confidential=False,
            actor_id=None,
        )
    # Circulated minutes are approved only at the next meeting.
    second = past_meeting(dbsession, body, 5)
    attend(dbsession, second, keys(dbsession, body)[:3])
    minutes_item = item_of(second, rules.LAST_MINUTES_ITEM)
    page = testapp.get(f"/secretary/meetings/items/{minutes_item.id}")
    page = page.forms[1].submit().follow()
    assert "The minutes of the last meeting are approved as a true record." in page.text
    first, minutes_item = fresh(dbsession, first), fresh(dbsession, minutes_item)
    assert first.minutes_state == rules.APPROVED
    assert [d.approves_meeting_id for d in minutes_item.decisions] == [first.id]

    # The secretary may not sign: the chair does.
    assert testapp.get(f"/meetings/{first.id}/sign", expect_errors=True).status_int == 403
    testapp.get("/account").forms[0].submit()
    chair = logged_in(Role.CHAIR, display_name="Chris Walsh")
    form = testapp.get(f"/meetings/{first.id}/sign").forms["form"]
    assert "Tick the box to sign the minutes." in form.submit("submit").text
    form["confirm"] = True
    page = form.submit("submit").follow()
    assert "The minutes are signed and published." in page.text
    first = fresh(dbsession, first)
    assert first.minutes_state == rules.SIGNED and first.signed_by_id == chair.id
    with pytest.raises(meetings.MeetingError, match="they are signed by the chair"):
        meetings.sign_minutes(dbsession, first, chair=chair, now=now())

    # The public sees the minutes without the confidential item, its minute or its paper.
    testapp.get("/account").forms[0].submit()
    public = testapp.get(f"/meetings/{first.id}/minutes")
    assert "Estate cleaning" in public.text and "better cleaning scores" in public.text
    assert "Signed by the chair, Chris Walsh, on" in public.text
    assert "Approved as a true record at the meeting of" in public.text
    for secret in ("Staff disciplinary case", "Dismissal of a caretaker", "Investigation report"):
        assert secret not in public.text
        assert secret not in testapp.get(f"/meetings/{first.id}").text
    paper = fresh(dbsession, first).items[-1].papers[0]
    assert testapp.get(f"/meetings/papers/{paper.id}", expect_errors=True).status_int == 404
    assert testapp.get(f"/meetings/{first.id}/record", expect_errors=True).status_int in (302, 403)

    printed = []
    real = pdf_service.html_to_pdf

    def capture(html, inserts=None):
        printed.append((html, [key for key, pages in (inserts or {}).items() if pages]))
        return real(html, inserts)

    monkeypatch.setattr(pdf_service, "html_to_pdf", capture)
    for path in (f"/meetings/{first.id}/minutes.pdf", f"/meetings/{first.id}/agenda.pdf"):
        response = testapp.get(path)
        assert response.content_type == "application/pdf" and response.body.startswith(b"%PDF-")
    for html, attached in printed:
        assert "Estate cleaning" in html
        assert "Staff disciplinary case" not in html and "Dismissal" not in html
        assert attached == []

    # Published minutes are searchable, but never by a confidential item's words.
    assert f"/meetings/{first.id}/minutes" in testapp.get("/meetings", params={"q": "cleaning"})
    assert f"/meetings/{first.id}/minutes" not in testapp.get(
        "/meetings", params={"q": "caretaker"}
    )
    assert f"/meetings/{first.id}/minutes" not in testapp.get("/meetings", params={"q": "%"})

    # A director reads the full record, papers included.
    logged_in(Role.DIRECTOR)
    assert "Staff disciplinary case" in testapp.get(f"/meetings/{first.id}/record").text
    assert testapp.get(f"/meetings/papers/{paper.id}").body == PDF
    testapp.get(f"/meetings/{first.id}/record-agenda.pdf")
    # This paper is not a PDF that can be read: the pack names it and where to download it.
    assert "Staff disciplinary case" in printed[-1][0] and "(investigation.pdf)" in printed[-1][0]
    assert f"/meetings/papers/{paper.id}" in printed[-1][0]


def test_signed_minutes_change_only_by_recorded_amendments(testapp, dbsession, logged_in):
    body = committee(dbsession)
    meeting = held_with_confidential_item(dbsession, body, 30)
    with pytest.raises(meetings.MeetingError, match="amendments begin once circulated"):
        meetings.amend_minutes(
            dbsession, meeting, item=None, text="x", reason="y", actor_id=None, now=now()
        )
    meeting.minutes_state = rules.SIGNED
    dbsession.commit()
    with pytest.raises(meetings.MeetingError, match="only by a recorded amendment"):
        meetings.write_item_minutes(dbsession, meeting.items[4], text="Rewritten", actor_id=None)
    secretary(logged_in)
    form = testapp.get(f"/secretary/meetings/{meeting.id}/amend").forms["form"]
    form["item"] = str(meeting.items[4].id)
    form["text"] = "The cleaning scores rose by 4 points, not 6."
    form["reason"] = "Agreed at the meeting of 3 March"
    form.submit("submit").follow()
    public = testapp.get(f"/meetings/{meeting.id}/minutes")
    assert "The cleaning scores rose by 4 points, not 6." in public.text
    meeting = fresh(dbsession, meeting)
    assert meeting.items[4].minutes_text == "The committee noted better cleaning scores."
    # An amendment to a confidential item is as private as the item.
    meetings.amend_minutes(
        dbsession,
        meeting,
        item=meeting.items[5],
        text="Appeal lodged.",
        reason="r",
        actor_id=None,
        now=now(),
    )
    dbsession.commit()
    assert "Appeal lodged." not in testapp.get(f"/meetings/{meeting.id}/minutes").text


def test_minutes_cannot_be_approved_before_circulation_or_at_the_same_meeting(dbsession):
    body = committee(dbsession)
    first = past_meeting(dbsession, body, 20)
    with pytest.raises(meetings.MeetingError, match="first meeting"):
        meetings.approve_minutes(
            dbsession,
            Constitution(),
            item_of(first, rules.LAST_MINUTES_ITEM),
            actor_id=None,
            now=now(),
        )
    second = past_meeting(dbsession, body, 2)
    attend(dbsession, second, keys(dbsession, body)[:3])
    with pytest.raises(meetings.MeetingError, match="only circulated to the members minutes"):
        meetings.approve_minutes(
            dbsession,
            Constitution(),
            item_of(second, rules.LAST_MINUTES_ITEM),
            actor_id=None,
            now=now(),
        )
    with pytest.raises(meetings.MeetingError, match="under the item 'Minutes of the last meeting'"):
        meetings.approve_minutes(
            dbsession,
            Constitution(),
            item_of(second, rules.APOLOGIES_ITEM),
            actor_id=None,
            now=now(),
        )


# -- Actions, attendance and the absence flag ------------------------------------------------------


def test_actions_carry_forward_into_matters_arising_until_done(testapp, dbsession, logged_in):
    body = committee(dbsession)
    first = past_meeting(dbsession, body, 60)
    action = meetings.add_action(
        dbsession,
        item_of(first, rules.MATTERS_ARISING_ITEM),
        text="Get three quotes for the lift",
        owner="Estate manager",
        due_on=TODAY - timedelta(days=30),
        actor_id=None,
    )
    dbsession.commit()
    second = past_meeting(dbsession, body, 30)
    upcoming = past_meeting(dbsession, body, -10)
    for meeting in (second, upcoming):
        assert "Get three quotes for the lift" in testapp.get(f"/meetings/{meeting.id}").text
    secretary(logged_in)
    form = testapp.get(f"/secretary/meetings/actions/{action.id}/done").forms["form"]
    fill_date(form, "done_on", TODAY - timedelta(days=20))
    form.submit("submit").follow()
    # Reported done at the meeting after it was raised; gone from the one after that.
    assert "Get three quotes for the lift" in testapp.get(f"/meetings/{second.id}").text
    assert "Get three quotes for the lift" not in testapp.get(f"/meetings/{upcoming.id}").text


def test_attendance_statistics_and_three_unexcused_absences_flag_a_director(
    testapp, dbsession, logged_in
):
    seat_board(dbsession)
    board = Body(name="The board", kind=rules.BOARD)
    dbsession.add(board)
    dbsession.commit()
    people = keys(dbsession, board)
    missing = dbsession.get(Director, int(people[0].partition(":")[2]))
    excused = people[1]
    for days_ago in (90, 60, 30):
        meeting = past_meeting(dbsession, board, days_ago, title="Board meeting")
        attend(dbsession, meeting, people[2:], apologies=[excused], absent=[people[0]])
    secretary(logged_in)
    page = testapp.get("/secretary/board")
    row = next(r for r in page.html.select("tbody tr") if missing.name in r.get_text())
    assert "Flagged: missed 3 board meetings in a row" in row.get_text()
    assert page.text.count("Flagged:") == 1  # accepted apologies are not absences
    stats = testapp.get(f"/secretary/meetings/bodies/{board.id}")
    cells = [r.get_text(" ", strip=True) for r in stats.html.select("tbody tr")]
    assert f"{missing.name} 3 0 0 3 0%" in cells


def test_apologies_not_accepted_count_as_absences(dbsession):
    seat_board(dbsession)
    board = Body(name="The board", kind=rules.BOARD)
    dbsession.add(board)
    dbsession.commit()
    people = keys(dbsession, board)
    for days_ago in (90, 60, 30):
        meeting = past_meeting(dbsession, board, days_ago)
        attend(dbsession, meeting, people[1:], apologies=[people[0]], accepted=False)
    assert list(meetings.board_absences(dbsession, Constitution(), now()).values()) == [3]


# -- Calendars, papers -----------------------------------------------------------------------------


def test_calendar_feeds_for_a_body_and_for_a_person(testapp, dbsession, logged_in):
    body = committee(dbsession)
    account = AccountFactory()
    seat = body.members[0]
    seat.account_id = account.id
    past_meeting(dbsession, body, -9, title="Budget meeting")
    feed = icalendar.Calendar.from_ical(testapp.get(f"/meetings/bodies/{body.id}.ics").body)
    events = list(feed.walk("VEVENT"))
    assert [str(e["summary"]) for e in events] == ["Finance and Audit Committee: Budget meeting"]
    assert str(events[0]["location"]) == "Community room"
    log_in(testapp, account.email)
    mine = icalendar.Calendar.from_ical(testapp.get("/meetings/mine.ics").body)
    assert len(list(mine.walk("VEVENT"))) == 1
    # A calendar app sends no cookie: the feed's own address carries a secret, shown once.
    page = testapp.get("/meetings/calendar").forms[1].submit()
    address = page.html.select_one("#calendar-address")["value"]
    assert "/meetings/calendar/" in address and address.endswith(".ics")
    path = address.split("localhost", 1)[1]
    assert "calendar/" not in testapp.get("/meetings/calendar").text.replace(
        '/meetings/calendar"', ""
    )
    testapp.get("/account").forms[0].submit()
    by_link = icalendar.Calendar.from_ical(testapp.get(path).body)
    assert [str(e["summary"]) for e in by_link.walk("VEVENT")] == [
        "Finance and Audit Committee: Budget meeting"
    ]
    log_in(testapp, account.email)
    testapp.get("/meetings/calendar").forms[1].submit()
    assert testapp.get(path, expect_errors=True).status_int == 404  # the old address is retired
    assert testapp.get("/meetings/calendar/not-a-token.ics", expect_errors=True).status_int == 404
    testapp.get("/account").forms[0].submit()
    logged_in()
    assert not list(
        icalendar.Calendar.from_ical(testapp.get("/meetings/mine.ics").body).walk("VEVENT")
    )


def test_an_item_with_a_paper_upload_is_checked_for_type(testapp, dbsession, logged_in):
    body = committee(dbsession)
    meeting = past_meeting(dbsession, body, -10)
    secretary(logged_in)
    form = testapp.get(f"/secretary/meetings/{meeting.id}/items/new").forms["form"]
    form["title"] = "Budget 2027"
    form["presenter"] = "Finance director"
    form["upload"] = Upload("budget.pdf", b"#!/bin/sh\nrm -rf /", "application/pdf")
    refused = form.submit("submit")
    assert "The file must be PDF, Word, Excel" in refused.text
    form = refused.forms["form"]
    form["upload"] = Upload("budget 2027.pdf", PDF, "application/pdf")
    form.submit("submit").follow()
    dbsession.expire_all()
    item = dbsession.scalar(select(AgendaItem).where(AgendaItem.title == "Budget 2027"))
    paper = item.papers[0]
    download = testapp.get(f"/meetings/papers/{paper.id}")
    assert download.headers["Content-Disposition"] == 'attachment; filename="budget-2027.pdf"'
    assert download.body == PDF


# -- General meetings and requisitions -------------------------------------------------------------


def test_members_requisition_a_general_meeting_and_the_secretary_is_told(
    testapp, dbsession, logged_in, mailer, clock
):
    accounts = [AccountFactory(roles=[Role.MEMBER]) for _ in range(2)]
    for account in accounts:
        MemberFactory(account=account)
    for _ in range(38):
        MemberFactory()
    clerk = AccountFactory(roles=[Role.SECRETARY])
    dbsession.commit()
    # 40 members: 5% is 2 signatures.
    log_in(testapp, accounts[0].email)
    form = testapp.get("/meetings/requisitions/new").forms["form"]
    form["purpose"] = "To discuss the cladding on Elm House"
    page = form.submit("submit").follow()
    assert "1 of 2 signatures" in page.text
    assert not mailer.outbox
    testapp.get("/account").forms[0].submit()
    log_in(testapp, accounts[1].email)
    page = testapp.get("/meetings/requisitions").forms[1].submit().follow()
    deadline = TODAY + timedelta(days=21)
    assert f"must call the meeting by {deadline:%-d %B %Y}" in page.text
    assert [m.recipients for m in mailer.outbox] == [[clerk.email]]
    requisition = dbsession.scalar(select(Requisition))
    assert requisition.call_by == deadline

    # The secretary sees the deadline and calls the meeting on the requisition.
    general = Body(name="General meeting of members", kind=rules.GENERAL_MEETING)
    dbsession.add(general)
    dbsession.commit()
    testapp.get("/account").forms[0].submit()
    log_in(testapp, clerk.email)
    page = testapp.get("/secretary/meetings")
    assert f"call the meeting by {deadline:%-d %B %Y}." in page.text
    page = page.click(f"Call the meeting for requisition {requisition.id}")
    form = page.forms["form"]
    assert form["requisition"].value == str(requisition.id)
    form["title"] = "Requisitioned general meeting: cladding"
    # 20 days on, or later where bank holidays delay the notice's deemed delivery.
    earliest = earliest_meeting(clock.now(), 14, Constitution().notices)
    form["day"] = max(TODAY + timedelta(days=20), earliest).isoformat()
    form["time"] = "18:30"
    form["place"] = "Community room"
    choose(form, rules.EGM)
    form.submit("submit").follow()
    requisition = fresh(dbsession, requisition)
    assert meetings.called_meeting(dbsession, requisition).kind == rules.EGM
    assert "Called:" in testapp.get("/secretary/meetings").text
    member = dbsession.scalar(select(Member).where(Member.account_id == accounts[1].id))
    request = SimpleNamespace(dbsession=dbsession, account=accounts[1], today=TODAY, now=now())
    with pytest.raises(meetings.MeetingError, match="already signed"):
        meetings.sign_requisition(request, requisition, member)


def test_only_the_secretary_manages_meetings(testapp, logged_in):
    logged_in(Role.DIRECTOR)
    for path in ("/secretary/meetings", "/secretary/meetings/bodies/new"):
        assert testapp.get(path, expect_errors=True).status_int == 403


def test_meetings_pages_answer_for_unknown_records(testapp):
    for path in (
        "/meetings/99",
        "/meetings/99/minutes",
        "/meetings/bodies/99",
        "/meetings/papers/9",
    ):
        assert testapp.get(path, expect_errors=True).status_int == 404
    assert testapp.get("/meetings").status_int == 200


def test_attendance_cannot_be_recorded_for_a_stranger(dbsession):
    body = committee(dbsession)
    meeting = past_meeting(dbsession, body, 1)
    with pytest.raises(meetings.MeetingError, match="only for the body's members"):
        attend(dbsession, meeting, ["body_member:999999"])
    assert not dbsession.scalars(select(Attendance)).all()
    assert not dbsession.scalars(select(MeetingAction)).all()


def test_the_demo_has_a_year_of_minutes_a_future_agenda_and_open_actions(testapp, dbsession):
    from tmo.demo import load_demo

    assert load_demo(dbsession, TODAY, secret=TEST_SECRET) is True
    dbsession.commit()
    signed = dbsession.scalars(select(Meeting).where(Meeting.minutes_state == rules.SIGNED)).all()
    bodies = {m.body.kind for m in signed}
    assert {rules.BOARD, rules.COMMITTEE, rules.GENERAL_MEETING} <= bodies
    board_days = sorted(m.starts_at for m in signed if m.body.kind == rules.BOARD)
    assert board_days[-1] - board_days[0] > timedelta(days=250)
    future = [m for m in dbsession.scalars(select(Meeting)) if m.starts_at > datetime.now(UTC)]
    assert len(future) == 1 and len(future[0].items) > len(rules.STANDING_ITEMS)
    open_actions = dbsession.scalars(select(MeetingAction).where(MeetingAction.done_on.is_(None)))
    assert len(open_actions.all()) >= 2

    index = testapp.get("/meetings")
    assert "Board meeting" in index.text
    agenda = testapp.get(f"/meetings/{future[0].id}").text
    assert "Budget for next year: first draft" in agenda
    assert "A claim from a former contractor" not in agenda
    for meeting in signed:
        assert (
            "A claim from a former contractor"
            not in testapp.get(f"/meetings/{meeting.id}/minutes").text
        )
    # The director who missed the last three board meetings is flagged for the secretary.
    log_in(testapp, "secretary@example.org", "estate-demo-2026")
    assert "Flagged: missed 3 board meetings" in testapp.get("/secretary/board").text


def test_a_general_meeting_s_attendance_is_its_sign_in_sheet_and_its_quorum_the_register(
    testapp, dbsession, logged_in
):
    members = [MemberFactory() for _ in range(6)]
    former = MemberFactory(ceased_on=TODAY - timedelta(days=400))
    body = Body(name="General meeting of members", kind=rules.GENERAL_MEETING, quorum_number=1)
    body.quorum_of = 2
    dbsession.add(body)
    dbsession.commit()
    meeting = past_meeting(dbsession, body, 1, title="EGM")
    secretary(logged_in)
    form = testapp.get(f"/secretary/meetings/{meeting.id}/attendance").forms["form"]
    form["present"] = f"{members[0].member_number}, {members[1].member_number}"
    form["apologies"] = f"{former.member_number}"
    refused = form.submit("submit")
    assert f"Not members entitled to vote on the day: {former.member_number}." in refused.text
    form = refused.forms["form"]
    form["apologies"] = str(members[2].member_number)
    form["present"] = " ".join(str(m.member_number) for m in members[:2])
    page = form.submit("submit").follow()
    listed = [li.get_text() for li in page.html.select("li")]
    assert f"{members[2].name}: Apologies" in listed  # received, so accepted
    # Half of the six members on the register: three needed, two present.
    item = fresh(dbsession, meeting).items[0]
    assert "Not quorate: 2 counted, 3 needed." in testapp.get(
        f"/secretary/meetings/items/{item.id}"
    )
    form = testapp.get(f"/secretary/meetings/{meeting.id}/attendance").forms["form"]
    assert form["present"].value == f"{members[0].member_number}, {members[1].member_number}"
    form["present"] = " ".join(str(m.member_number) for m in members[:3])
    form["apologies"] = ""
    form.submit("submit").follow()
    assert "Quorate: 3 counted, 3 needed." in testapp.get(f"/secretary/meetings/items/{item.id}")


def test_the_youth_forum_is_a_body_whose_members_names_are_not_public(testapp, dbsession):
    forum = Body(name="Youth Forum", kind=rules.YOUTH_FORUM, quorum_number=3)
    dbsession.add(forum)
    dbsession.add(BodyMember(body=forum, name="Amira Okafor", role="chair", from_date=TODAY))
    dbsession.commit()
    page = testapp.get(f"/meetings/bodies/{forum.id}")
    assert "Youth Forum" in page.text and "Amira" not in page.text
    assert len(meetings.participants(dbsession, fresh(dbsession, forum), TODAY)) == 1


PUBLIC_MEETINGS_ROUTES = sorted(r for r in PUBLIC_ROUTES if r.startswith("meetings"))


@pytest.mark.parametrize("roles", [(), (Role.MEMBER,), (Role.YOUTH_MEMBER, Role.RESIDENT)])
def test_no_public_meetings_page_ever_shows_a_confidential_item(
    testapp, dbsession, logged_in, monkeypatch, roles
):
    body = committee(dbsession)
    meeting = held_with_confidential_item(dbsession, body, 10)
    open_paper = meetings.add_paper(
        dbsession,
        meeting.items[4],
        title="Cleaning scores",
        content=PDF,
        filename="scores.pdf",
        constitution=Constitution(),
        actor_id=None,
    )
    meeting.minutes_state = rules.SIGNED
    belonging = AccountFactory()
    fresh(dbsession, body).members[0].account_id = belonging.id
    token = meetings.new_calendar_token(dbsession, belonging, now())
    dbsession.commit()
    if roles:
        logged_in(*roles)
    printed = []
    real = pdf_service.html_to_pdf
    monkeypatch.setattr(
        pdf_service,
        "html_to_pdf",
        lambda html, inserts=None: printed.append((html, inserts or {})) or real(html, inserts),
    )
    ids = {
        "body_id": body.id,
        "meeting_id": meeting.id,
        "paper_id": open_paper.id,
    }
    from tmo.views import ROUTES

    patterns = dict(ROUTES)
    assert set(PUBLIC_MEETINGS_ROUTES) <= set(patterns)
    for name in PUBLIC_MEETINGS_ROUTES:
        path = patterns[name]
        for key, value in ids.items():
            path = path.replace(f"{{{key}:\\d{{1,9}}}}", str(value))
        path = path.replace("{token}", token)
        response = testapp.get(path, params={"q": "caretaker"} if name == "meetings" else {})
        text = response.body.decode("utf-8", "replace")
        for secret in (
            "Staff disciplinary case",
            "Dismissal of a caretaker",
            "Investigation report",
        ):
            assert secret not in text, name
    assert printed, "no PDF was printed"
    for html, inserts in printed:
        assert "Staff disciplinary case" not in html
        assert set(inserts) <= {f"paper{open_paper.id}"}


def test_a_committee_member_reads_their_own_body_s_full_record_and_nobody_else_s(
    testapp, dbsession, logged_in
):
    body = committee(dbsession)
    other = committee(dbsession, name="Complaints Panel")
    meeting = held_with_confidential_item(dbsession, body, 5)
    elsewhere = held_with_confidential_item(dbsession, other, 5)
    account = logged_in()
    seat = fresh(dbsession, body).members[1]
    seat.account_id = account.id
    dbsession.commit()
    assert "Staff disciplinary case" in testapp.get(f"/meetings/{meeting.id}/record").text
    paper = fresh(dbsession, meeting).items[-1].papers[0]
    assert testapp.get(f"/meetings/papers/{paper.id}").body == PDF
    assert testapp.get(f"/meetings/{elsewhere.id}/record", expect_errors=True).status_int == 403
    other_paper = fresh(dbsession, elsewhere).items[-1].papers[0]
    assert testapp.get(f"/meetings/papers/{other_paper.id}", expect_errors=True).status_int == 404


def test_a_meeting_is_cancelled_before_it_begins_and_the_members_are_told(
    testapp, dbsession, logged_in, mailer
):
    body = committee(dbsession)
    soon = past_meeting(dbsession, body, -8, title="Budget meeting")
    held = past_meeting(dbsession, body, 3, title="Held meeting")
    secretary(logged_in)
    form = testapp.get(f"/secretary/meetings/{soon.id}").click("Cancel the meeting").forms["form"]
    assert "Say why the meeting is cancelled." in form.submit("submit").text
    form["reason"] = "The chair is unwell; the business moves to next month."
    page = form.submit("submit").follow()
    assert "The meeting is cancelled. Telling the members: 5 emails on their way." in page.text
    assert len(mailer.outbox) == 5
    assert "The chair is unwell" in mailer.outbox[0].body
    assert "This meeting is cancelled." in testapp.get(f"/meetings/{soon.id}").text
    feed = icalendar.Calendar.from_ical(testapp.get(f"/meetings/bodies/{body.id}.ics").body)
    status = {str(e["summary"]): str(e["status"]) for e in feed.walk("VEVENT")}
    assert status == {
        "Finance and Audit Committee: Budget meeting": "CANCELLED",
        "Finance and Audit Committee: Held meeting": "CONFIRMED",
    }
    assert "Budget meeting" not in testapp.get("/meetings").text
    form = testapp.get(f"/secretary/meetings/{held.id}/cancel").forms["form"]
    form["reason"] = "Too late"
    assert "it can no longer be cancelled" in form.submit("submit").text


def test_the_secretary_orders_the_agenda_below_the_standing_items(testapp, dbsession, logged_in):
    body = committee(dbsession)
    meeting = past_meeting(dbsession, body, -9)
    for title in ("Budget", "Repairs", "Any other business"):
        add_titled_item(dbsession, meeting, title)
    dbsession.commit()
    secretary(logged_in)
    page = testapp.get(f"/secretary/meetings/{meeting.id}")
    forms = [f for f in page.forms.values() if f.action.endswith("/move")]
    # Budget (5), Repairs (6), Any other business (7): two buttons each; "Repairs" up.
    forms[2].submit().follow()
    titles = [i.title for i in fresh(dbsession, meeting).items]
    assert titles[4:] == ["Repairs", "Budget", "Any other business"]
    assert titles[:4] == [title for _, title in rules.STANDING_ITEMS]
    page = testapp.get(f"/secretary/meetings/{meeting.id}")
    first_up = next(f for f in page.forms.values() if f.action.endswith("/move"))
    assert "The item is already there." in first_up.submit().follow().text
    with pytest.raises(meetings.MeetingError, match="standing items keep their places"):
        meetings.move_item(
            dbsession, fresh(dbsession, meeting).items[0], by=1, actor_id=None, now=now()
        )


def test_a_recorded_vote_names_how_each_member_voted(testapp, dbsession, logged_in):
    body = committee(dbsession, size=5, quorum=3)
    meeting = past_meeting(dbsession, body, 1)
    people = keys(dbsession, body)
    attend(dbsession, meeting, people[:4], absent=people[4:])
    item = meetings.add_item(
        dbsession,
        meeting,
        title="Rent setting",
        presenter="",
        summary="",
        confidential=False,
        actor_id=None,
    )
    meetings.declare(dbsession, item, person_key=people[3], interest="Tenant", actor_id=None)
    dbsession.commit()
    secretary(logged_in)
    form = testapp.get(f"/secretary/meetings/items/{item.id}/motion").forms["form"]
    groups = [name for name, fields in form.fields.items() if isinstance(fields[0], Radio)]
    # Member 4 declared an interest and Member 5 is absent: three may vote (the last radio group
    # is the chair's casting vote).
    groups = groups[:-1]
    assert len(groups) == 3
    form["text"] = "That rents rise by the council's formula"
    form["proposer"] = people[0]
    form["seconder"] = people[1]
    refused = form.submit("submit")
    assert "or each member's vote." in refused.html.get_text()
    form = refused.forms["form"]
    for group, vote in zip(groups, ["for", "against", "for"], strict=True):
        form[group] = vote
    form["votes_for"] = "3"
    refused = form.submit("submit")
    assert "The counts do not match the votes recorded by name" in refused.text
    form = refused.forms["form"]
    form["votes_for"] = ""
    page = form.submit("submit").follow()
    assert "The motion is carried." in page.text
    motion = fresh(dbsession, item).motions[0]
    assert (motion.votes_for, motion.votes_against, motion.abstentions) == (2, 1, 0)
    assert [(v.name, v.vote) for v in motion.votes] == [
        ("Member 1", "for"),
        ("Member 2", "against"),
        ("Member 3", "for"),
    ]
    minutes = testapp.get(f"/meetings/{meeting.id}/record").text
    assert "A recorded vote: for: Member 1, Member 3. against: Member 2." in minutes


def test_the_secretary_changes_a_body_but_never_into_its_own_parent(testapp, dbsession, logged_in):
    operations = committee(dbsession, size=0, name="Operations Committee")
    repairs = Body(name="Repairs Sub-committee", kind=rules.SUB_COMMITTEE, parent=operations)
    dbsession.add(repairs)
    dbsession.commit()
    secretary(logged_in)
    form = testapp.get(f"/secretary/meetings/bodies/{operations.id}/edit").forms["form"]
    assert form["name"].value == "Operations Committee"
    form["parent"] = str(repairs.id)
    refused = form.submit("submit")
    assert "cannot report to itself or to a body that reports to it" in refused.text
    form = refused.forms["form"]
    form["parent"] = ""
    form["terms_of_reference"] = "Repairs, cleaning and estate services."
    form["quorum_number"] = "2"
    page = form.submit("submit").follow()
    assert "The changes are saved." in page.text
    body = fresh(dbsession, operations)
    assert (body.terms_of_reference, body.quorum_number, body.kind) == (
        "Repairs, cleaning and estate services.",
        2,
        rules.COMMITTEE,
    )


def test_notice_and_circulating_the_minutes_go_by_the_app_s_clock(
    testapp, dbsession, logged_in, clock
):
    """Both read the clock the app runs on (the computer's is years behind it here): notice
    given on its today, and the draft minutes circulated only once its clock passes the
    meeting's start."""
    clock.set(datetime(2031, 3, 2, 10, 0, tzinfo=UTC))
    body = committee(dbsession)
    clerk = secretary(logged_in)
    page = schedule_form(testapp, body, date(2031, 3, 9)).follow()
    assert "The meeting is scheduled. Its notice: 5 emails on their way." in page.text
    meeting = dbsession.scalar(select(Meeting).where(Meeting.body_id == body.id))
    clock.advance(days=3)
    # A log-in lasts hours by the same clock: days later the secretary logs in again.
    log_in(testapp, clerk.email)
    refused = schedule_form(testapp, body, date(2031, 3, 9), title="Another meeting")
    assert "notice given today allows 4. The earliest date is 12 March 2031." in refused.text

    circulate = f"/secretary/meetings/{meeting.id}/circulate"
    token = {"csrf_token": testapp.cookies["tmo_csrf"]}
    page = testapp.post(circulate, token).follow()
    assert "The meeting has not happened yet: there is nothing to circulate." in page.text
    assert "Circulate the draft minutes" not in page.text
    clock.set(datetime(2031, 3, 9, 21, 0, tzinfo=UTC))
    log_in(testapp, clerk.email)
    token = {"csrf_token": testapp.cookies["tmo_csrf"]}
    page = testapp.get(f"/secretary/meetings/{meeting.id}")
    assert "Circulate the draft minutes" in page.text
    page = testapp.post(circulate, token).follow()
    assert "The draft minutes have been circulated to the members: 5 emails" in page.text
    assert fresh(dbsession, meeting).circulated_at == datetime(2031, 3, 9, 21, 0, tzinfo=UTC)


def test_the_full_record_says_until_when_the_constitution_keeps_the_minutes(
    testapp, dbsession, logged_in
):
    from dataclasses import replace

    from tmo.services.constitution import adopt_constitution

    rules_kept = Constitution()
    rules_kept = replace(
        rules_kept, meetings=replace(rules_kept.meetings, minutes_retention_years=12)
    )
    adopt_constitution(
        dbsession,
        rules_kept,
        effective_from=date(2020, 1, 1),
        note="Keep minutes 12 years",
        actor_id=None,
    )
    body = committee(dbsession)
    meeting = past_meeting(dbsession, body, 3)
    day = london_day(meeting.starts_at)
    logged_in(Role.DIRECTOR)
    page = testapp.get(f"/meetings/{meeting.id}/record")
    kept = day.replace(year=day.year + 12)
    assert f"kept until {kept:%-d %B %Y}, 12 years after the meeting" in page.text
