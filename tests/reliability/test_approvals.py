"""A hundred approvals racing for one Youth Forum budget: a hundred passed proposals counted at
the same moment (a barrier), each in its own thread, session and connection, each committing.
No penny may be committed beyond the budget: exactly as many are committed as it covers, the
rest are agreed but unfunded. ``bench/reliability.py`` runs the same race over HTTP.

The waits are lifted for the race (a minute for a lock or SQLite's write turn): what is measured
is the arithmetic under contention, not how long the hundredth waits, which
``tests/functional/test_timeouts.py`` covers. On PostgreSQL, whose connections are shared with
whatever else runs on the server, the pool takes as many as are free (keeping some for
others), up to a hundred; the threads beyond it wait for a connection of their own.
"""

from datetime import date

from sqlalchemy import select, text

from tests.youth_setup import (
    COST,
    count_all_at_once,
    proposals_ready_to_count,
    remove_the_race,
    what_was_counted,
)
from tmo.constitution import Constitution
from tmo.models import get_engine, get_session_factory
from tmo.rules.youth import ProposalStatus

RACERS = 100
TODAY = date.today()
RULES = Constitution()
# Connections left for other users of a shared PostgreSQL server.
SPARE_CONNECTIONS = 20
A_MINUTE_MS = "60000"


def connections_for_the_race(engine) -> int:
    if engine.dialect.name != "postgresql":
        return RACERS
    with engine.connect() as connection:
        free = connection.scalar(
            select(
                text(
                    "current_setting('max_connections')::int"
                    " - current_setting('superuser_reserved_connections')::int"
                )
            )
        ) - connection.scalar(text("SELECT count(*) FROM pg_stat_activity"))
    return max(10, min(RACERS, free - SPARE_CONNECTIONS))


def test_a_hundred_approvals_racing_never_overspend_the_budget(app_settings, engine):
    pool = connections_for_the_race(engine)
    racing = get_engine(
        {
            **app_settings,
            "sqlalchemy.pool_size": str(pool),
            "sqlalchemy.max_overflow": "0",
            "sqlalchemy.pool_timeout": "120",
            "tmo.lock_timeout_ms": A_MINUTE_MS,
            "tmo.sqlite_busy_timeout_ms": A_MINUTE_MS,
        }
    )
    factory = get_session_factory(racing)
    budget = RULES.youth.annual_budget_pence
    covered = budget // COST
    try:
        with factory() as session:
            ids = proposals_ready_to_count(session, RULES, RACERS, COST, TODAY)
        errors = count_all_at_once(factory, RULES, ids, TODAY)
        with factory() as session:
            counted = what_was_counted(session, RULES, TODAY)
        assert errors == []
        assert counted.overspent == 0
        assert counted.balances.committed == covered * COST <= budget
        assert counted.commitments == covered
        assert counted.statuses.count(ProposalStatus.COMMITTED) == covered
        assert counted.statuses.count(ProposalStatus.UNFUNDED) == RACERS - covered
    finally:
        with racing.begin() as connection:
            remove_the_race(connection)
        racing.dispose()
