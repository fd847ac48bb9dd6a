"""Meetings walked as the people who run them would: apologies sent online, the attendance form
(a row a person, its defaults and the rows that cannot stand), when attendance may be recorded,
declarations only by those present, agenda items changed or withdrawn until the agenda is
published, buttons shown only when their step can be taken, and the public agenda and minutes
numbering items alike."""

from datetime import timedelta

import pytest
from sqlalchemy import select
from webtest.forms import Radio

from tests.conftest import log_in
from tests.factories import AccountFactory
from tests.functional.test_board import seat_board
from tests.functional.test_meetings import (
    PDF,
    TODAY,
    add_titled_item,
    attend,
    committee,
    fresh,
    item_of,
    keys,
    now,
    past_meeting,
    secretary,
)
from tmo.clock import london_day
from tmo.constitution import Constitution
from tmo.models.audit import AuditEntry
from tmo.models.board import Director
from tmo.models.meetings import Body
from tmo.permissions import Role
from tmo.rules import meetings as rules
from tmo.services import meetings


def attendance_form(testapp, meeting):
    return testapp.get(f"/secretary/meetings/{meeting.id}/attendance").forms["form"]


def status_groups(form):
    return [name for name, fields in form.fields.items() if isinstance(fields[0], Radio)]


# -- The attendance form ---------------------------------------------------------------------------


def test_the_attendance_form_is_a_row_a_person_everyone_present_unless_changed(
    testapp, dbsession, logged_in
):
    body = committee(dbsession, size=3, quorum=2)
    meeting = past_meeting(dbsession, body, 1)
    secretary(logged_in)
    page = testapp.get(f"/secretary/meetings/{meeting.id}/attendance")
    rows = page.html.select("fieldset.fieldset--row")
    assert [row.legend.get_text(strip=True) for row in rows] == ["Member 1", "Member 2", "Member 3"]
    for row in rows:
        # Attendance, apologies accepted, arrived and left: all in the person's row.
        assert len(row.select("input[type=radio]")) == 3
        assert row.select_one("input[type=radio][value=present]").has_attr("checked")
        assert not row.select_one("input[type=checkbox]").has_attr("checked")
        assert len(row.select("input[type=time]")) == 2
    page = page.forms["form"].submit("submit").follow()
    assert "The attendance is recorded." in page.text
    assert {row.status for row in fresh(dbsession, meeting).attendance} == {rules.PRESENT}


def test_apologies_are_accepted_only_from_someone_who_sent_them(testapp, dbsession, logged_in):
    body = committee(dbsession, size=3, quorum=2)
    meeting = past_meeting(dbsession, body, 1)
    secretary(logged_in)
    form = attendance_form(testapp, meeting)
    groups = status_groups(form)
    form[groups[2]] = "apologies"
    form.set("apologies_accepted", True, index=2)
    form.set("apologies_accepted", True, index=0)  # Member 1 is present
    refused = form.submit("submit")
    assert refused.status_int == 200
    assert (
        "Member 1 is recorded as present: apologies are accepted only from someone who sent "
        "them and was not there." in refused.text
    )
    assert "There is a problem" in refused.text
    assert not fresh(dbsession, meeting).attendance
    # Nothing typed is lost: the apologies of Member 3 are still chosen.
    again = refused.forms["form"]
    assert again[status_groups(again)[2]].value == "apologies"
    again.set("apologies_accepted", False, index=0)
    page = again.submit("submit").follow()
    assert "Member 3: Apologies" in page.text
    rows = {row.name: row for row in fresh(dbsession, meeting).attendance}
    assert rows["Member 3"].apologies_accepted is True
    assert rows["Member 1"].apologies_accepted is False


def test_a_person_arrives_before_they_leave_and_times_are_for_those_present(
    testapp, dbsession, logged_in
):
    body = committee(dbsession, size=3, quorum=2)
    meeting = past_meeting(dbsession, body, 1)
    secretary(logged_in)
    form = attendance_form(testapp, meeting)
    form.set("arrived", "20:10", index=1)
    form.set("departed", "19:45", index=1)
    refused = form.submit("submit")
    assert (
        "Member 2 cannot leave at 19:45 having arrived at 20:10: the time they left must be "
        "after the time they arrived." in refused.text
    )
    assert not fresh(dbsession, meeting).attendance

    form = refused.forms["form"]
    form.set("departed", "21:00", index=1)
    form[status_groups(form)[2]] = "absent"
    form.set("arrived", "19:30", index=2)
    refused = form.submit("submit")
    assert "Member 3 was not present: leave the times they arrived and left empty." in refused.text

    form = refused.forms["form"]
    form.set("arrived", "", index=2)
    form.submit("submit").follow()
    rows = {row.name: row for row in fresh(dbsession, meeting).attendance}
    assert (rows["Member 2"].arrived, rows["Member 2"].departed) == ("20:10", "21:00")
    assert rows["Member 3"].status == rules.ABSENT


def test_attendance_is_recorded_from_the_meeting_s_day_not_before(testapp, dbsession, logged_in):
    body = committee(dbsession, size=3, quorum=2)
    meeting = past_meeting(dbsession, body, -3)
    day = f"{london_day(meeting.starts_at):%-d %B %Y}"
    secretary(logged_in)
    page = testapp.get(f"/secretary/meetings/{meeting.id}")
    assert f"The attendance can be recorded from {day}, the day of the meeting." in page.text
    assert f"/secretary/meetings/{meeting.id}/attendance" not in page.text
    refused = attendance_form(testapp, meeting).submit("submit")
    assert f"The meeting is on {day}: its attendance can be recorded from that day." in refused.text
    assert not fresh(dbsession, meeting).attendance
    with pytest.raises(meetings.MeetingError, match="can be recorded from that day"):
        attend(dbsession, fresh(dbsession, meeting), keys(dbsession, body))


# -- Declarations ----------------------------------------------------------------------------------


def test_only_a_member_present_declares_an_interest(testapp, dbsession, logged_in):
    body = committee(dbsession, size=4, quorum=2)
    meeting = past_meeting(dbsession, body, 1)
    people = keys(dbsession, body)
    item = item_of(meeting, rules.DECLARATIONS_ITEM)
    secretary(logged_in)
    page = testapp.get(f"/secretary/meetings/items/{item.id}/declare")
    assert "Nobody is recorded as present yet: record the attendance first." in page.text

    attend(dbsession, fresh(dbsession, meeting), people[:3], absent=people[3:])
    form = testapp.get(f"/secretary/meetings/items/{item.id}/declare").forms["form"]
    offered = [value for value, *_ in form["person"].options if value]
    assert offered == people[:3]
    form["person"] = people[0]
    form["interest"] = "Her son works for the contractor"
    assert "The declaration is recorded" in form.submit("submit").follow().text

    with pytest.raises(meetings.MeetingError, match="Member 4 is not recorded as present"):
        meetings.declare(
            dbsession,
            fresh(dbsession, item),
            person_key=people[3],
            interest="Tenant",
            actor_id=None,
        )


# -- Buttons shown only when their step can be taken -----------------------------------------------


APPROVE = "as a true record</button>"


def test_the_approve_button_shows_only_when_the_minutes_can_be_approved(
    testapp, dbsession, logged_in
):
    body = committee(dbsession, size=3, quorum=2)
    first = past_meeting(dbsession, body, 30)
    attend(dbsession, first, keys(dbsession, body))
    first.minutes_state = rules.CIRCULATED
    dbsession.commit()
    coming = past_meeting(dbsession, body, -5)
    secretary(logged_in)

    page = testapp.get(f"/secretary/meetings/items/{item_of(coming, rules.LAST_MINUTES_ITEM).id}")
    assert APPROVE not in page.text
    assert "The minutes can be approved here once this meeting has begun." in page.text

    held = past_meeting(dbsession, body, 1)
    item = item_of(held, rules.LAST_MINUTES_ITEM)
    page = testapp.get(f"/secretary/meetings/items/{item.id}")
    assert APPROVE not in page.text
    assert "The minutes can be approved once the meeting is quorate" in page.text

    attend(dbsession, fresh(dbsession, held), keys(dbsession, body)[:2])
    page = testapp.get(f"/secretary/meetings/items/{item.id}")
    assert APPROVE in page.text
    approve = next(f for f in page.forms.values() if f.action.endswith("/approve-minutes"))
    page = approve.submit().follow()
    assert "The minutes of the last meeting are approved as a true record." in page.text
    assert fresh(dbsession, first).minutes_state == rules.APPROVED
    assert APPROVE not in page.text


def test_the_sign_button_shows_only_to_the_chair_and_only_for_approved_minutes(
    testapp, dbsession, logged_in
):
    meeting = past_meeting(dbsession, committee(dbsession, size=3, quorum=2), 30)
    meeting.minutes_state = rules.CIRCULATED
    dbsession.commit()
    sign = "Sign the minutes</a>"
    logged_in(Role.CHAIR, Role.DIRECTOR)
    assert sign not in testapp.get(f"/meetings/{meeting.id}/record").text
    meeting = fresh(dbsession, meeting)
    meeting.minutes_state = rules.APPROVED
    dbsession.commit()
    assert sign in testapp.get(f"/meetings/{meeting.id}/record").text
    testapp.reset()
    logged_in(Role.DIRECTOR)
    page = testapp.get(f"/meetings/{meeting.id}/record")
    assert "Approved as a true record" in page.text and sign not in page.text


# -- Public agenda and minutes ---------------------------------------------------------------------


def test_the_public_agenda_and_minutes_number_each_item_alike(testapp, dbsession):
    body = committee(dbsession, size=3, quorum=2)
    meeting = past_meeting(dbsession, body, 10)
    attend(dbsession, meeting, keys(dbsession, body))
    for title, confidential in (("Staff case", True), ("Estate cleaning", False)):
        add_titled_item(dbsession, meeting, title, confidential)
    meeting.minutes_state = rules.SIGNED
    meeting.signed_at = now()
    dbsession.commit()

    agenda = testapp.get(f"/meetings/{meeting.id}").html
    numbered = [li.strong.get_text(strip=True) for li in agenda.select("ol.agenda > li")]
    assert numbered == [
        "1. Apologies for absence",
        "2. Declarations of interest",
        "3. Minutes of the last meeting",
        "4. Matters arising and actions",
        "6. Estate cleaning",
    ]
    pdfium = pytest.importorskip("pypdfium2")
    document = pdfium.PdfDocument(testapp.get(f"/meetings/{meeting.id}/agenda.pdf").body)
    try:
        pdf = "".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()
    assert "6. Estate cleaning" in pdf and "Staff case" not in pdf
    minutes = testapp.get(f"/meetings/{meeting.id}/minutes").text
    assert "6. Estate cleaning" in minutes
    assert "Staff case" not in minutes


# -- Apologies sent online -------------------------------------------------------------------------


def the_board_with_a_director_logged_in(testapp, dbsession):
    """A board of three directors; Resident 2 holds an account and is logged in."""
    seat_board(dbsession, residents=3, councillors=0, independents=0, youth=0)
    board = Body(name="The board", kind=rules.BOARD)
    dbsession.add(board)
    account = AccountFactory(roles=[Role.DIRECTOR, Role.MEMBER])
    person = dbsession.scalar(select(Director).where(Director.name == "Resident 2"))
    person.account_id = account.id
    dbsession.commit()
    log_in(testapp, account.email)
    return board, person


def test_a_director_sends_apologies_online_and_the_secretary_finds_them_in_the_form(
    testapp, dbsession, logged_in, clock
):
    board, person = the_board_with_a_director_logged_in(testapp, dbsession)
    meeting = past_meeting(dbsession, board, -5)
    page = testapp.get(f"/meetings/{meeting.id}")
    form = page.click("Send your apologies").forms["form"]
    form["reason"] = "A hospital appointment"
    page = form.submit("submit").follow()
    assert "Your apologies are sent to the secretary." in page.text
    assert "You sent your apologies on" in page.text
    assert "Send your apologies</a>" not in page.text
    entry = dbsession.scalars(
        select(AuditEntry).where(AuditEntry.action == "meetings.apologies_sent")
    ).one()
    assert entry.detail["person"] == f"director:{person.id}"
    assert "hospital" not in str(entry.detail)  # the reason is the secretary's to read only

    testapp.reset()  # the director logs out; the meeting day comes
    clock.set(meeting.starts_at + timedelta(hours=1))
    secretary(logged_in)
    run = testapp.get(f"/secretary/meetings/{meeting.id}")
    assert "Resident 2: Apologies (sent online: “A hospital appointment”)" in run.text
    page = testapp.get(f"/secretary/meetings/{meeting.id}/attendance")
    row = next(
        f for f in page.html.select("fieldset.fieldset--row") if f.legend.text == "Resident 2"
    )
    assert "Sent apologies online on" in row.text and "A hospital appointment" in row.text
    assert row.select_one("input[value=apologies]").has_attr("checked")
    assert row.select_one("input[type=checkbox]").has_attr("checked")
    page.forms["form"].submit("submit").follow()
    rows = {row.name: row for row in fresh(dbsession, meeting).attendance}
    assert (rows["Resident 2"].status, rows["Resident 2"].apologies_accepted) == (
        rules.APOLOGIES,
        True,
    )
    assert rows["Resident 1"].status == rules.PRESENT
    minutes = testapp.get(f"/meetings/{meeting.id}/record")
    assert "Resident 2" in minutes.text and "hospital" not in minutes.text


def test_apologies_are_sent_before_the_meeting_and_only_by_its_members(
    testapp, dbsession, logged_in
):
    board, _ = the_board_with_a_director_logged_in(testapp, dbsession)
    held = past_meeting(dbsession, board, 1)
    page = testapp.get(f"/meetings/{held.id}")
    assert "Send your apologies" not in page.text
    form = testapp.get(f"/meetings/{held.id}/apologies").forms["form"]
    refused = form.submit("submit")
    assert "The meeting has begun: apologies are sent before it." in refused.text
    assert not fresh(dbsession, held).attendance

    committee_meeting = past_meeting(dbsession, committee(dbsession), -5)
    answer = testapp.get(f"/meetings/{committee_meeting.id}/apologies", expect_errors=True)
    assert answer.status_int == 403
    assert "Send your apologies" not in testapp.get(f"/meetings/{committee_meeting.id}").text


def test_a_director_who_can_come_after_all_withdraws_their_apologies(testapp, dbsession):
    board, _ = the_board_with_a_director_logged_in(testapp, dbsession)
    meeting = past_meeting(dbsession, board, -5)
    testapp.get(f"/meetings/{meeting.id}/apologies").forms["form"].submit("submit")
    page = testapp.get(f"/meetings/{meeting.id}")
    withdraw = next(f for f in page.forms.values() if f.action.endswith("/apologies/withdraw"))
    page = withdraw.submit().follow()
    assert "Your apologies are withdrawn: you are expected at the meeting." in page.text
    assert "Send your apologies" in page.text
    assert not fresh(dbsession, meeting).attendance
    page = withdraw.submit().follow()
    assert "You have sent no apologies for this meeting." in page.text
    assert dbsession.scalars(
        select(AuditEntry).where(AuditEntry.action == "meetings.apologies_withdrawn")
    ).one()


def test_a_meeting_with_apologies_sent_online_can_still_be_cancelled(testapp, dbsession, logged_in):
    board, _ = the_board_with_a_director_logged_in(testapp, dbsession)
    meeting = past_meeting(dbsession, board, -5)
    form = testapp.get(f"/meetings/{meeting.id}/apologies").forms["form"]
    form.submit("submit").follow()
    testapp.reset()
    secretary(logged_in)
    form = testapp.get(f"/secretary/meetings/{meeting.id}").click("Cancel the meeting")
    form = form.forms["form"]
    form["reason"] = "Not enough business."
    assert "The meeting is cancelled." in form.submit("submit").follow().text
    assert fresh(dbsession, meeting).cancelled_at is not None


# -- The agenda: changed and withdrawn until published ---------------------------------------------


def test_items_are_changed_and_withdrawn_until_the_agenda_is_published(
    testapp, dbsession, logged_in
):
    body = committee(dbsession)
    meeting = past_meeting(dbsession, body, -9)
    budget = add_titled_item(dbsession, meeting, "Budget")
    repairs = add_titled_item(dbsession, meeting, "Repairs")
    meetings.add_paper(
        dbsession,
        repairs,
        title="Repairs report",
        content=PDF,
        filename="repairs.pdf",
        constitution=Constitution(),
        actor_id=None,
    )
    add_titled_item(dbsession, meeting, "Any other business")
    dbsession.commit()
    assert "A draft: its items may still change" in testapp.get(f"/meetings/{meeting.id}").text
    secretary(logged_in)

    form = testapp.get(f"/secretary/meetings/items/{budget.id}/change").forms["form"]
    assert form["title"].value == "Budget"
    form["title"] = "Budget for 2027"
    form["summary"] = "The draft budget."
    page = form.submit("submit").follow()
    assert "The item is changed." in page.text
    assert "5. Budget for 2027" in page.text

    withdraw = next(f for f in page.forms.values() if f.action.endswith(f"{repairs.id}/withdraw"))
    page = withdraw.submit().follow()
    assert "“Repairs” is withdrawn from the agenda." in page.text
    titles = [(i.position, i.title) for i in fresh(dbsession, meeting).items][4:]
    assert titles == [(5, "Budget for 2027"), (6, "Any other business")]
    assert "Repairs report" not in testapp.get(f"/meetings/{meeting.id}").text
    actions = set(dbsession.scalars(select(AuditEntry.action)))
    assert {"meetings.item_changed", "meetings.item_withdrawn"} <= actions

    publish = next(f for f in page.forms.values() if f.action.endswith("/publish-agenda"))
    page = publish.submit().follow()
    assert "The agenda is published: its items are now fixed." in page.text
    assert "The agenda was published" in page.text
    assert "/change" not in page.text and "/withdraw" not in page.text
    assert "Publish the agenda" not in page.text
    assert "Published" in testapp.get(f"/meetings/{meeting.id}").text

    published_on = f"{TODAY:%-d %B %Y}"
    refusal = (
        f"The agenda was published on {published_on}: its items can no longer be changed, "
        "moved or withdrawn."
    )
    form = testapp.get(f"/secretary/meetings/items/{budget.id}/change").forms["form"]
    form["title"] = "Something else"
    assert refusal in form.submit("submit").text
    token = publish["csrf_token"].value
    page = testapp.post(
        f"/secretary/meetings/items/{budget.id}/withdraw", {"csrf_token": token}
    ).follow()
    assert refusal in page.text
    assert [i.title for i in fresh(dbsession, meeting).items][4:] == [
        "Budget for 2027",
        "Any other business",
    ]


def test_the_standing_items_are_neither_changed_nor_withdrawn(dbsession):
    meeting = past_meeting(dbsession, committee(dbsession), -9)
    with pytest.raises(meetings.MeetingError, match="standing items keep their titles"):
        meetings.withdraw_item(
            dbsession, item_of(meeting, rules.APOLOGIES_ITEM), actor_id=None, now=now()
        )
