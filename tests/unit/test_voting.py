"""The one majority rule: a simple majority of the votes cast for or against, the chair's casting
vote only on a tie where the constitution gives one, and a tie of no votes at all decided by the
constitution's own rule. The meetings and the Youth Forum's votes both follow it."""

import dataclasses

from hypothesis import given
from hypothesis import strategies as st

from tmo.constitution import MeetingRules, YouthRules
from tmo.rules import meetings, voting, youth
from tmo.rules.voting import ABSTAIN, AGAINST, FOR

COUNTS = st.integers(0, 60)
CASTING = st.sampled_from([None, FOR, AGAINST, ABSTAIN])


def allowed(votes_for, against, chair_has_casting_vote, when_no_votes_cast):
    return voting.casting_vote_allowed(
        votes_for,
        against,
        chair_has_casting_vote=chair_has_casting_vote,
        when_no_votes_cast=when_no_votes_cast,
    )


def outcome(votes_for, against, casting, chair_has_casting_vote, when_no_votes_cast):
    return voting.decide(
        votes_for,
        against,
        casting,
        casting_allowed=allowed(votes_for, against, chair_has_casting_vote, when_no_votes_cast),
    )


@given(COUNTS, COUNTS, CASTING, st.booleans(), st.booleans())
def test_without_a_tie_the_majority_decides_and_no_casting_vote_counts(
    votes_for, against, casting, chair_has_casting_vote, when_no_votes_cast
):
    if votes_for == against:
        return
    result = outcome(votes_for, against, casting, chair_has_casting_vote, when_no_votes_cast)
    assert result.carried == (votes_for > against)
    assert not result.by_casting_vote
    assert not allowed(votes_for, against, chair_has_casting_vote, when_no_votes_cast)


@given(st.integers(1, 60), CASTING, st.booleans(), st.booleans())
def test_a_tie_goes_the_chairs_way_only_where_the_constitution_gives_a_casting_vote(
    votes, casting, chair_has_casting_vote, when_no_votes_cast
):
    result = outcome(votes, votes, casting, chair_has_casting_vote, when_no_votes_cast)
    cast = chair_has_casting_vote and casting in (FOR, AGAINST)
    assert result.by_casting_vote == cast
    assert result.carried == (cast and casting == FOR)


@given(CASTING, st.booleans(), st.booleans())
def test_a_tie_of_no_votes_follows_the_constitution(
    casting, chair_has_casting_vote, when_no_votes_cast
):
    result = outcome(0, 0, casting, chair_has_casting_vote, when_no_votes_cast)
    may_cast = chair_has_casting_vote and when_no_votes_cast
    assert allowed(0, 0, chair_has_casting_vote, when_no_votes_cast) == may_cast
    assert result.by_casting_vote == (may_cast and casting in (FOR, AGAINST))
    assert result.carried == (may_cast and casting == FOR)


def test_by_default_a_motion_nobody_votes_for_or_against_falls():
    assert MeetingRules().casting_vote_when_no_votes_cast is False
    assert not outcome(0, 0, FOR, True, MeetingRules().casting_vote_when_no_votes_cast).carried


@given(COUNTS, COUNTS, CASTING, st.booleans(), st.booleans())
def test_meetings_and_the_youth_forum_decide_alike(
    votes_for, against, casting, chair_has_casting_vote, when_no_votes_cast
):
    expected = outcome(votes_for, against, casting, chair_has_casting_vote, when_no_votes_cast)
    casting_allowed = allowed(votes_for, against, chair_has_casting_vote, when_no_votes_cast)
    minuted = meetings.vote_outcome(votes_for, against, casting, casting_allowed)
    assert (minuted == meetings.CARRIED) == expected.carried
    forum = youth.count_votes(
        [FOR] * votes_for + [AGAINST] * against,
        casting,
        dataclasses.replace(YouthRules(), chair_casting_vote=chair_has_casting_vote),
        when_no_votes_cast=when_no_votes_cast,
    )
    assert (forum.passed, forum.by_casting_vote) == (expected.carried, expected.by_casting_vote)
