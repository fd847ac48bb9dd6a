"""Races, as an attacker runs them: many requests at the same moment, each through the whole
stack on its own connection, against rows committed for real (so that every connection sees
them), on SQLite and PostgreSQL. What one request may do once, many at once do once."""

import threading
from datetime import timedelta

import pytest
import webtest
from sqlalchemy import delete, func, select

from tests import factories
from tests.elections_setup import web_request
from tmo.models import get_session_factory
from tmo.models.accounts import Account, AccountToken, LoginSession, RoleGrant, ThrottleEvent
from tmo.models.audit import AuditEntry
from tmo.models.notices import Delivery, Notice
from tmo.services import accounts

AT_ONCE = 10


def browser(app):
    return webtest.TestApp(
        app, extra_environ={"HTTP_HOST": "localhost", "REMOTE_ADDR": "192.0.2.9"}
    )


def all_at_once(forms) -> list[int]:
    """Submit every form at the same moment, each from its own thread; their statuses."""
    start = threading.Barrier(len(forms))
    statuses = []

    def submit(form):
        start.wait()
        statuses.append(form.submit("submit", expect_errors=True).status_int)

    threads = [threading.Thread(target=submit, args=(form,)) for form in forms]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


@pytest.fixture
def committed_account(app, engine):
    """An account and a password-reset link for it, committed; everything removed after."""
    session = get_session_factory(engine)()
    factories.bind(session)
    try:
        account = factories.AccountFactory(email="kim.race@example.org")
        token = accounts.issue_token(
            web_request(app, session), account, accounts.RESET_PASSWORD, timedelta(hours=1)
        )
        session.commit()
        made = account.id, token
        session.close()
        yield made
    finally:
        factories.bind(None)
        session.close()
        with engine.begin() as connection:
            for model in (Delivery, Notice, AuditEntry, AccountToken, LoginSession, ThrottleEvent):
                connection.execute(delete(model))
            connection.execute(delete(RoleGrant))
            connection.execute(delete(Account))


def test_a_reset_link_followed_many_times_at_once_sets_one_password(app, engine, committed_account):
    account_id, token = committed_account
    forms = []
    for number in range(AT_ONCE):
        form = browser(app).get(f"/password/reset/{token}").forms["form"]
        form["password"] = f"a new orchard lantern {number}"
        forms.append(form)
    statuses = all_at_once(forms)
    assert 500 not in statuses, statuses
    assert statuses.count(302) == 1, statuses
    session = get_session_factory(engine)()
    try:
        resets = session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "account.password_reset")
        )
        assert resets == 1
        # The one that won is the password that works.
        assert session.get(Account, account_id).password_hash != factories.password_hash()
    finally:
        session.close()
