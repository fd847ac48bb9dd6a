"""Password rules (NIST SP 800-63B): length 8 to 128, a blocklist, nothing personal, no recipes."""

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tmo.rules.accounts import common_passwords, normalise_email, password_problem

EMAIL = "alice.jones@example.org"
NAME = "Alice Jones"
PHRASE = "violet kettle harbour lantern marble "  # not on any list


def accepted(password, **personal):
    return password_problem(password, email=EMAIL, display_name=NAME, **personal) is None


def long_password(length):
    password = (PHRASE * 10)[:length]
    assert len(password) == length
    return password


# Length --------------------------------------------------------------------------------------


def test_seven_characters_are_refused_and_eight_accepted():
    assert "8 characters" in password_problem("qz7!mw2", email=EMAIL, display_name=NAME)
    assert accepted("qz7!mw2r")


@pytest.mark.parametrize("length", [8, 9, 64, 127, 128])
def test_lengths_up_to_128_are_accepted(length):
    assert accepted(long_password(length))


def test_129_characters_are_refused():
    problem = password_problem(long_password(129), email=EMAIL, display_name=NAME)
    assert problem is not None
    assert "128" in problem


def test_an_empty_password_is_refused():
    assert password_problem("", email=EMAIL, display_name=NAME) is not None


# The blocklist -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    ["password1", "PASSWORD1", "Password1", "qwerty123", "QWERTY123", "iloveyou", "ILoveYou"],
)
def test_common_passwords_are_refused_whatever_their_case(password):
    problem = password_problem(password, email=EMAIL, display_name=NAME)
    assert problem is not None
    assert "common" in problem


def test_the_blocklist_is_zxcvbns_list_of_common_passwords():
    blocklist = common_passwords()
    assert len(blocklist) > 10_000
    assert {"password1", "qwerty123", "iloveyou"} <= blocklist


# Repetition ----------------------------------------------------------------------------------


@pytest.mark.parametrize("password", ["aaaaaaaa", "zzzzzzzzzzzz", "xyxyxyxyxy", "XyxYXYxyxY"])
def test_fewer_than_three_different_characters_are_refused(password):
    assert password_problem(password, email=EMAIL, display_name=NAME) is not None


def test_three_different_characters_are_enough():
    assert accepted("xyzxyzxyzx")


# Nothing personal ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    [
        EMAIL,
        EMAIL.upper(),
        "alice.jones",
        "Alice.Jones",
        "alice.jones2024!",
        "alice jones",
        "Alice Jones 1",
    ],
)
def test_the_email_its_local_part_and_the_name_are_refused(password):
    problem = password_problem(password, email=EMAIL, display_name=NAME)
    assert problem is not None
    assert "email address" in problem


@pytest.mark.parametrize("password", ["kensington", "Kensington1!", "chelsea2024", "tenants-99"])
def test_the_sites_own_words_are_refused(password):
    assert password_problem(password, email=EMAIL, display_name=NAME) is not None


def test_someone_elses_email_is_not_personal():
    assert accepted("bob.smithson")
    assert password_problem("bob.smithson", email="bob.smithson@example.org") is not None


@pytest.mark.parametrize("password", ["40817263", "2024-06-14", "3.14159265"])
def test_digits_and_punctuation_are_not_personal_when_no_email_or_name_is_given(password):
    assert password not in common_passwords()
    assert password_problem(password) is None


# No composition rules ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    ["violet kettle harbour lantern", "mqzvtrplk", "MQZVTRPLK", "8305 7162 9948", "ÿéçñøüßæ"],
)
def test_no_composition_rules(password):
    assert accepted(password)


# Unicode -------------------------------------------------------------------------------------


def full_width(text):
    """``text`` in full-width forms (ASCII ``!`` to ``~`` moved to U+FF01 to U+FF5E)."""
    return "".join(chr(ord(character) + 0xFEE0) for character in text)


def test_a_full_width_common_password_is_recognised():
    full_width_password = full_width("password1")
    assert full_width_password != "password1"
    assert unicodedata.normalize("NFKC", full_width_password) == "password1"
    assert password_problem(full_width_password, email=EMAIL, display_name=NAME) is not None


def test_a_full_width_password_is_accepted_like_its_normal_form():
    assert accepted(full_width("qz7!mw2r"))
    assert not accepted(full_width("qz7!mw2"))


def test_length_counts_normalised_code_points():
    # The ligature "ﬁ" is one code point that NFKC makes two: 7 typed, 8 counted.
    assert accepted("qzﬁmw2r")
    # "e" and a combining acute accent compose to one "é": 8 typed, 7 counted.
    assert not accepted("we\u0301zkmpr")
    assert accepted("vwe\u0301zkmpr")


def test_email_addresses_are_compared_normalised():
    assert normalise_email("  Alice.Jones@Example.ORG ") == EMAIL


# Properties ----------------------------------------------------------------------------------

PERSONAL = {EMAIL, "alice.jones", NAME.casefold(), "tmo", "tenant", "tenants", "password"}
PERSONAL |= {"kensington", "chelsea"}


def _is_personal(folded):
    return folded in PERSONAL or folded.strip("0123456789!?.-_ ") in PERSONAL


@settings(max_examples=100, deadline=None)
@given(st.text(min_size=8, max_size=128))
def test_any_long_enough_varied_uncommon_impersonal_password_is_accepted(password):
    normal = unicodedata.normalize("NFKC", password)
    folded = normal.casefold()
    fits = 8 <= len(normal) <= 128
    varied = len(set(folded)) >= 3
    ordinary = folded not in common_passwords() and not _is_personal(folded)
    if fits and varied and ordinary:
        assert accepted(password), password
    else:
        assert not accepted(password), password


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=7))
def test_any_password_under_eight_characters_is_refused(password):
    if len(unicodedata.normalize("NFKC", password)) < 8:
        assert not accepted(password)
        assert password_problem(password) is not None
