"""Fuzzing: every route, visited by a person holding every role, with generated query strings
(any text, control characters, huge numbers, percent-encoded bytes that need not be UTF-8),
and every form found on its page posted back with generated values (the CSRF token kept,
files of random bytes under random names). Nothing may answer 500 or raise.

The run is random (set ``TMO_FUZZ_SEED`` to repeat one); a failure names its seed.
"""

import math
import os
import random
from urllib.parse import quote, quote_from_bytes

import pytest
import webtest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from webtest.forms import Checkbox, File, Hidden, MultipleSelect, Radio, Select, Submit

from tests.functional.test_odd_input import concrete, everyone  # noqa: F401 (a fixture)
from tmo.views import ROUTES

SEED = int(os.environ.get("TMO_FUZZ_SEED") or random.randrange(2**32))
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

made = {"requests": 0, "routes": 0}

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
    st.text(st.characters(min_codepoint=0x20, exclude_characters='"\\'), max_size=40),
    st.binary(max_size=2_000),
)


def fill(form, draw) -> str | None:
    """Generated values in every field of ``form``; the name of the button to press."""
    buttons = []
    for name, fields in form.fields.items():
        for field in fields:
            if name is None or name in KEPT or (isinstance(field, Hidden) and name.startswith("_")):
                continue
            if isinstance(field, Submit):
                buttons.append(name)
            elif isinstance(field, File):
                filename, content = draw(uploads)
                field.value = webtest.Upload(filename or "f", content)
            elif isinstance(field, Checkbox):
                field.checked = draw(st.booleans())
            elif isinstance(field, MultipleSelect):
                field.force_value([draw(values) for _ in range(draw(st.integers(0, 2)))])
            elif isinstance(field, Select | Radio):
                options = [option[0] for option in field.options]
                field.force_value(draw(st.sampled_from(options) | values))
            else:
                field.value = draw(values)
    return draw(st.sampled_from(buttons)) if buttons else None


def answered(response, what) -> None:
    made["requests"] += 1
    assert response.status_int < 500, (*what, response.status, f"TMO_FUZZ_SEED={SEED}")


@pytest.mark.parametrize("name,pattern", FUZZED)
def test_no_route_answers_500_to_generated_queries_and_forms(testapp, everyone, name, pattern):  # noqa: F811
    path = concrete(pattern)

    @seed(SEED)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=False,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(query=queries, raw=raw_queries, data=st.data())
    def visit(query, raw, data):
        answered(testapp.get(f"{path}?{raw}", expect_errors=True), (name, raw))
        page = testapp.get(path, params=query, expect_errors=True)
        answered(page, (name, query))
        if page.status_int != 200 or "html" not in page.content_type:
            return
        for form in page.forms.values():
            if "/logout" in (form.action or ""):
                continue
            button = fill(form, data.draw)
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
