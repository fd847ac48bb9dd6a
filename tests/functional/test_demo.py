"""The demo TMO dated as of one day: every date a person sees in it counts from the day it is
given, never from the clock, whether that day is to come or long gone."""

from datetime import date, time, timedelta

import pytest
from sqlalchemy import func, select

from tests.elections_setup import TEST_SECRET
from tmo.constitution import Constitution
from tmo.demo import DEMO_SEALING_PHRASE, load_demo
from tmo.demo.clock import in_london, start_of
from tmo.models.accounts import Account
from tmo.models.elections import Election, SealedBallot
from tmo.models.meetings import Meeting
from tmo.models.membership import Member
from tmo.models.youth import YouthLedgerEntry
from tmo.rules import youth as youth_rules
from tmo.rules.elections import Status
from tmo.rules.sealing import key_from_phrase, public_key_text
from tmo.services import elections, youth
from tmo.services.constitution import version_in_force

# Neither is the day the tests run: a loader reading the clock shows in every assertion.
DAYS = [date(2027, 3, 15), date(2021, 7, 1)]


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_every_date_in_the_demo_counts_from_the_day_it_is_dated(testapp, dbsession, day):
    assert load_demo(dbsession, day, secret=TEST_SECRET) is True
    dbsession.commit()

    to_come = dbsession.scalars(select(Meeting).where(Meeting.starts_at > start_of(day))).all()
    assert [(m.body.name, m.starts_at) for m in to_come] == [
        ("The board", in_london(day + timedelta(days=10), time(19, 0)))
    ]
    election = dbsession.scalars(select(Election)).one()
    assert election.title == f"Board election {day.year}"
    # Its poll closed as the demo's day began.
    assert election.poll_closes_at == start_of(day)
    assert elections.status_of(election, in_london(day, time(0, 0))) is Status.POLL_CLOSED
    # Sealed ballots keep no date: the demo's 20 are in the box, and its phrase opens them.
    assert dbsession.scalar(select(func.count()).select_from(SealedBallot)) == 20
    assert election.sealing_key == public_key_text(key_from_phrase(DEMO_SEALING_PHRASE))

    rules = Constitution().youth
    year = youth.year_for(dbsession, Constitution(), day)
    assert year.starts_on == youth_rules.year_start(day, rules) <= day < year.ends_on
    ledger = dbsession.scalars(select(YouthLedgerEntry.entry_date)).all()
    assert min(ledger) == year.starts_on and max(ledger) <= day

    assert version_in_force(dbsession, day).effective_from == date(day.year, 1, 1)
    assert max(dbsession.scalars(select(Member.admitted_on))) <= day
    verified = set(dbsession.scalars(select(Account.email_verified_at)))
    assert verified == {start_of(day)}

    page = testapp.get(f"/meetings/{to_come[0].id}")
    assert f"{day + timedelta(days=10):%-d %B %Y}" in page.text
