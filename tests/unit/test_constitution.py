"""The constitution: KCTMO's defaults, storage, contradictions and the form generated from it."""

import dataclasses
import datetime
import decimal
import json
import typing

import colander
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tmo.constitution import (
    TENURES,
    BoardRules,
    Constitution,
    ElectionRules,
    MeetingRules,
    MembershipRules,
    NoticeRules,
    SeatCategory,
    SeatCategoryKey,
    YouthRules,
    from_dict,
    to_dict,
)
from tmo.schemas.constitution import appstruct_from, constitution_from, constitution_schema

DEFAULTS = Constitution()
EFFECTIVE = datetime.date(2026, 4, 1)


# KCTMO's defaults ----------------------------------------------------------------------------


def test_the_board_has_kctmos_seats():
    seats = {c.key: (c.seats, c.filled_by) for c in DEFAULTS.board.seat_categories}
    assert seats == {
        "resident": (8, "election"),
        "councillor": (4, "council_appointment"),
        "independent": (3, "board_appointment"),
        "youth_chair": (1, "ex_officio"),
    }
    council = [c.key for c in DEFAULTS.board.seat_categories if c.council_associated]
    assert council == ["councillor"]
    assert DEFAULTS.seat_category("resident").seats == 8
    with pytest.raises(KeyError):
        DEFAULTS.seat_category("mayor")


def test_board_terms_and_rotation():
    assert DEFAULTS.board.term_years == 3
    # About a third of the resident seats each year.
    assert DEFAULTS.board.rotation_cohorts == 3
    assert DEFAULTS.board.council_influence_percent == 20
    assert DEFAULTS.board.maximum_directors == 16


def test_membership_defaults():
    assert DEFAULTS.membership.minimum_age == 18
    assert DEFAULTS.membership.register_retention_years == 10
    assert DEFAULTS.membership.eligible_tenures == tuple(key for key, _ in TENURES)


def test_youth_forum_defaults():
    assert DEFAULTS.youth.minimum_age == 13
    assert DEFAULTS.youth.maximum_age == 25
    assert DEFAULTS.youth.annual_budget_pence == 1_500_000  # £15,000
    assert DEFAULTS.youth.financial_year_start_month == 4
    assert DEFAULTS.youth.financial_year_start_day == 1


def test_meeting_defaults():
    assert DEFAULTS.meetings.general_meeting_notice_clear_days == 14
    assert DEFAULTS.meetings.general_meeting_quorum == 2
    assert DEFAULTS.meetings.requisition_percent == 5


def test_notice_defaults_are_the_companies_act_s():
    assert DEFAULTS.notices.post_delivery_hours == 48
    assert DEFAULTS.notices.email_delivery_hours == 48
    assert DEFAULTS.notices.bank_holidays == "england_and_wales"
    assert DEFAULTS.notices.closure_days == ()


def test_the_defaults_contradict_nothing():
    assert DEFAULTS.problems() == []


def test_the_constitution_is_immutable():
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULTS.board.term_years = 4


# Storage -------------------------------------------------------------------------------------


def test_defaults_survive_json_storage():
    stored = json.loads(json.dumps(to_dict(DEFAULTS)))
    assert from_dict(Constitution, stored) == DEFAULTS


def test_a_changed_constitution_survives_json_storage():
    changed = dataclasses.replace(
        DEFAULTS,
        organisation_name="Lancaster West TMO",
        membership=dataclasses.replace(
            DEFAULTS.membership, minimum_age=16, eligible_tenures=("secure_tenant",)
        ),
        board=dataclasses.replace(
            DEFAULTS.board,
            seat_categories=(SeatCategory("resident", "Residents", 10, "election", False),),
        ),
        youth=dataclasses.replace(DEFAULTS.youth, annual_budget_pence=1_234_567),
    )
    stored = json.loads(json.dumps(to_dict(changed)))
    restored = from_dict(Constitution, stored)
    assert restored == changed
    assert restored != DEFAULTS


def test_a_rule_missing_from_an_older_version_takes_its_default():
    stored = to_dict(DEFAULTS)
    stored["meetings"]["board_quorum"] = 6
    del stored["meetings"]["general_meeting_quorum"]
    restored = from_dict(Constitution, stored)
    assert restored.meetings.general_meeting_quorum == 2
    assert restored.meetings.board_quorum == 6


def test_a_section_missing_from_an_older_version_takes_its_defaults():
    stored = to_dict(DEFAULTS)
    stored["organisation_name"] = "Older TMO"
    del stored["youth"]
    restored = from_dict(Constitution, stored)
    assert restored.youth == YouthRules()
    assert restored.organisation_name == "Older TMO"


def test_a_version_stored_before_the_notices_section_takes_its_defaults():
    stored = json.loads(json.dumps(to_dict(DEFAULTS)))
    del stored["notices"]
    assert from_dict(Constitution, stored).notices == NoticeRules()


def test_closure_days_are_stored_as_iso_dates_and_load_as_dates():
    closed = (datetime.date(2026, 12, 29), datetime.date(2026, 12, 30))
    changed = dataclasses.replace(
        DEFAULTS, notices=dataclasses.replace(DEFAULTS.notices, closure_days=closed)
    )
    stored = json.loads(json.dumps(to_dict(changed)))
    assert stored["notices"]["closure_days"] == ["2026-12-29", "2026-12-30"]
    assert from_dict(Constitution, stored).notices.closure_days == closed


def test_a_seat_category_missing_a_newer_rule_takes_its_default():
    stored = to_dict(DEFAULTS)
    for seat in stored["board"]["seat_categories"]:
        del seat["council_associated"]
    restored = from_dict(Constitution, stored)
    assert [c.council_associated for c in restored.board.seat_categories] == [False] * 4
    assert [c.seats for c in restored.board.seat_categories] == [8, 4, 3, 1]


@pytest.mark.parametrize("stored", [None, {}])
def test_nothing_stored_is_the_defaults(stored):
    assert from_dict(Constitution, stored) == DEFAULTS


# Contradictions ------------------------------------------------------------------------------


def test_more_seats_than_the_maximum_is_a_problem():
    board = dataclasses.replace(DEFAULTS.board, maximum_directors=15)
    problems = dataclasses.replace(DEFAULTS, board=board).problems()
    assert [path for path, _ in problems] == ["board.maximum_directors"]
    assert "16 seats" in problems[0][1]
    assert "15" in problems[0][1]


def test_seats_exactly_at_the_maximum_are_fine():
    board = dataclasses.replace(DEFAULTS.board, maximum_directors=16)
    assert dataclasses.replace(DEFAULTS, board=board).problems() == []


def test_a_board_quorum_above_the_board_is_a_problem_naming_what_to_do():
    # Issue 14: a board quorum of 40 was accepted for a board of at most 16.
    meetings = dataclasses.replace(DEFAULTS.meetings, board_quorum=40)
    problems = dataclasses.replace(DEFAULTS, meetings=meetings).problems()
    assert problems == [
        (
            "meetings.board_quorum",
            "The quorum of the board (40) is more than the 16 directors the board can have: "
            "lower the quorum of the board to 16 or fewer.",
        )
    ]
    at_the_size = dataclasses.replace(DEFAULTS.meetings, board_quorum=16)
    assert dataclasses.replace(DEFAULTS, meetings=at_the_size).problems() == []


def test_a_board_quorum_above_the_seats_there_are_is_a_problem():
    seats = tuple(dataclasses.replace(c, seats=1) for c in DEFAULTS.board.seat_categories)
    board = dataclasses.replace(DEFAULTS.board, seat_categories=seats)
    problems = dataclasses.replace(DEFAULTS, board=board).problems()
    assert [path for path, _ in problems] == ["meetings.board_quorum"]
    assert "the 4 directors the board can have" in problems[0][1]


@pytest.mark.parametrize(("youngest", "oldest"), [(18, 16), (18, 18)])
def test_youth_ages_inverted_or_equal_are_a_problem(youngest, oldest):
    youth = dataclasses.replace(DEFAULTS.youth, minimum_age=youngest, maximum_age=oldest)
    problems = dataclasses.replace(DEFAULTS, youth=youth).problems()
    assert [path for path, _ in problems] == ["youth.maximum_age"]


def test_no_tenures_is_a_problem():
    membership = dataclasses.replace(DEFAULTS.membership, eligible_tenures=())
    problems = dataclasses.replace(DEFAULTS, membership=membership).problems()
    assert [path for path, _ in problems] == ["membership.eligible_tenures"]


def test_every_contradiction_is_reported_at_once():
    broken = dataclasses.replace(
        DEFAULTS,
        board=dataclasses.replace(DEFAULTS.board, maximum_directors=3),
        youth=dataclasses.replace(DEFAULTS.youth, minimum_age=18, maximum_age=16),
        membership=dataclasses.replace(DEFAULTS.membership, eligible_tenures=()),
    )
    assert {path for path, _ in broken.problems()} == {
        "board.maximum_directors",
        "meetings.board_quorum",
        "youth.maximum_age",
        "membership.eligible_tenures",
    }


# The form ------------------------------------------------------------------------------------


def request_free_schema(constitution):
    """The form's schema without its CSRF token, whose default needs a request."""
    schema = constitution_schema(constitution)
    del schema["csrf_token"]
    return schema


def submitted(constitution, **changes):
    """The form's cstruct for ``constitution``, with ``changes`` as {"section.rule": text}."""
    appstruct = appstruct_from(constitution, EFFECTIVE)
    appstruct["note"] = "AGM resolution 4"
    cstruct = request_free_schema(constitution).serialize(appstruct)
    for path, value in changes.items():
        section, name = path.split(".")
        cstruct[section][name] = value
    return cstruct


def errors_for(constitution, **changes):
    with pytest.raises(colander.Invalid) as raised:
        request_free_schema(constitution).deserialize(submitted(constitution, **changes))
    return raised.value.asdict()


def with_tenures_in_order(constitution):
    """``constitution`` with its tenures in the order TENURES lists them."""
    chosen = set(constitution.membership.eligible_tenures)
    tenures = tuple(key for key, _ in TENURES if key in chosen)
    membership = dataclasses.replace(constitution.membership, eligible_tenures=tenures)
    return dataclasses.replace(constitution, membership=membership)


def through_the_form(constitution):
    schema = request_free_schema(constitution)
    appstruct = appstruct_from(constitution, EFFECTIVE)
    appstruct["note"] = "AGM resolution 4"
    return constitution_from(schema.deserialize(schema.serialize(appstruct)), constitution)


def test_the_form_shows_money_in_pounds():
    appstruct = appstruct_from(DEFAULTS, EFFECTIVE)
    assert appstruct["youth"]["annual_budget_pence"] == decimal.Decimal("15000")
    assert submitted(DEFAULTS)["youth"]["annual_budget_pence"] == "15000.00"


def test_pounds_and_pence_typed_in_the_form_are_stored_to_the_penny():
    schema = request_free_schema(DEFAULTS)
    appstruct = schema.deserialize(submitted(DEFAULTS, **{"youth.annual_budget_pence": "15000.01"}))
    assert constitution_from(appstruct, DEFAULTS).youth.annual_budget_pence == 1_500_001


def test_money_above_its_maximum_is_refused():
    errors = errors_for(DEFAULTS, **{"youth.annual_budget_pence": "1000000.01"})
    assert errors == {"youth.annual_budget_pence": "Enter an amount from £0.00 to £1,000,000.00."}


def test_the_form_round_trips_the_defaults_apart_from_tenure_order():
    assert with_tenures_in_order(through_the_form(DEFAULTS)) == DEFAULTS


def test_saving_the_unchanged_form_changes_nothing():
    assert through_the_form(DEFAULTS) == DEFAULTS


@pytest.mark.parametrize(
    ("path", "value", "law"),
    [
        ("meetings.general_meeting_notice_clear_days", "13", "Companies Act 2006 s307"),
        ("board.minimum_director_age", "15", "Companies Act 2006 s157"),
        ("membership.register_retention_years", "9", "Companies Act 2006 s121"),
        ("meetings.minutes_retention_years", "9", "Companies Act 2006 s248"),
        ("meetings.general_meeting_quorum", "1", "Companies Act 2006 s318"),
        ("meetings.requisition_percent", "11", "Companies Act 2006 s303"),
        ("meetings.requisition_call_days", "22", "Companies Act 2006 s304"),
        ("youth.minimum_age", "12", "Data Protection Act 2018"),
        ("notices.post_delivery_hours", "169", "Companies Act 2006 s1147(2)"),
        ("notices.email_delivery_hours", "-1", "Companies Act 2006 s1147(3)"),
    ],
)
def test_a_value_beyond_a_statutory_limit_is_refused_citing_the_law(path, value, law):
    errors = errors_for(DEFAULTS, **{path: value})
    assert list(errors) == [path]
    assert law in errors[path]


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("meetings.general_meeting_notice_clear_days", "14"),
        ("board.minimum_director_age", "16"),
        ("membership.register_retention_years", "10"),
        ("youth.minimum_age", "13"),
    ],
)
def test_a_value_at_its_statutory_floor_is_accepted(path, value):
    schema = request_free_schema(DEFAULTS)
    appstruct = schema.deserialize(submitted(DEFAULTS, **{path: value}))
    section, name = path.split(".")
    assert getattr(getattr(constitution_from(appstruct, DEFAULTS), section), name) == int(value)


def test_closure_days_are_typed_one_a_line_and_kept_in_order_without_repeats():
    schema = request_free_schema(DEFAULTS)
    typed = "2026-12-30\n\n  2026-12-29 \n2026-12-30\n"
    appstruct = schema.deserialize(submitted(DEFAULTS, **{"notices.closure_days": typed}))
    assert constitution_from(appstruct, DEFAULTS).notices.closure_days == (
        datetime.date(2026, 12, 29),
        datetime.date(2026, 12, 30),
    )
    assert submitted(DEFAULTS)["notices"]["closure_days"] == ""
    empty = schema.deserialize(submitted(DEFAULTS, **{"notices.closure_days": "  \n"}))
    assert constitution_from(empty, DEFAULTS).notices.closure_days == ()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (
            "2026-12-29\n29/12/2026",
            "Write each day as YYYY-MM-DD, for example 2026-12-24: line 2 (“29/12/2026”) is not.",
        ),
        (
            "2026-02-30\n20261231\n2026-12-24",
            "Write each day as YYYY-MM-DD, for example 2026-12-24: line 1 (“2026-02-30”), "
            "line 2 (“20261231”) are not.",
        ),
        (
            "\n".join(f"2027-01-01 {n}" for n in range(3)),
            "Write each day as YYYY-MM-DD, for example 2026-12-24: line 1 (“2027-01-01 0”), "
            "line 2 (“2027-01-01 1”), line 3 (“2027-01-01 2”) are not.",
        ),
        (
            "\n".join(
                (datetime.date(2027, 1, 1) + datetime.timedelta(days=n)).isoformat()
                for n in range(101)
            ),
            "Enter at most 100 days.",
        ),
    ],
)
def test_closure_days_that_are_not_days_are_refused_naming_each_line(typed, message):
    errors = errors_for(DEFAULTS, **{"notices.closure_days": typed})
    assert errors == {"notices.closure_days": message}


def test_an_unknown_choice_is_refused():
    errors = errors_for(DEFAULTS, **{"elections.method": "first_past_the_post"})
    assert list(errors) == ["elections.method"]


# Properties ----------------------------------------------------------------------------------

NAMES = st.text(min_size=1, max_size=200)


def rule_values(item, annotation):
    """Every valid value of one rule, from its own metadata."""
    meta = item.metadata
    choices = meta.get("choices")
    if meta.get("kind") == "dates":
        days = st.sets(st.dates(datetime.date(2000, 1, 1)), max_size=meta["maximum"])
        return days.map(lambda chosen: tuple(sorted(chosen)))
    if meta.get("kind") == "set":
        keys = [key for key, _ in choices]
        return st.sets(st.sampled_from(keys)).map(lambda s: tuple(k for k in keys if k in s))
    if choices:
        return st.sampled_from([key for key, _ in choices])
    if annotation is bool:
        return st.booleans()
    if annotation is int:  # money included: whole pence
        return st.integers(min_value=meta["minimum"], max_value=meta["maximum"])
    return NAMES


def rules_of(cls, **fixed):
    hints = typing.get_type_hints(cls)
    values = {
        item.name: rule_values(item, hints[item.name])
        for item in dataclasses.fields(cls)
        if item.name not in fixed
    }
    return st.builds(cls, **fixed, **values)


SEATS = st.tuples(
    *(rules_of(SeatCategory, key=st.just(c.key)) for c in DEFAULTS.board.seat_categories)
)
CONSTITUTIONS = st.builds(
    Constitution,
    organisation_name=NAMES,
    membership=rules_of(MembershipRules),
    board=rules_of(BoardRules, seat_categories=SEATS),
    elections=rules_of(ElectionRules),
    meetings=rules_of(MeetingRules),
    notices=rules_of(NoticeRules),
    youth=rules_of(YouthRules),
)


@settings(max_examples=75, deadline=None)
@given(CONSTITUTIONS)
def test_any_valid_constitution_survives_the_form(constitution):
    restored = through_the_form(constitution)
    assert with_tenures_in_order(restored) == constitution
    assert restored.youth.annual_budget_pence == constitution.youth.annual_budget_pence
    assert restored.youth.board_ratification_pence == constitution.youth.board_ratification_pence


@settings(max_examples=75, deadline=None)
@given(CONSTITUTIONS)
def test_any_valid_constitution_survives_json_storage(constitution):
    assert from_dict(Constitution, json.loads(json.dumps(to_dict(constitution)))) == constitution


def test_seat_categories_are_keyed_by_one_type_and_stored_strings_still_load():
    stored = json.loads(json.dumps(to_dict(DEFAULTS)))
    keys = [category["key"] for category in stored["board"]["seat_categories"]]
    assert keys == ["resident", "councillor", "independent", "youth_chair"]
    restored = from_dict(Constitution, stored)
    assert [category.key for category in restored.board.seat_categories] == list(SeatCategoryKey)
    assert all(type(c.key) is SeatCategoryKey for c in restored.board.seat_categories)
    assert restored.seat_category("resident") is restored.seat_category(SeatCategoryKey.RESIDENT)
    with pytest.raises(ValueError):
        SeatCategory("mayor", "Mayor")


def test_the_changes_of_a_version_are_named_rule_by_rule():
    from tmo.services.constitution import changes_between

    seats = tuple(
        dataclasses.replace(c, seats=3) if c.key == "councillor" else c
        for c in DEFAULTS.board.seat_categories
    )
    new = dataclasses.replace(
        DEFAULTS,
        organisation_name="Lancaster West TMO",
        board=dataclasses.replace(DEFAULTS.board, seat_categories=seats, co_option_allowed=False),
        youth=dataclasses.replace(DEFAULTS.youth, annual_budget_pence=10_000),
    )
    assert changes_between(DEFAULTS, new) == [
        ("Name of the TMO", DEFAULTS.organisation_name, "Lancaster West TMO"),
        ("The board: Casual vacancies may be filled by co-option until the next AGM", "Yes", "No"),
        ("Councillor seats: Number of seats", "4", "3"),
        ("Youth Forum: Devolved budget each year (£)", "£15,000.00", "£100.00"),
    ]
    assert changes_between(DEFAULTS, DEFAULTS) == []
