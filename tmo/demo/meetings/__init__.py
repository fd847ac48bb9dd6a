"""The demo's meetings: the board, its committees, a panel, the Youth Forum and the general
meeting of members (bodies); a year of board and committee meetings and last year's AGM, minuted
and signed (past); and the board's next meeting, ten days after the demo's day, with its agenda
(schedule)."""

from datetime import date

from sqlalchemy.orm import Session

from tmo.demo.meetings.bodies import load_demo_bodies
from tmo.demo.meetings.past import load_demo_past_meetings
from tmo.demo.meetings.schedule import schedule_next_board_meeting
from tmo.models.accounts import Account


def load_demo_meetings(
    dbsession: Session, accounts_by_name: dict[str, Account], today: date
) -> None:
    bodies = load_demo_bodies(dbsession, accounts_by_name, today)
    load_demo_past_meetings(dbsession, bodies, accounts_by_name, today)
    schedule_next_board_meeting(dbsession, bodies["The board"], today)
