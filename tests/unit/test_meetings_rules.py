"""The meetings rules: notice (clear days), quorum with declared interests, votes and the casting
vote, the minutes' state machine, attendance marks, actions carried forward, requisitions."""

import dataclasses
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tmo.constitution import Constitution, MeetingRules, YouthRules
from tmo.rules import meetings as rules

RULES = MeetingRules()
DAY = date(2026, 3, 2)


# -- Notice ---------------------------------------------------------------------------------------


def test_a_general_meeting_needs_fourteen_clear_days():
    # Notice on 2 March: 3 to 16 March are 14 clear days, so 17 March is the earliest.
    assert rules.clear_days(DAY, date(2026, 3, 17)) == 14
    assert rules.notice_problem(rules.GENERAL_MEETING, DAY, date(2026, 3, 17), RULES) is None
    problem = rules.notice_problem(rules.GENERAL_MEETING, DAY, date(2026, 3, 16), RULES)
    assert "at least 14 clear days' notice" in problem
    assert "notice given today allows 13" in problem
    assert "The earliest date is 17 March 2026." in problem


def test_board_and_committee_notice_come_from_the_constitution():
    assert rules.notice_problem(rules.BOARD, DAY, DAY + timedelta(days=7), RULES) is None
    problem = rules.notice_problem(rules.BOARD, DAY, DAY + timedelta(days=6), RULES)
    assert problem.startswith("Too short notice: a meeting of the board needs 7 days' notice")
    shorter = dataclasses.replace(RULES, committee_notice_days=2)
    assert rules.notice_problem(rules.PANEL, DAY, DAY + timedelta(days=2), shorter) is None
    assert rules.notice_problem(rules.PANEL, DAY, DAY - timedelta(days=1), RULES) == (
        "The meeting cannot be before the notice of it."
    )


@settings(deadline=None)  # judged by its answers, never by how fast it gives them
@given(st.integers(0, 400), st.integers(14, 60))
def test_clear_days_notice_is_refused_exactly_below_the_constitution_s_number(days, needed):
    chosen = dataclasses.replace(RULES, general_meeting_notice_clear_days=needed)
    meeting_on = DAY + timedelta(days=days)
    refused = rules.notice_problem(rules.GENERAL_MEETING, DAY, meeting_on, chosen) is not None
    assert refused == (rules.clear_days(DAY, meeting_on) < needed)


# -- Quorum ---------------------------------------------------------------------------------------


def test_a_body_s_quorum_is_its_own_or_the_constitution_s():
    assert rules.quorum_rule_for(rules.BOARD, None, None, RULES) == rules.QuorumRule(5)
    assert rules.quorum_rule_for(rules.GENERAL_MEETING, None, None, RULES) == rules.QuorumRule(2)
    assert rules.quorum_rule_for(rules.COMMITTEE, None, None, RULES) == rules.QuorumRule(3)
    assert rules.quorum_rule_for(rules.PANEL, 2, 3, RULES) == rules.QuorumRule(2, 3)
    # Two-thirds of 10 members, rounded up.
    assert rules.quorum_needed(rules.QuorumRule(2, 3), 10) == 7
    assert rules.quorum_needed(rules.QuorumRule(1, 2), 0) == 1
    assert str(rules.QuorumRule(1, 3)) == "1/3 of the members"


def test_a_member_with_a_declared_interest_does_not_count_for_quorum():
    found = rules.quorum({"a", "b", "c"}, {"c", "z"}, 3)
    assert (found.counted, found.left_out, found.quorate) == (2, 1, False)
    assert str(found) == "Not quorate: 2 counted, 3 needed (1 left out for a declared interest)"


people = st.sets(st.integers(0, 30), max_size=30)


@settings(deadline=None)  # judged by its answers, never by how fast it gives them
@given(people, people, st.integers(1, 30))
def test_quorum_counts_exactly_the_present_members_without_an_interest(present, conflicted, needed):
    found = rules.quorum(present, conflicted, needed)
    assert found.counted == len(present - conflicted)
    assert found.counted + found.left_out == len(present)
    assert found.quorate == (len(present - conflicted) >= needed)


@settings(deadline=None)  # judged by its answers, never by how fast it gives them
@given(people, people, st.integers(0, 30), st.integers(1, 30))
def test_a_declaration_never_helps_a_quorum_and_an_arrival_never_hurts(
    present, conflicted, newcomer, needed
):
    before = rules.quorum(present, conflicted, needed)
    assert rules.quorum(present, conflicted | {newcomer}, needed).counted <= before.counted
    assert rules.quorum(present | {newcomer}, conflicted, needed).counted >= before.counted


@settings(deadline=None)  # judged by its answers, never by how fast it gives them
@given(st.integers(1, 10), st.integers(1, 10), st.integers(0, 200))
def test_a_fractional_quorum_is_at_least_that_fraction_and_never_more_than_one_over(
    number, of, members
):
    if number > of:
        number, of = of, number
    needed = rules.quorum_needed(rules.QuorumRule(number, of), members)
    assert needed >= 1
    assert needed * of >= members * number
    assert members == 0 or (needed - 1) * of < members * number


# -- Votes ----------------------------------------------------------------------------------------


def test_votes_cannot_exceed_the_members_who_may_vote():
    assert rules.vote_problems(3, 1, 0, 4, None) == []
    assert rules.vote_problems(3, 2, 0, 4, None) == [
        "5 votes recorded, but only 4 members present may vote on this item (members with a "
        "declared interest may not)."
    ]
    assert rules.vote_problems(-1, 0, 0, 4, None) == ["A count of votes cannot be negative."]
    assert rules.vote_problems(2, 1, 0, 4, rules.FOR) == [
        "The chair's casting vote is used only on a tie."
    ]


def test_a_tie_is_broken_by_the_chair_only_where_the_constitution_says_so():
    assert rules.vote_outcome(3, 2, None, True) == rules.CARRIED
    assert rules.vote_outcome(2, 3, None, True) == rules.LOST
    assert rules.vote_outcome(2, 2, None, True) == rules.LOST
    assert rules.vote_outcome(2, 2, rules.FOR, True) == rules.CARRIED
    assert rules.vote_outcome(2, 2, rules.AGAINST, True) == rules.LOST
    assert rules.vote_outcome(2, 2, rules.FOR, False) == rules.LOST


def test_the_youth_forum_s_casting_vote_is_its_own_rule():
    constitution = Constitution(
        meetings=dataclasses.replace(RULES, chair_casting_vote=True),
        youth=dataclasses.replace(YouthRules(), chair_casting_vote=False),
    )
    assert rules.casting_vote_allowed(rules.BOARD, constitution) is True
    assert rules.casting_vote_allowed(rules.YOUTH_FORUM, constitution) is False


@settings(deadline=None)  # judged by its answers, never by how fast it gives them
@given(st.integers(0, 50), st.integers(0, 50), st.sampled_from([None, rules.FOR, rules.AGAINST]))
def test_a_motion_carries_only_with_more_for_than_against_or_the_casting_vote(
    votes_for, against, casting
):
    outcome = rules.vote_outcome(votes_for, against, casting, True)
    if votes_for != against:
        assert (outcome == rules.CARRIED) == (votes_for > against)
    else:
        assert (outcome == rules.CARRIED) == (casting == rules.FOR)


# -- The minutes' state machine --------------------------------------------------------------------


def test_the_minutes_move_only_forward_one_state_at_a_time():
    state = rules.DRAFT
    for transition in ("circulate", "approve", "sign"):
        assert rules.minutes_transition_problem(state, transition) is None
        state = rules.MINUTES_TRANSITIONS[transition][1]
    assert state == rules.SIGNED
    assert rules.published(state) and not rules.record_editable(state)


@pytest.mark.parametrize("state", list(rules.MINUTES_STATES))
@pytest.mark.parametrize("transition", list(rules.MINUTES_TRANSITIONS))
def test_every_transition_from_the_wrong_state_is_refused_with_a_reason(state, transition):
    problem = rules.minutes_transition_problem(state, transition)
    source = rules.MINUTES_TRANSITIONS[transition][0]
    if state == source:
        assert problem is None
    else:
        assert problem.startswith(f"The minutes cannot be {rules.transition_verb(transition)}")
        assert rules.MINUTES_STATES[state].lower() in problem


def test_a_step_of_the_minutes_leads_to_its_state_or_is_refused_saying_why():
    assert rules.check_minutes_transition(rules.DRAFT, rules.MinutesStep.CIRCULATE) is (
        rules.MinutesState.CIRCULATED
    )
    with pytest.raises(rules.MeetingError, match="The minutes cannot be signed: they are draft"):
        rules.check_minutes_transition(rules.DRAFT, rules.MinutesStep.SIGN)
    assert [state.label for state in rules.MinutesState] == list(rules.MINUTES_STATES.values())


def test_only_draft_minutes_are_edited_and_only_later_ones_amended():
    assert [s for s in rules.MINUTES_STATES if rules.record_editable(s)] == [rules.DRAFT]
    assert [s for s in rules.MINUTES_STATES if rules.amendable(s)] == [
        rules.CIRCULATED,
        rules.APPROVED,
        rules.SIGNED,
    ]
    assert [s for s in rules.MINUTES_STATES if rules.published(s)] == [rules.SIGNED]


# -- Attendance, actions, requisitions -------------------------------------------------------------


def test_apologies_not_accepted_are_absences_and_guests_have_no_mark():
    assert rules.absence_mark(rules.APOLOGIES, True) == rules.APOLOGIES
    assert rules.absence_mark(rules.APOLOGIES, False) == rules.ABSENT
    assert rules.absence_mark(rules.IN_ATTENDANCE, True) is None
    stats = rules.attendance_stats(["present", "present", "apologies", "absent"])
    assert (stats.meetings, stats.present, stats.apologies, stats.absent, stats.percent) == (
        4,
        2,
        1,
        1,
        50,
    )
    assert rules.attendance_stats([]).percent == 0


def test_an_action_is_carried_forward_until_done():
    raised = date(2026, 1, 10)
    assert rules.carried_forward(raised, None, date(2026, 2, 10))
    assert not rules.carried_forward(raised, None, raised)
    assert rules.carried_forward(raised, date(2026, 2, 1), date(2026, 2, 1))
    assert not rules.carried_forward(raised, date(2026, 2, 1), date(2026, 3, 1))


def test_a_requisition_needs_the_constitution_s_share_of_members_rounded_up():
    assert rules.requisition_threshold(4500, RULES) == 225
    assert rules.requisition_threshold(41, RULES) == 3
    assert rules.requisition_threshold(0, RULES) == 1
    ten = dataclasses.replace(RULES, requisition_percent=10)
    assert rules.requisition_threshold(41, ten) == 5
    assert rules.requisition_deadline(DAY, RULES) == date(2026, 3, 23)


@settings(deadline=None)  # judged by its answers, never by how fast it gives them
@given(st.integers(0, 100_000), st.integers(1, 10))
def test_the_threshold_is_the_smallest_count_reaching_the_share(members, percent):
    chosen = dataclasses.replace(RULES, requisition_percent=percent)
    needed = rules.requisition_threshold(members, chosen)
    assert needed * 100 >= members * percent
    assert needed == 1 or (needed - 1) * 100 < members * percent


@settings(deadline=None)  # judged by its answers, never by how fast it gives them
@given(st.lists(st.sampled_from(list(rules.MINUTES_TRANSITIONS)), max_size=12))
def test_any_sequence_of_transitions_keeps_the_minutes_lifecycle_honest(attempts):
    """Whatever is tried in whatever order: a refused transition changes nothing, the state only
    moves forward, only a draft is edited and only signed minutes are published."""
    order = list(rules.MINUTES_STATES)
    state = rules.DRAFT
    for transition in attempts:
        before = state
        if rules.minutes_transition_problem(state, transition) is None:
            state = rules.MINUTES_TRANSITIONS[transition][1]
            assert order.index(state) == order.index(before) + 1
        assert rules.record_editable(state) == (state == rules.DRAFT)
        assert rules.published(state) == (state == rules.SIGNED)
    # The state reached is how far the attempts follow circulate, approve, sign in that order.
    reached = 0
    for transition in attempts:
        if reached < 3 and transition == ("circulate", "approve", "sign")[reached]:
            reached += 1
    assert state == order[reached]


@settings(deadline=None)  # judged by its answers, never by how fast it gives them
@given(st.dictionaries(st.integers(0, 40), st.sampled_from(list(rules.VOTES))))
def test_a_recorded_vote_tallies_to_one_count_per_member(named):
    votes_for, against, abstain = rules.tally(named)
    assert votes_for + against + abstain == len(named)
    assert votes_for == sum(1 for vote in named.values() if vote == rules.FOR)


def test_minutes_are_kept_the_constitution_s_years_after_the_meeting():
    assert rules.minutes_kept_until(DAY, RULES) == date(2036, 3, 2)
    longer = dataclasses.replace(RULES, minutes_retention_years=25)
    assert rules.minutes_kept_until(DAY, longer) == date(2051, 3, 2)
    # 29 February is kept until 28 February in a common year.
    assert rules.minutes_kept_until(date(2028, 2, 29), RULES) == date(2038, 2, 28)
