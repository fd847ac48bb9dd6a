"""The election rules: the lifecycle as a state machine, the clock that opens and closes the
poll, the constitution's timeline, what a ballot may say, and the ballot log's hash chain."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from tmo.constitution import ElectionRules
from tmo.rules import elections as rules
from tmo.rules.chains import derive_key
from tmo.rules.elections import BEFORE_CLOSE, TRANSITIONS, Status

OPENS = datetime(2027, 3, 29, 9, tzinfo=UTC)
CLOSES = datetime(2027, 4, 12, 21, tzinfo=UTC)
moments = st.datetimes(
    min_value=datetime(2027, 1, 1), max_value=datetime(2027, 6, 1), timezones=st.just(UTC)
)

# The lifecycle of the issue, every move a person can make.
EXPECTED = {
    (Status.DRAFT, Status.NOMINATIONS_OPEN),
    (Status.NOMINATIONS_OPEN, Status.NOMINATIONS_CLOSED),
    (Status.NOMINATIONS_CLOSED, Status.NOMINATIONS_OPEN),
    (Status.NOMINATIONS_CLOSED, Status.POLL_OPEN),
    (Status.NOMINATIONS_CLOSED, Status.COUNTED),
    (Status.POLL_CLOSED, Status.COUNTED),
    (Status.COUNTED, Status.DECLARED),
}


@pytest.mark.parametrize("current", list(Status))
@pytest.mark.parametrize("target", list(Status))
def test_only_the_lifecycles_moves_are_allowed(current, target):
    allowed = (current, target) in EXPECTED or (
        target is Status.CANCELLED and current not in (Status.DECLARED, Status.CANCELLED)
    )
    if allowed:
        rules.check_transition(current, target)
    else:
        with pytest.raises(rules.TransitionRefused) as refused:
            rules.check_transition(current, target)
        assert current.label.lower() in str(refused.value)
        assert target.label.lower() in str(refused.value)


def test_declared_and_cancelled_are_final():
    assert TRANSITIONS[Status.DECLARED] == frozenset()
    assert TRANSITIONS[Status.CANCELLED] == frozenset()


def test_nobody_closes_the_poll_by_hand():
    """The poll closes by the clock alone: no state moves to "poll closed"."""
    assert all(Status.POLL_CLOSED not in targets for targets in TRANSITIONS.values())


@given(moments)
def test_the_clock_closes_the_poll_and_ballots_stop_at_the_closing_moment(now):
    status = rules.effective_status(Status.POLL_OPEN, CLOSES, now)
    accepting = rules.accepting_ballots(Status.POLL_OPEN, OPENS, CLOSES, now)
    assert (status is Status.POLL_CLOSED) == (now >= CLOSES)
    assert accepting == (OPENS <= now < CLOSES)
    # No other state ever takes a ballot, whatever the time.
    for other in Status:
        if other is not Status.POLL_OPEN:
            assert not rules.accepting_ballots(other, OPENS, CLOSES, now)
            assert rules.effective_status(other, CLOSES, now) is other


def test_per_candidate_figures_are_hidden_in_every_state_before_the_close():
    assert {
        Status.DRAFT,
        Status.NOMINATIONS_OPEN,
        Status.NOMINATIONS_CLOSED,
        Status.POLL_OPEN,
    } == BEFORE_CLOSE


class Lifecycle(RuleBasedStateMachine):
    """Any sequence of attempted moves and passing time: the election only ever follows the
    lifecycle, ballots are taken only while the poll is open by the clock, and a finished
    election never moves again."""

    def __init__(self):
        super().__init__()
        self.stored = Status.DRAFT
        self.now = OPENS - timedelta(days=30)
        self.history = [Status.DRAFT]

    @rule(goal=st.sampled_from(list(Status)))
    def attempt(self, goal):
        current = rules.effective_status(self.stored, CLOSES, self.now)
        try:
            rules.check_transition(current, goal)
        except rules.TransitionRefused:
            return
        assert (current, goal) in EXPECTED or goal is Status.CANCELLED
        self.stored = goal
        self.history.append(goal)

    @rule(days=st.integers(min_value=0, max_value=20))
    def time_passes(self, days):
        self.now += timedelta(days=days)

    @invariant()
    def ballots_only_while_open(self):
        if rules.accepting_ballots(self.stored, OPENS, CLOSES, self.now):
            assert rules.effective_status(self.stored, CLOSES, self.now) is Status.POLL_OPEN
            assert OPENS <= self.now < CLOSES

    @invariant()
    def finished_is_final(self):
        for index, status in enumerate(self.history[:-1]):
            assert status not in (Status.DECLARED, Status.CANCELLED), self.history[index:]


TestLifecycle = Lifecycle.TestCase


def test_the_timeline_follows_the_constitution_in_londons_days():
    times = rules.timeline(date(2027, 3, 1), ElectionRules())
    days = [
        rules.london_day(moment)
        for moment in (
            times.nominations_open,
            times.nominations_close,
            times.poll_opens,
            times.poll_closes,
        )
    ]
    assert days == [date(2027, 3, 8), date(2027, 3, 22), date(2027, 3, 29), date(2027, 4, 12)]
    # Each begins at midnight in London, on either side of the clocks going forward (28 March).
    assert times.nominations_open == datetime(2027, 3, 8, 0, tzinfo=UTC)
    assert times.poll_opens == datetime(2027, 3, 28, 23, tzinfo=UTC)
    assert rules.timeline_problems(times) == []
    other = rules.timeline(date(2027, 3, 1), ElectionRules(notice_days=0, poll_days=21))
    assert rules.london_day(other.poll_closes) - rules.london_day(other.poll_opens) == timedelta(
        days=21
    )


@given(st.dates(min_value=date(2026, 1, 1), max_value=date(2040, 12, 31)))
def test_every_step_of_the_timeline_starts_at_midnight_in_london(notice_on):
    times = rules.timeline(notice_on, ElectionRules())
    for moment in (
        times.nominations_open,
        times.nominations_close,
        times.poll_opens,
        times.poll_closes,
    ):
        assert moment.astimezone(rules.LONDON).time() == datetime.min.time()
    assert rules.london_day(times.poll_closes) == notice_on + timedelta(days=42)


def test_only_plain_digits_are_numbers_on_a_ballot():
    assert rules.whole_number(" 12 ") == 12
    assert rules.whole_number("¹") is None
    assert rules.whole_number("1" * 5000) is None
    assert rules.whole_number("-1") is None
    assert rules.whole_number("1.5") is None


def test_dates_out_of_order_are_named():
    day = datetime(2027, 3, 1, tzinfo=UTC)
    times = rules.Timeline(day, day, day - timedelta(days=1), day - timedelta(days=1))
    fields = [field for field, _ in rules.timeline_problems(times)]
    assert fields == ["nominations_close", "poll_opens", "poll_closes"]


def test_uncontested_when_candidates_do_not_exceed_seats():
    assert rules.uncontested(3, 3) and rules.uncontested(1, 3)
    assert not rules.uncontested(4, 3)
    assert not rules.uncontested(0, 3)


# Ballots ------------------------------------------------------------------------------------------

CANDIDATES = (11, 12, 13, 14)


def test_a_block_ballot_takes_up_to_the_seats():
    assert rules.block_ballot([12, 14], CANDIDATES, 2) == (12, 14)
    with pytest.raises(
        rules.BallotRefused, match=r"You ticked 3 candidates\. You can vote for up to 2"
    ):
        rules.block_ballot([11, 12, 13], CANDIDATES, 2)
    with pytest.raises(rules.BallotRefused, match="Tick at least one"):
        rules.block_ballot([], CANDIDATES, 2)
    with pytest.raises(rules.BallotRefused, match="only candidates on this ballot"):
        rules.block_ballot([99], CANDIDATES, 2)


def test_an_stv_ballot_is_numbered_from_one_without_gaps_or_repeats():
    assert rules.stv_ballot({13: 1, 11: 2}, CANDIDATES) == (13, 11)
    with pytest.raises(rules.BallotRefused, match="there is no 2"):
        rules.stv_ballot({13: 1, 11: 3}, CANDIDATES)
    with pytest.raises(rules.BallotRefused, match="You used 1 more than once"):
        rules.stv_ballot({13: 1, 11: 1}, CANDIDATES)
    with pytest.raises(rules.BallotRefused, match="Write 1 beside"):
        rules.stv_ballot({13: 2}, CANDIDATES)
    with pytest.raises(rules.BallotRefused, match="Write 1 beside"):
        rules.stv_ballot({}, CANDIDATES)
    with pytest.raises(rules.BallotRefused, match="1, 2, 3"):
        rules.stv_ballot({13: 0}, CANDIDATES)


@given(st.permutations(CANDIDATES), st.integers(min_value=1, max_value=len(CANDIDATES)))
def test_any_ranking_reads_back_in_order(order, ranked):
    numbers = {candidate: rank for rank, candidate in enumerate(order[:ranked], 1)}
    assert rules.stv_ballot(numbers, CANDIDATES) == tuple(order[:ranked])


# The ballot log -----------------------------------------------------------------------------------


CHAIN_KEY = derive_key("a test secret", "ballots")


def chain_of(papers, key=CHAIN_KEY):
    """The chain of ``papers``, each standing for a sealed ballot's ciphertext."""
    previous = rules.genesis(7)
    hashes = []
    for number, preferences in enumerate(papers):
        ciphertext = rules.encode_preferences(preferences)
        previous = rules.ballot_hash(key, previous, f"id{number}", ciphertext)
        hashes.append(previous)
    return hashes


@given(
    st.lists(
        st.lists(st.sampled_from(CANDIDATES), min_size=1, max_size=4, unique=True),
        min_size=2,
        max_size=8,
    ),
    st.data(),
)
def test_any_change_to_any_ballot_changes_the_head(papers, data):
    head = chain_of(papers)[-1]
    index = data.draw(st.integers(min_value=0, max_value=len(papers) - 1))
    changed = list(papers)
    changed[index] = [*papers[index], 99]
    assert chain_of(changed)[-1] != head
    assert chain_of(papers[:index] + papers[index + 1 :])[-1] != head
    if list(reversed(papers)) != papers:
        assert chain_of(list(reversed(papers)))[-1] != head


def test_without_the_server_s_key_the_chain_cannot_be_made_again():
    papers = [[1], [2, 3], [3]]
    assert chain_of(papers, derive_key("another secret", "ballots")) != chain_of(papers)
    assert chain_of(papers, derive_key("a test secret", "audit")) != chain_of(papers)


def test_each_election_starts_its_own_chain():
    assert rules.genesis(1) != rules.genesis(2)
    assert rules.decode_preferences(rules.encode_preferences((3, 1, 2))) == (3, 1, 2)


def test_words_are_counted_as_a_person_would():
    assert rules.word_count("I will fix  the lifts.\n\nAnd the lights.") == 8
    assert rules.word_count("   ") == 0
