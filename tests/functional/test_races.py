"""Races, as an attacker runs them: many requests at the same moment, each through the whole
stack on its own connection, against rows committed for real (so that every connection sees
them), on SQLite and PostgreSQL. What one request may do once, many at once do once."""

from datetime import timedelta

import pytest
import webtest
from sqlalchemy import delete, func, select

from tests import factories
from tests.conftest import log_in
from tests.elections_setup import web_request
from tests.races import at_the_same_moment
from tmo.models import get_session_factory
from tmo.models.accounts import Account, AccountToken, LoginSession, RoleGrant, ThrottleAttempt
from tmo.models.audit import AuditEntry
from tmo.models.notices import Delivery, Notice
from tmo.models.youth import YouthChairCandidate, YouthChairElection, YouthMember
from tmo.permissions import Role
from tmo.services import accounts, throttle

AT_ONCE = 10


def browser(app):
    return webtest.TestApp(
        app, extra_environ={"HTTP_HOST": "localhost", "REMOTE_ADDR": "192.0.2.9"}
    )


def remove(engine, *models) -> None:
    """Rows committed for a race, ``models`` first, then the accounts and what hangs on them,
    in the order their foreign keys allow."""
    with engine.begin() as connection:
        for model in (*models, AuditEntry, LoginSession, ThrottleAttempt, RoleGrant, Account):
            connection.execute(delete(model))


def all_at_once(forms) -> list[int]:
    """Submit every form at the same moment, each from its own thread; their statuses."""
    statuses = []
    at_the_same_moment(
        lambda form: statuses.append(form.submit("submit", expect_errors=True).status_int), forms
    )
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
        remove(engine, Delivery, Notice, AccountToken)


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


def test_wrong_passwords_guessed_at_once_are_judged_no_more_than_the_limit(
    app, engine, committed_account
):
    limit = throttle.limit_for(app.registry.settings, "login_account").attempts
    forms = []
    for number in range(limit + 10):
        form = browser(app).get("/login").forms["form"]
        form["email"], form["password"] = "kim.race@example.org", f"wrong guess {number}"
        forms.append(form)
    statuses = all_at_once(forms)
    assert 500 not in statuses, statuses
    session = get_session_factory(engine)()
    try:
        judged = session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "account.login_failed")
        )
    finally:
        session.close()
    assert judged <= limit, statuses
    assert statuses.count(429) == len(forms) - judged, statuses


@pytest.fixture
def committed_forum(app, engine):
    """Two forum members and a youth worker, committed; everything removed after."""
    session = get_session_factory(engine)()
    factories.bind(session)
    try:
        for name in ("Maya", "Leo"):
            factories.YouthMemberFactory(
                first_name=name, account=factories.AccountFactory(roles=[Role.YOUTH_MEMBER])
            )
        worker = factories.AccountFactory(roles=[Role.YOUTH_WORKER])
        session.commit()
        email = worker.email
        session.close()
        yield email
    finally:
        factories.bind(None)
        session.close()
        remove(engine, YouthChairCandidate, YouthChairElection, YouthMember)


def test_the_chair_vote_opened_many_times_at_once_is_open_once(app, engine, committed_forum):
    forms = []
    for _ in range(AT_ONCE):
        worker = browser(app)
        log_in(worker, committed_forum)
        form = worker.get("/youth/chair/open").forms["form"]
        form.get("checkbox", index=0).checked = True
        form.get("checkbox", index=1).checked = True
        forms.append(form)
    statuses = all_at_once(forms)
    assert 500 not in statuses, statuses
    assert statuses.count(302) == 1, statuses
    session = get_session_factory(engine)()
    try:
        assert session.scalar(select(func.count()).select_from(YouthChairElection)) == 1
    finally:
        session.close()
