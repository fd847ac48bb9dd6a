"""The public election pages: the list, one election, a candidate's photo, the declared result
(page and PDF), after the close the published trackers, and once the box is opened the anonymised
ballots."""

from pyramid.response import Response
from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.view import view_config

from tmo.permissions import Permission
from tmo.rules.elections import STATUS_LABELS
from tmo.rules.sealing import normal_tracker
from tmo.services import checkpoints, elections, files
from tmo.services.paging import page_number, paginate
from tmo.services.pdf import pdf_response, render_pdf
from tmo.views import READ
from tmo.views.elections import common


@view_config(
    route_name="elections",
    renderer="elections/list.jinja2",
    request_method=READ,
    permission=NO_PERMISSION_REQUIRED,
)
def election_list(request):
    page = paginate(
        request.dbsession, elections.announced_query(), page_number(request.params.get("page"))
    )
    return {
        "page": page,
        "status_of": lambda election: elections.status_of(election, request.now),
        "status_labels": STATUS_LABELS,
    }


@view_config(
    route_name="election",
    renderer="elections/election.jinja2",
    request_method=READ,
    permission=NO_PERMISSION_REQUIRED,
)
def election_page(context, request):
    election = context.election
    member = request.identity.member
    entry = context.roll_entry
    voted = entry is not None and entry.voted
    accepting = elections.accepting(election, request.now)
    return {
        **common(request, election),
        "candidates": elections.surname_order(elections.accepted(election)),
        "member": member,
        "mine": [c for c in election.candidates if member and c.member_id == member.id],
        "supporting": elections.supporting(request.dbsession, election, member),
        "nominating": member is not None and elections.nominations_open(election, request.now),
        "can_vote": entry is not None and not voted and accepting,
        "voted": voted,
        # Someone not logged in may hold a poll card: /vote takes its code.
        "code_voting": accepting and member is None,
        "turnout": elections.turnout(request.dbsession, election)
        if election.roll_frozen_on
        else None,
    }


@view_config(
    route_name="election_candidate_photo",
    request_method=READ,
    permission=Permission.ELECTIONS_CANDIDATE_PHOTO,
)
def candidate_photo(context, request):
    return files.download(context.candidate.photo, inline=True)


def result_values(request, election) -> dict:
    """The count as it was recorded when it was made (never a fresh recount)."""
    count = elections.recorded_count(election)
    return {
        **common(request, election),
        "count": count,
        "result": count.result,
        "names": count.names,
        "shown": sorted(count.result.stages[0].totals) if count.result else [],
        "turnout": elections.turnout(request.dbsession, election),
        "at_close": checkpoints.at_close(request.dbsession, election),
    }


@view_config(
    route_name="election_result",
    renderer="elections/result.jinja2",
    request_method=READ,
    permission=Permission.ELECTIONS_RESULT_READ,
)
def result_page(context, request):
    return result_values(request, context.election)


@view_config(
    route_name="election_result_pdf",
    request_method=READ,
    permission=Permission.ELECTIONS_RESULT_READ,
)
def result_pdf(context, request):
    election = context.election
    pdf = render_pdf(
        "tmo:templates/elections/result_pdf.jinja2", result_values(request, election), request
    )
    return pdf_response(pdf, f"election-{election.id}-result.pdf")


@view_config(
    route_name="election_ballots",
    renderer="elections/ballots.jinja2",
    request_method=READ,
    permission=Permission.ELECTIONS_BALLOTS_READ,
)
def ballots_page(context, request):
    """Every tracker, sorted (not in the order the ballots arrived in)."""
    search = normal_tracker(request.params.get("receipt", ""))
    page = paginate(
        request.dbsession,
        elections.receipts_query(context.election, search),
        page_number(request.params.get("page")),
        200,
    )
    return {
        **common(request, context.election),
        "page": page,
        "search": search,
        "found": bool(search) and page.total > 0,
        "opened": elections.opened(context.election),
    }


@view_config(
    route_name="election_export",
    request_method=READ,
    permission=Permission.ELECTIONS_BALLOTS_EXPORT,
)
def export(context, request):
    ballots = elections.counted_preferences(request.dbsession, context.election)
    filename, text = elections.export(context.election, ballots)
    content_type = "text/csv" if context.format == "csv" else "text/plain"
    response = Response(text, content_type=content_type, charset="utf-8")
    response.content_disposition = f'attachment; filename="{filename}"'
    return response
