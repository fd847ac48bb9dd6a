"""Youth Forum pages: the public summary, joining and leaving (``forum``); the budget dashboard,
ledger, CSV and the board's PDF report (``budget``); the proposals, each one's page and its
proposer's steps (``proposals``) and everyone else's steps on it, from the youth worker's check
to the report back (``steps``); the youth worker's list of members and requests (``members``);
and the election of the chair (``chair``).

Who may take which step on a proposal is the table of permits (``tmo.security.permits``); a
draft is its proposer's own, a 404 to everyone else, by its context (``tmo.contexts.youth``).
"""

from pyramid.events import ContextFound, subscriber

from tmo.models.youth import YouthMember, YouthProposal
from tmo.permissions import Permission
from tmo.presenters import youth_chart
from tmo.rules import meetings as meeting_rules
from tmo.rules import youth as rules
from tmo.schemas.files import read_upload
from tmo.services import youth


def name_for(request, context):
    """How the asker sees a young person's name: in full if they may (the youth workers),
    otherwise as privacy allows (an under-18's first name only)."""
    full = request.has_permission(Permission.YOUTH_NAMES_READ, context)

    def name(member: YouthMember) -> str:
        return youth.full_name(member) if full else youth.shown_name(member, request.today)

    return name


def forum_member(request) -> YouthMember:
    """The asker's membership of the forum if it is current today; refused, saying why, if not."""
    return youth.current_member(
        request.dbsession, request.constitution, request.account, request.today
    )


def ratified_by(request, proposal: YouthProposal) -> dict | None:
    """The board's decision a ratification cites, for a page: its meeting's date, its text, and
    the meeting's public minutes once they are signed and published."""
    decision = proposal.ratification_decision
    if decision is None:
        return None
    meeting = decision.item.meeting
    published = meeting_rules.published(meeting.minutes_state)
    return {
        "on": youth.decision_day(decision),
        "text": decision.text,
        "minutes_url": (
            request.route_url("meetings_minutes", meeting_id=meeting.id) if published else None
        ),
    }


def upload_pair(upload, maximum_bytes):
    """An uploaded file as the (content, filename) pair the services keep; None stays None."""
    if upload is None:
        return None
    return read_upload(upload, maximum_bytes), upload.get("filename") or "upload"


def budget_values(request) -> dict:
    """The budget of the year asked for (``?year=2025-04-01``) or of today's: its summary and
    chart, and the other years to read."""
    day = request.today
    dbsession = request.dbsession
    year = youth.chosen_year(dbsession, request.constitution, request.params.get("year", ""), day)
    start = year.starts_on if year else rules.year_start(day, request.constitution.youth)
    # A past year's chart runs to its end; this year's, to today.
    summary = youth.summary(dbsession, year, min(day, year.ends_on)) if year else None
    return {
        "year": year,
        "label": rules.year_label(start),
        "summary": summary,
        "chart": youth_chart(summary),
        "years": [
            (y.starts_on.isoformat(), rules.year_label(y.starts_on)) for y in youth.years(dbsession)
        ],
        "year_query": {"year": year.starts_on.isoformat()} if year else {},
    }


# The pages outside /youth that show where forum votes are up to.
VOTES_SHOWN_ON = frozenset({"needs_you"})


@subscriber(ContextFound)
def close_votes_over(event):
    """A forum vote closes itself, counted on the first request after its time ends or everyone
    who may vote has voted: no scheduled job is needed, and no page shows a vote still open that
    is over. The proposer hears the result as from any count."""
    request = event.request
    route = request.matched_route
    # Only where a forum vote can be seen: the forum's pages and the front door (which lists
    # votes needed and spends awaiting the board). Every other page is spared its queries.
    if route is None or not (route.name.startswith("youth") or route.name in VOTES_SHOWN_ON):
        return
    for proposal in youth.close_votes_over(request.dbsession, request.constitution, request.today):
        youth.tell_proposer(request, proposal, rules.ProposalStatus.VOTING)
