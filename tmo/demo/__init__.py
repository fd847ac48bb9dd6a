"""The demo TMO, dated as of one day: ``load_demo(dbsession, today)`` loads into an empty database
every part of tmo, so the demo always shows all of it, and every date and moment in it counts from
``today``. One module per domain: the accounts (one for each role, all with the password
DEMO_PASSWORD), the model constitution, the property register of three estates, about 80 members
and applications waiting, the board, an election whose poll has closed (ready to count and
declare), the Youth Forum and its budget with a vote open, and the meetings of the board, its
committees and the members, minutes waiting at each step."""

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tmo.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD, load_demo_accounts
from tmo.demo.board import load_demo_board
from tmo.demo.constitution import adopt_demo_constitution
from tmo.demo.elections import DEMO_SEALING_PHRASE, load_demo_election
from tmo.demo.meetings import load_demo_meetings
from tmo.demo.members import DEMO_APPLICANTS, load_demo_members
from tmo.demo.properties import load_demo_properties
from tmo.demo.youth import DEMO_YOUTH_ACCOUNTS, DEMO_YOUTH_APPLICANT, load_demo_youth
from tmo.models.accounts import Account

__all__ = [
    "DEMO_ACCOUNTS",
    "DEMO_APPLICANTS",
    "DEMO_PASSWORD",
    "DEMO_SEALING_PHRASE",
    "DEMO_YOUTH_ACCOUNTS",
    "DEMO_YOUTH_APPLICANT",
    "load_demo",
]


def load_demo(dbsession: Session, today: date, *, secret: str) -> bool:
    """Load the demo TMO as of ``today``; False (and nothing written) if the database already
    holds accounts. ``secret`` is the deployment's ``tmo.secret``, which keys the demo ballots'
    chain. Each part reads what the parts before it wrote, so the order matters."""
    if dbsession.scalar(select(func.count()).select_from(Account)):
        return False
    accounts_by_name = load_demo_accounts(dbsession, today)
    adopt_demo_constitution(dbsession, today, administrator=accounts_by_name["Ada Adeyemi"])
    load_demo_properties(dbsession, today)
    load_demo_members(dbsession, accounts_by_name, today)
    load_demo_board(dbsession, accounts_by_name, today)
    load_demo_election(dbsession, accounts_by_name, today, secret)
    load_demo_youth(dbsession, accounts_by_name, today)
    load_demo_meetings(dbsession, accounts_by_name, today)
    return True
