"""Youth Forum rules: the age band and ageing out, what others see of a young person, the
financial year, money, the ledger's invariants (hypothesis), the proposal lifecycle and counting
a forum vote."""

import dataclasses
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tmo.constitution import YouthRules
from tmo.rules import youth as rules
from tmo.rules.youth import ProposalStatus

RULES = YouthRules()


def test_under_13s_are_turned_away_kindly_and_over_25s_too():
    today = date(2026, 6, 1)
    twelve = date(2013, 6, 2)  # 13 tomorrow
    assert rules.too_young(twelve, RULES, today)
    assert rules.joining_problems(twelve, RULES, today) == [
        "The Youth Forum is for young people aged 13 to 25. You are very welcome to join when "
        "you turn 13."
    ]
    assert rules.joining_problems(date(2013, 6, 1), RULES, today) == []
    assert rules.joining_problems(date(2000, 6, 2), RULES, today) == []  # 25
    assert rules.joining_problems(date(2000, 6, 1), RULES, today) == [
        "The Youth Forum is for young people aged up to 25."
    ]
    assert rules.joining_problems(None, RULES, today) == ["Enter your date of birth."]
    assert rules.joining_problems(today + timedelta(days=1), RULES, today) == [
        "Your date of birth must be in the past."
    ]


def test_members_age_out_on_their_26th_birthday_with_notice():
    born = date(2001, 3, 10)
    assert rules.leaves_on(born, RULES) == date(2027, 3, 10)
    approved = date(2024, 1, 1)
    assert rules.in_forum_on(approved, born, None, RULES, date(2027, 3, 9))
    assert not rules.in_forum_on(approved, born, None, RULES, date(2027, 3, 10))
    assert not rules.in_forum_on(None, born, None, RULES, date(2025, 1, 1))
    assert not rules.in_forum_on(approved, born, date(2025, 5, 1), RULES, date(2025, 5, 1))
    assert rules.ageing_out_notice(born, None, RULES, date(2027, 1, 9)) == date(2027, 3, 10)
    assert rules.ageing_out_notice(born, None, RULES, date(2027, 1, 8)) is None
    assert rules.ageing_out_notice(born, None, RULES, date(2027, 3, 10)) is None
    # Born on 29 February: leaves on 28 February in a common year.
    assert rules.leaves_on(date(2004, 2, 29), RULES) == date(2030, 2, 28)


def test_under_18s_are_shown_by_first_name_only():
    today = date(2026, 6, 1)
    assert rules.shown_name("Amara", "Okafor", date(2011, 1, 1), today) == "Amara"
    assert rules.shown_name("Amara", "Okafor", date(2008, 6, 1), today) == "Amara Okafor"


def test_the_financial_year_starts_on_the_constitutions_day():
    assert rules.year_start(date(2026, 3, 31), RULES) == date(2025, 4, 1)
    assert rules.year_start(date(2026, 4, 1), RULES) == date(2026, 4, 1)
    assert rules.year_end(date(2026, 4, 1)) == date(2027, 4, 1)
    assert rules.year_label(date(2026, 4, 1)) == "2026-27"
    january = dataclasses.replace(RULES, financial_year_start_month=1)
    assert rules.year_label(rules.year_start(date(2026, 8, 1), january)) == "2026"


@pytest.mark.parametrize(
    "text,pence",
    [("£1,234.50", 123450), ("15000", 1_500_000), ("0.5", 50), ("£ 12.05", 1205), ("7.", None)],
)
def test_pounds_are_read_as_whole_pence(text, pence):
    if pence is None:
        with pytest.raises(ValueError):
            rules.parse_pounds(text)
    else:
        assert rules.parse_pounds(text) == pence
        assert rules.parse_pounds(rules.format_pounds(pence)) == pence


def test_money_is_shown_in_pounds_and_pence():
    assert rules.format_pounds(1_500_000) == "£15,000.00"
    assert rules.format_pounds(-505) == "-£5.05"


# The ledger: any sequence of attempted entries, each accepted only when the rules allow it.

KINDS = list(rules.EFFECTS)
attempts = st.lists(
    st.tuples(
        st.sampled_from(KINDS),
        st.integers(min_value=-200_000, max_value=2_000_000),
        st.sampled_from([None, 1, 2, 3]),
    ),
    max_size=60,
)


@given(attempts)
def test_the_ledger_never_goes_below_zero_and_its_entries_sum_to_the_balances(tries):
    accepted: list[rules.Entry] = []
    current = rules.Balances()
    for kind, amount, proposal in tries:
        entry = rules.Entry(kind, amount, proposal)
        committed = rules.outstanding(accepted, proposal) if proposal else 0
        problems = rules.entry_problems(current, entry, committed)
        after = current.after(entry)
        if not problems:
            accepted.append(entry)
            current = after
        else:
            # Refused only for a reason a person can act on, never for nothing.
            assert (
                (kind != rules.ADJUSTMENT and amount <= 0)
                or (kind == rules.ADJUSTMENT and amount == 0)
                or (kind in (rules.COMMITMENT, rules.SPEND, rules.RELEASE) and proposal is None)
                or (kind in (rules.SPEND, rules.RELEASE) and amount > committed)
                or after.remaining < 0
            )
        assert current.remaining >= 0
        assert current.committed >= 0
        for number in (1, 2, 3):
            assert rules.outstanding(accepted, number) >= 0
    assert current == rules.balances(accepted)
    assert current.allocated == sum(e.amount * rules.EFFECTS[e.kind][0] for e in accepted)
    assert current.spent == sum(e.amount for e in accepted if e.kind == rules.SPEND)
    assert current.committed == sum(rules.outstanding(accepted, n) for n in (1, 2, 3))
    assert current.allocated == current.committed + current.spent + current.remaining


@given(st.integers(0, 10_000_000), st.integers(1, 10_000_000))
def test_a_spend_settles_its_commitment_exactly(committed, actual):
    released, topped_up = rules.settle_spend(committed, actual)
    assert committed + topped_up - released == actual
    assert not (released and topped_up)


def test_commitment_beyond_the_remaining_money_is_refused_in_words():
    current = rules.Balances(allocated=100_000, committed=60_000, spent=30_000)
    assert rules.entry_problems(current, rules.Entry(rules.COMMITMENT, 10_000, 1)) == []
    assert rules.entry_problems(current, rules.Entry(rules.COMMITMENT, 10_001, 1)) == [
        "Not enough money left: £100.00 remains, and this needs £100.01. The budget is never "
        "over-committed."
    ]
    assert rules.entry_problems(current, rules.Entry(rules.SPEND, 500, 1), 400) == [
        "Only £4.00 is committed to this proposal, less than £5.00."
    ]
    assert rules.year_end_amount(current) == 10_000


def test_big_spends_need_the_boards_ratification():
    assert not rules.needs_ratification(100_000, RULES)
    assert rules.needs_ratification(100_001, RULES)


def test_each_transition_starts_only_from_its_states():
    assert rules.transition_problem(ProposalStatus.DRAFT, "submit") is None
    assert rules.transition_problem(ProposalStatus.SUBMITTED, "open_vote") is None
    assert rules.transition_problem(ProposalStatus.COMMITTED, "submit") == (
        "This proposal cannot be sent to the youth worker now: it is “Money committed”."
    )
    for action, (starts, _) in rules.TRANSITIONS.items():
        for status in rules.STATUSES:
            assert (rules.transition_problem(status, action) is None) == (status in starts)


def test_a_simple_majority_wins_and_the_chair_breaks_a_tie():
    f, a, x = rules.FOR, rules.AGAINST, rules.ABSTAIN
    assert rules.count_votes([f, f, a, x], None, RULES).passed
    assert not rules.count_votes([f, a, a], f, RULES).passed
    tie = rules.count_votes([f, a], f, RULES)
    assert tie.passed and tie.by_casting_vote
    assert not rules.count_votes([f, a], a, RULES).passed
    assert not rules.count_votes([f, a], x, RULES).passed
    assert not rules.count_votes([f, a], None, RULES).passed
    no_casting = dataclasses.replace(RULES, chair_casting_vote=False)
    assert not rules.count_votes([f, a], f, no_casting).passed
    assert not rules.count_votes([], None, RULES).passed
    assert not rules.count_votes([x, x], f, RULES).passed


def test_a_vote_is_counted_after_its_window_or_once_everyone_has_voted():
    closes = date(2026, 6, 8)
    assert not rules.may_count(closes, date(2026, 6, 7), 5, 4)
    assert rules.may_count(closes, date(2026, 6, 7), 5, 5)
    assert rules.may_count(closes, closes, 5, 0)
    assert not rules.may_count(closes, date(2026, 6, 7), 0, 0)


def test_the_chair_is_whoever_has_most_votes_and_a_tie_is_no_result():
    assert rules.chair_winner({1: 3, 2: 2}) == 1
    assert rules.chair_winner({1: 2, 2: 2}) is None
    assert rules.chair_winner({1: 0}) is None
    assert rules.chair_winner({}) is None


def test_the_chart_adds_up_committed_and_spent_month_by_month():
    start = date(2026, 4, 1)
    entries = [
        (date(2026, 4, 1), rules.Entry(rules.ALLOCATION, 1_500_000)),
        (date(2026, 4, 20), rules.Entry(rules.COMMITMENT, 50_000, 1)),
        (date(2026, 5, 3), rules.Entry(rules.COMMITMENT, 20_000, 2)),
        (date(2026, 6, 1), rules.Entry(rules.SPEND, 45_000, 1)),
        (date(2026, 6, 1), rules.Entry(rules.RELEASE, 5_000, 1)),
    ]
    rows = rules.monthly_totals(start, entries, date(2026, 6, 15))
    assert rows == [
        (date(2026, 4, 1), 50_000, 0),
        (date(2026, 5, 1), 70_000, 0),
        (date(2026, 6, 1), 65_000, 45_000),
    ]
    assert len(rules.monthly_totals(start, entries, date(2027, 9, 1))) == 12
