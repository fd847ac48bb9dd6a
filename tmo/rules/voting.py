"""How a vote on a motion or a proposal is decided, for every body (the board, committees,
general meetings, the Youth Forum's meetings and its own votes on proposals).

A simple majority of the votes cast for or against carries it; abstentions are not votes cast
(an ordinary resolution, Companies Act 2006 s282). When the votes for and against are equal the
motion falls, unless the constitution gives the chair a casting vote, which then decides it (as
the model articles do for directors' meetings: The Companies (Model Articles) Regulations 2008,
Sch. 2 art. 13). A tie of no votes at all, nobody voting for or against, the chair may decide only
where the constitution says so as well (``MeetingRules.casting_vote_when_no_votes_cast``): by
default such a motion falls. Plain values in, plain values out.
"""

from dataclasses import dataclass

FOR, AGAINST, ABSTAIN = "for", "against", "abstain"


@dataclass(frozen=True)
class Outcome:
    carried: bool
    # The chair's casting vote decided it.
    by_casting_vote: bool


def casting_vote_allowed(
    votes_for: int, against: int, *, chair_has_casting_vote: bool, when_no_votes_cast: bool
) -> bool:
    """Whether the chair may give a casting vote on this count: only on a tie, only where the
    constitution gives the chair one, and on a tie of no votes at all only where it says so."""
    if not chair_has_casting_vote or votes_for != against:
        return False
    return votes_for > 0 or when_no_votes_cast


def decide(votes_for: int, against: int, casting: str | None, *, casting_allowed: bool) -> Outcome:
    """Carried with more votes for than against, lost with fewer. On a tie the chair's
    ``casting`` vote (FOR or AGAINST) decides where ``casting_allowed`` (see
    ``casting_vote_allowed``); without one the motion falls."""
    if votes_for != against:
        return Outcome(carried=votes_for > against, by_casting_vote=False)
    if casting_allowed and casting in (FOR, AGAINST):
        return Outcome(carried=casting == FOR, by_casting_vote=True)
    return Outcome(carried=False, by_casting_vote=False)
