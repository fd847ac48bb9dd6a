"""Election pages: the public list, each election's page and its declared result (``public``);
members nominating, supporting and consenting (``nominations``); the ballot, its review and the
receipt (``ballot``); and the returning officer's pages, which the election's scrutineer may
read but not change (``officer``).

No page shows a per-candidate figure before the poll closes: the result, the ballots and their
export exist only from the close or the count, by their permissions (``tmo.security.permits``).
"""

from tmo.constitution import ELECTION_METHODS
from tmo.models.elections import Election
from tmo.presenters import london
from tmo.rules.elections import STATUS_LABELS, Status
from tmo.services import elections

METHOD_LABELS = dict(ELECTION_METHODS)


def timeline_rows(election: Election) -> list[tuple[str, str]]:
    return [
        ("Notice of election", f"{election.notice_on:%-d %B %Y}"),
        ("Nominations open", london(election.nominations_open_at)),
        ("Nominations close", london(election.nominations_close_at)),
        ("Poll opens", london(election.poll_opens_at)),
        ("Poll closes", london(election.poll_closes_at)),
    ]


def common(request, election: Election) -> dict:
    """What every page about one election shows."""
    return {
        "election": election,
        "status": elections.status_of(election, request.now),
        "status_labels": STATUS_LABELS,
        "method_label": METHOD_LABELS.get(election.method, election.method),
        "timeline": timeline_rows,
        "Status": Status,
    }
