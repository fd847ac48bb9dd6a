"""Search patterns: what a person types is found as text, LIKE's wildcards included."""

import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tmo.services.search import LIKE_ESCAPE, contains_pattern, escape_like, starts_with_pattern


@pytest.fixture(scope="module")
def database():
    connection = sqlite3.connect(":memory:")
    connection.execute("PRAGMA case_sensitive_like = true")  # the pattern alone is under test
    yield connection
    connection.close()


def like(database, value: str, pattern: str) -> bool:
    (matched,) = database.execute(
        "SELECT ? LIKE ? ESCAPE ?", (value, pattern, LIKE_ESCAPE)
    ).fetchone()
    return bool(matched)


def test_wildcards_and_the_escape_character_are_escaped():
    assert escape_like("plain words") == "plain words"
    assert escape_like("100%") == "100\\%"
    assert escape_like("a_b") == "a\\_b"
    assert escape_like("C:\\") == "C:\\\\"
    assert escape_like("\\%_") == "\\\\\\%\\_"
    assert contains_pattern("_") == "%\\_%"
    assert starts_with_pattern("meetings.") == "meetings.%"


@pytest.mark.parametrize(
    ("typed", "value", "found"),
    [
        ("%", "Ruth Adeyemi", False),
        ("%", "100% sure", True),
        ("_", "Ruth Adeyemi", False),
        ("_", "ruth_adeyemi@example.org", True),
        ("O_Brien", "OXBrien", False),
        ("O_Brien", "O_Brien", True),
        ("\\", "back\\slash", True),
        ("\\", "no slash", False),
        ("Ade", "Ruth Adeyemi", True),
    ],
)
def test_a_search_finds_what_was_typed_and_nothing_else(database, typed, value, found):
    assert like(database, value, contains_pattern(typed)) is found


TEXT = st.text(alphabet="ab%_\\ ", max_size=8)


@settings(deadline=None)
@given(TEXT, TEXT)
def test_contains_is_substring(database, typed, value):
    assert like(database, value, contains_pattern(typed)) == (typed in value)


@settings(deadline=None)
@given(TEXT, TEXT)
def test_starts_with_is_a_prefix(database, typed, value):
    assert like(database, value, starts_with_pattern(typed)) == value.startswith(typed)
