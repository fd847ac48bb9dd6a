"""Where and when the demo's meetings are held: every one at seven in the evening in the community
room (the board's also online), its notice given three weeks before and its standing items on the
agenda; and the board's next meeting, ten days after the demo's day, with its agenda written."""

from datetime import date, timedelta

from sqlalchemy.orm import Session

from tmo.demo.clock import evening_of
from tmo.models.meetings import AgendaItem, Body, Meeting
from tmo.rules import meetings as rules
from tmo.services.meetings import add_standing_items

DEMO_PLACE = "Community room, Elm House"
DEMO_ONLINE_LINK = "https://meet.example.org/golborne-tmo"
DEMO_NOTICE = timedelta(days=21)
DAYS_TO_THE_NEXT_BOARD_MEETING = 10
# The next board meeting's own business: (title, presenter, confidential).
DEMO_NEXT_AGENDA = (
    ("Budget for next year: first draft", "Director of finance", False),
    ("Estate cleaning contract renewal", "Estate services manager", False),
    ("A claim from a former contractor: update", "Chief executive", True),
)


def schedule_meeting(
    dbsession: Session, body: Body, day: date, title: str, kind: str = rules.ORDINARY
) -> Meeting:
    meeting = Meeting(
        body=body,
        kind=kind,
        title=title,
        starts_at=evening_of(day),
        place=DEMO_PLACE,
        online_link=DEMO_ONLINE_LINK if body.kind == rules.BOARD else "",
        notice_given_at=evening_of(day - DEMO_NOTICE),
    )
    dbsession.add(meeting)
    add_standing_items(dbsession, meeting)
    dbsession.flush()
    return meeting


def schedule_next_board_meeting(dbsession: Session, board: Body, today: date) -> Meeting:
    day = today + timedelta(days=DAYS_TO_THE_NEXT_BOARD_MEETING)
    meeting = schedule_meeting(dbsession, board, day, "Board meeting")
    for position, (title, presenter, confidential) in enumerate(
        DEMO_NEXT_AGENDA, start=len(meeting.items) + 1
    ):
        dbsession.add(
            AgendaItem(
                meeting=meeting,
                position=position,
                title=title,
                presenter=presenter,
                confidential=confidential,
            )
        )
    dbsession.flush()
    return meeting
