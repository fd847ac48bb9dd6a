"""Fuzzing: every route, visited by a person holding every role, with generated query strings
(any text, control characters, huge numbers, percent-encoded bytes that need not be UTF-8),
and every form found on its page posted back with generated values (the CSRF token kept,
files of random bytes under random names). Nothing may answer 500 or raise.

The demo TMO is loaded once for the module, so that a route's placeholders name real rows (an
election, a meeting, a proposal): each test runs in a SAVEPOINT inside that loading
transaction and is rolled back to it. The run is random (set ``TMO_FUZZ_SEED`` to repeat one),
except in CI (``CI`` set), which runs one fixed seed; a failure names its seed.
"""

import math
import os
import random
import re
from datetime import date
from urllib.parse import quote, quote_from_bytes

import pytest
import webtest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from webtest.forms import Checkbox, File, Hidden, MultipleSelect, Radio, Select, Submit

from tests import factories
from tests.conftest import log_in
from tests.elections_setup import TEST_SECRET
from tests.functional.test_odd_input import PLACEHOLDER
from tmo.demo import load_demo
from tmo.models import Base
from tmo.permissions import Role
from tmo.views import ROUTES

# CI runs one seed, so that whether a commit lands does not depend on the draw; a run anywhere
# else draws a new one (and names it on failure), which is how new inputs are found.
CI_SEED = 2453419105
SEED = int(
    os.environ.get("TMO_FUZZ_SEED")
    or (CI_SEED if os.environ.get("CI") else random.randrange(2**32))
)
# Shrinking a failure can take minutes: TMO_FUZZ_SHRINK=0 reports the first failing example.
PHASES = [p for p in Phase if p != Phase.shrink or os.environ.get("TMO_FUZZ_SHRINK") != "0"]
FUZZED = [route for route in ROUTES if route[0] != "logout"]
# Two GETs an example: enough examples that every run makes at least 5,000 requests.
REQUESTS = 5_000
EXAMPLES = math.ceil(REQUESTS / len(FUZZED) / 2)
# The fields a form needs to be a form at all: deform's structure markers, and the token.
KEPT = {"csrf_token", "_charset_", "__formid__", "formid", "__start__", "__end__"}
# What the pages read from a query string, and what a person might try.
QUERY_NAMES = [
    "q", "page", "status", "next", "estate", "block", "role", "postcode", "agm", "action",
    "seat", "director", "start", "year", "month", "kind", "sort", "election_id", "member_id",
]  # fmt: skip

# A placeholder's name -> the table whose rows it names.
PLACEHOLDER_TABLES = {
    "account_id": "account", "action_id": "meeting_action",
    "application_id": "membership_application", "body_id": "body", "candidate_id": "candidate",
    "director_id": "director", "election_id": "election", "file_id": "stored_file",
    "item_id": "agenda_item", "meeting_id": "meeting", "member_id": "member",
    "notice_id": "notice", "paper_id": "agenda_paper", "photo_id": "youth_report_photo",
    "proposal_id": "youth_proposal", "requisition_id": "requisition", "run_id": "print_run",
    "seat_id": "body_member", "term_id": "directorship",
}  # fmt: skip

made = {"requests": 0, "routes": 0}


@pytest.fixture(scope="module")
def demo(engine):
    """A connection inside a transaction holding the demo TMO and an account with every role;
    rolled back at the end of the module. (email, {placeholder: an id of a real row})."""
    connection = engine.connect()
    transaction = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    factories.bind(session)
    try:
        assert load_demo(session, date.today(), secret=TEST_SECRET)
        account = factories.AccountFactory(roles=list(Role))
        factories.MemberFactory(account=account)
        session.flush()
        ids = {}
        for placeholder, table in PLACEHOLDER_TABLES.items():
            column = Base.metadata.tables[table].c.id
            ids[placeholder] = session.scalar(select(func.min(column))) or 1
        session.commit()
        yield connection, account.email, ids
    finally:
        factories.bind(None)
        session.close()
        transaction.rollback()
        connection.close()


@pytest.fixture
def dbsession(demo):
    """This module's test session: a SAVEPOINT inside the demo's transaction, rolled back."""
    connection = demo[0]
    savepoint = connection.begin_nested()
    session = Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    factories.bind(session)
    yield session
    factories.bind(None)
    session.close()
    if savepoint.is_active:
        savepoint.rollback()


@pytest.fixture
def everyone(testapp, demo):
    log_in(testapp, demo[1])


def concrete(pattern: str, ids: dict) -> str:
    """A route pattern with each placeholder naming a real row (1 where none is known)."""

    def one(match):
        name = re.match(r"\{(\w+)", match.group(0)).group(1)
        return str(ids.get(name, 1))

    return PLACEHOLDER.sub(one, pattern)


numbers = st.one_of(
    st.integers().map(str),
    st.integers(min_value=10**18, max_value=10**400).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)
values = st.one_of(
    st.text(max_size=60),
    st.text(st.characters(max_codepoint=0x1F), max_size=10),
    numbers,
    st.sampled_from(["", " ", "-1", "0", "2026-02-31", "1/1/1", "None", "x" * 5_000]),
)
queries = st.dictionaries(st.one_of(st.sampled_from(QUERY_NAMES), st.text(max_size=10)), values)
raw_queries = st.lists(
    st.tuples(st.sampled_from(QUERY_NAMES), st.binary(max_size=30)), max_size=4
).map(lambda pairs: "&".join(f"{quote(name)}={quote_from_bytes(raw)}" for name, raw in pairs))
uploads = st.tuples(
    # No lone surrogate: no browser can send one, and webtest cannot encode it.
    st.text(
        st.characters(min_codepoint=0x20, exclude_characters='"\\', exclude_categories=("Cs",)),
        max_size=40,
    ),
    st.binary(max_size=2_000),
)


class Draws:
    """Values drawn before a page is seen, handed out in turn: what is drawn must not depend on
    the pages, which the examples before changed (hypothesis replays examples)."""

    def __init__(self, texts, files, flags):
        self.texts, self.files, self.flags = texts, files, flags
        self.turn = 0

    def next(self, pool):
        self.turn += 1
        return pool[self.turn % len(pool)]


def fill(form, draws: Draws) -> str | None:
    """Generated values in every field of ``form``; the name of the button to press."""
    buttons = []
    for name, fields in form.fields.items():
        for field in fields:
            if name is None or name in KEPT or (isinstance(field, Hidden) and name.startswith("_")):
                continue
            if isinstance(field, Submit):
                buttons.append(name)
            elif isinstance(field, File):
                filename, content = draws.next(draws.files)
                field.value = webtest.Upload(filename or "f", content)
            elif isinstance(field, Checkbox):
                field.checked = draws.next(draws.flags)
            elif isinstance(field, MultipleSelect):
                field.force_value([draws.next(draws.texts)] if draws.next(draws.flags) else [])
            elif isinstance(field, Select | Radio):
                options = [option[0] for option in field.options]
                own = draws.next(draws.flags) and options
                choice = options[draws.turn % len(options)] if own else draws.next(draws.texts)
                field.force_value(choice)
            else:
                field.value = draws.next(draws.texts)
    return buttons[draws.turn % len(buttons)] if buttons else None


def answered(response, what) -> None:
    made["requests"] += 1
    assert response.status_int < 500, (*what, response.status, f"TMO_FUZZ_SEED={SEED}")


@pytest.mark.parametrize("name,pattern", FUZZED)
def test_no_route_answers_500_to_generated_queries_and_forms(
    testapp, demo, everyone, name, pattern
):
    path = concrete(pattern, demo[2])

    @seed(SEED)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=False,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        phases=PHASES,
    )
    @given(
        query=queries,
        raw=raw_queries,
        texts=st.lists(values, min_size=1, max_size=24),
        files=st.lists(uploads, min_size=1, max_size=3),
        flags=st.lists(st.booleans(), min_size=1, max_size=8),
    )
    def visit(query, raw, texts, files, flags):
        answered(testapp.get(f"{path}?{raw}", expect_errors=True), (name, raw))
        page = testapp.get(path, params=query, expect_errors=True)
        answered(page, (name, query))
        if page.status_int != 200 or "html" not in page.content_type:
            return
        for form in page.forms.values():
            if "/logout" in (form.action or ""):
                continue
            button = fill(form, Draws(texts, files, flags))
            fields = {key: [f.value for f in fields] for key, fields in form.fields.items()}
            answered(form.submit(button, expect_errors=True), (name, form.action, fields))

    try:
        visit()
    except Exception as error:
        error.add_note(f"Repeat this run with TMO_FUZZ_SEED={SEED}")
        raise
    made["routes"] += 1


def test_every_run_makes_at_least_5000_requests():
    if made["routes"] < len(FUZZED):
        pytest.skip("only part of the fuzzing ran")
    assert made["requests"] >= REQUESTS, made
