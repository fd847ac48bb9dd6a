"""Election pages: the public list, each election's page and its declared result (``public``);
members nominating, supporting and consenting (``nominations``); the ballot, its review and the
receipt (``ballot``); and the returning officer's pages, which the election's scrutineer may
read but not change (``officer``).

No page shows a per-candidate figure before the poll closes: the result, the ballots and their
export exist only from the close or the count, by their permissions (``tmo.security.permits``).
"""

from tmo.constitution import ELECTION_METHODS
from tmo.models.elections import Election
from tmo.presenters import closing, day, london, opening
from tmo.rules.elections import STATUS_LABELS, Status
from tmo.services import elections

METHOD_LABELS = dict(ELECTION_METHODS)


def _sentence(phrase: str) -> str:
    return phrase[:1].upper() + phrase[1:]


def timeline_rows(election: Election) -> list[tuple[str, str]]:
    return [
        ("Notice of election", day(election.notice_on)),
        ("Nominations open", _sentence(opening(election.nominations_open_at))),
        ("Nominations close", _sentence(closing(election.nominations_close_at))),
        ("Poll opens", _sentence(opening(election.poll_opens_at))),
        ("Poll closes", _sentence(closing(election.poll_closes_at))),
    ]


def next_step(election: Election, status: Status, now) -> str:
    """What happens next in the election, and when, in one sentence or two: at every stage a
    reader knows what to wait for."""
    if status is Status.DRAFT:
        return f"Notice of this election is to be given on {day(election.notice_on)}."
    if status is Status.NOMINATIONS_OPEN:
        if now < election.nominations_open_at:
            return f"Nominations open at {opening(election.nominations_open_at)}."
        if now < election.nominations_close_at:
            return (
                f"Nominations close at {closing(election.nominations_close_at)}. "
                f"The poll opens at {opening(election.poll_opens_at)}."
            )
        return (
            "Nominations have closed: the returning officer is checking them. "
            f"The poll opens at {opening(election.poll_opens_at)}."
        )
    if status is Status.NOMINATIONS_CLOSED and now >= election.poll_opens_at:
        return (
            "The returning officer opens the poll next: it was due to open at "
            f"{opening(election.poll_opens_at)}."
        )
    if status is Status.NOMINATIONS_CLOSED or (
        status is Status.POLL_OPEN and now < election.poll_opens_at
    ):
        return f"The poll opens at {opening(election.poll_opens_at)}."
    if status is Status.POLL_OPEN:
        return (
            f"The poll is open until {closing(election.poll_closes_at)}. The votes are counted "
            "after it closes."
        )
    if status is Status.POLL_CLOSED:
        return (
            f"The poll closed at {closing(election.poll_closes_at)}. Next, the ballot box is "
            "opened and the votes are counted; the result is declared after the count."
        )
    if status is Status.COUNTED:
        declare = "The returning officer declares the result next."
        if election.counted_at is None:
            return declare
        return f"The votes were counted at {london(election.counted_at)}. {declare}"
    if status is Status.DECLARED and election.declared_on:
        return f"The result was declared on {day(election.declared_on)}."
    return ""


def common(request, election: Election) -> dict:
    """What every page about one election shows."""
    status = elections.status_of(election, request.now)
    return {
        "election": election,
        "status": status,
        "next_step": next_step(election, status, request.now),
        "status_labels": STATUS_LABELS,
        "method_label": METHOD_LABELS.get(election.method, election.method),
        "timeline": timeline_rows,
        "Status": Status,
    }
