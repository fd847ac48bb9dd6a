"""What the public papers of a meeting never show: an action raised under a confidential item,
and the names of the Youth Forum's young people; and a sign-in sheet's odd number."""

from tests.functional.test_meetings import (
    committee,
    fresh,
    held_with_confidential_item,
    past_meeting,
)
from tmo.rules import meetings as rules
from tmo.services import meetings


def test_an_action_raised_under_a_confidential_item_is_not_carried_onto_the_public_agenda(
    testapp, dbsession
):
    body = committee(dbsession)
    first = held_with_confidential_item(dbsession, body, 40)
    secret = next(i for i in fresh(dbsession, first).items if i.confidential)
    meetings.add_action(
        dbsession,
        secret,
        text="Issue the caretaker a dismissal letter",
        owner="Chief executive",
        due_on=None,
        actor_id=None,
    )
    dbsession.commit()
    nxt = past_meeting(dbsession, body, -5, title="Next")
    page = testapp.get(f"/meetings/{nxt.id}")
    assert "dismissal letter" not in page.text
    assert testapp.get(f"/meetings/{nxt.id}/agenda.pdf").content_type == "application/pdf"


def test_the_youth_forums_public_minutes_name_no_young_person(testapp, dbsession):
    from datetime import date as _date

    from tests.functional.test_meetings import attend, keys
    from tmo.models.meetings import Body, BodyMember

    body = Body(name="Youth Forum", kind=rules.YOUTH_FORUM, quorum_number=1)
    dbsession.add(body)
    dbsession.add(
        BodyMember(
            body=body,
            name="Amara Okafor",
            email="a@example.org",
            role="chair",
            from_date=_date(2020, 1, 1),
        )
    )
    dbsession.commit()
    # The body page hides young people's names...
    assert "Okafor" not in testapp.get(f"/meetings/bodies/{body.id}").text
    meeting = past_meeting(dbsession, body, 10)
    attend(dbsession, meeting, keys(dbsession, body))
    meeting = fresh(dbsession, meeting)
    meeting.minutes_state = rules.SIGNED
    dbsession.commit()
    # ...and so do its public minutes.
    assert "Okafor" not in testapp.get(f"/meetings/{meeting.id}/minutes").text


def test_a_huge_number_on_a_general_meetings_sign_in_sheet_is_refused_with_a_message(
    testapp, dbsession, logged_in
):
    from tests.factories import MemberFactory
    from tmo.models.meetings import Body
    from tmo.permissions import Role

    MemberFactory()
    body = Body(name="General meeting of members", kind=rules.GENERAL_MEETING, quorum_number=1)
    dbsession.add(body)
    dbsession.commit()
    meeting = past_meeting(dbsession, body, 1, title="EGM")
    logged_in(Role.SECRETARY)
    form = testapp.get(f"/secretary/meetings/{meeting.id}/attendance").forms["form"]
    form["present"] = "99999999999999999999"
    assert "99999999999999999999 is not a member number." in form.submit("submit").text
