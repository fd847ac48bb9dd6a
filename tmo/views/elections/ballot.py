"""The ballot: the paper (ticks for a block vote, numbers for STV), the review before casting,
the cast and its receipt. Only a member on the election's roll reaches these pages: logged in
(``/elections/ID/ballot``), or with the pass a poll card's code gave them at /vote
(``/vote/ballot``, see ``by_code``). Both mark the member's one roll entry."""

from collections.abc import Sequence

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.renderers import render_to_response
from pyramid.view import view_config

from tmo.contexts.elections import VOTING_PASS_COOKIE
from tmo.forms import settle
from tmo.models.elections import Election
from tmo.permissions import Permission
from tmo.rules.elections import whole_number
from tmo.services import elections, notices
from tmo.services.elections import ElectionError
from tmo.views import READ
from tmo.views.elections import common


def submitted_choices(request, election: Election, candidate_ids: Sequence[int]) -> dict:
    """What the voter marked, as the ballot form sent it (kept to show again on an error)."""
    if election.method == "block":
        return {"ticked": set(request.POST.getall("candidate"))}
    post = request.POST
    return {"numbers": {i: post.get(f"rank-{i}", "").strip() for i in candidate_ids}}


def judge(
    election: Election, choices: dict, candidate_ids: Sequence[int] | None = None
) -> tuple[int, ...]:
    """The preferences a ballot form expresses, or ElectionError saying what to put right.
    ``candidate_ids``: the accepted candidates' ids, if known (else read from the election)."""
    if election.method == "block":
        marked = [whole_number(value) for value in choices["ticked"]]
        if None in marked:
            raise ElectionError("Choose only candidates on this ballot.")
        return elections.validate_ballot(
            election, marked=sorted(marked), candidate_ids=candidate_ids
        )
    numbers = {}
    for candidate_id, text in choices["numbers"].items():
        if not text:
            continue
        number = whole_number(text)
        if number is None:
            raise ElectionError(f"“{text[:20]}” is not a number: use 1, 2, 3 and so on.")
        numbers[candidate_id] = number
    return elections.validate_ballot(election, numbers=numbers, candidate_ids=candidate_ids)


def ballot_values(request, election, paper, choices=None, error=None, status=None) -> dict:
    if status is not None:
        request.response.status = status
    return {
        **common(request, election),
        **ballot_urls(request),
        "paper": paper,
        "choices": choices or {"ticked": set(), "numbers": {}},
        "error": error,
        "form_failed": error is not None,
        "seats": election.seats,
        "closed": False,
    }


def ballot_urls(request) -> dict:
    """Where the ballot's forms go: the logged-in member's pages or the code-holder's."""
    context = request.context
    return {
        "ballot_url": request.route_url(context.ballot_route, election_id=context.election.id),
        "cast_url": request.route_url(context.cast_route, election_id=context.election.id),
    }


def refuse_closed(request, election, paper):
    request.override_renderer = "elections/ballot.jinja2"
    return ballot_values(request, election, paper, error="The poll is not open.", status=409) | {
        "closed": True
    }


def ballot_again(request, election, member, choices, refused: ElectionError):
    """The ballot shown again after a cast refused: as closed if the poll is, else with what
    to put right and what the voter marked."""
    paper = elections.ballot_paper(election, member)
    if not elections.accepting(election, request.now):
        return refuse_closed(request, election, paper)
    request.override_renderer = "elections/ballot.jinja2"
    return ballot_values(request, election, paper, choices, str(refused))


def already_voted(request, election):
    request.response.status = 409
    request.override_renderer = "elections/already_voted.jinja2"
    return common(request, election)


def open_ballot(context, request):
    """(paper, refusal) for the ballot pages: the refusal is the page to answer with when the
    voter has voted or the poll is not open, else None."""
    election = context.election
    paper = elections.ballot_paper(election, context.voter)
    if context.roll_entry.voted:
        return paper, already_voted(request, election)
    if not elections.accepting(election, request.now):
        return paper, refuse_closed(request, election, paper)
    return paper, None


@view_config(
    route_name="election_ballot",
    renderer="elections/ballot.jinja2",
    request_method=READ,
    permission=Permission.ELECTIONS_VOTE,
)
@view_config(
    route_name="vote_ballot",
    renderer="elections/ballot.jinja2",
    request_method=READ,
    permission=Permission.ELECTIONS_VOTE_BY_CODE,
)
def ballot(context, request):
    paper, refusal = open_ballot(context, request)
    return refusal or ballot_values(request, context.election, paper)


@view_config(
    route_name="election_ballot",
    renderer="elections/ballot.jinja2",
    request_method="POST",
    permission=Permission.ELECTIONS_VOTE,
)
@view_config(
    route_name="vote_ballot",
    renderer="elections/ballot.jinja2",
    request_method="POST",
    permission=Permission.ELECTIONS_VOTE_BY_CODE,
)
def review(context, request):
    """Check the ballot and show it back before it is cast; "change" shows the form again."""
    election = context.election
    paper, refusal = open_ballot(context, request)
    if refusal is not None:
        return refusal
    choices = submitted_choices(request, election, [c.id for c in paper])
    if "change" in request.POST:
        return ballot_values(request, election, paper, choices)
    try:
        preferences = judge(election, choices)
    except ElectionError as refused:
        return ballot_values(request, election, paper, choices, str(refused))
    by_id = {c.id: c for c in paper}
    request.override_renderer = "elections/review.jinja2"
    return {
        **ballot_values(request, election, paper, choices),
        "chosen": [by_id[candidate_id] for candidate_id in preferences],
    }


@view_config(route_name="election_cast", request_method=READ, permission=Permission.ELECTIONS_VOTE)
@view_config(
    route_name="vote_cast", request_method=READ, permission=Permission.ELECTIONS_VOTE_BY_CODE
)
def back_to_ballot(context, request):
    """The cast address asked for as a page (a reload, a link kept, the back button): the
    ballot again, which says so if the vote is already cast."""
    return HTTPSeeOther(ballot_urls(request)["ballot_url"])


@view_config(
    route_name="election_cast",
    renderer="elections/receipt.jinja2",
    request_method="POST",
    permission=Permission.ELECTIONS_VOTE,
)
@view_config(
    route_name="vote_cast",
    renderer="elections/receipt.jinja2",
    request_method="POST",
    permission=Permission.ELECTIONS_VOTE_BY_CODE,
)
def cast(context, request):
    """Cast the ballot. The ballot is sealed and the receipt page and email (its tracker) made
    before the cast, so that the election's lock, taken by the cast and held to the commit,
    covers only the ballot's writes. The tracker is emailed to a voter who chose email; it is
    on the page for everyone."""
    election = context.election
    member = context.voter
    by_code = getattr(context, "opened_by_code", None) is not None
    # The ids of the candidates are all a cast needs of them; the paper (their order for this
    # voter) only when the ballot is shown again.
    candidate_ids = elections.accepted_ids(request.dbsession, election)
    choices = submitted_choices(request, election, candidate_ids)
    try:
        # Sealed here, before the election's lock: its tracker is the receipt.
        sealed = elections.seal(election, judge(election, choices, candidate_ids))
    except ElectionError as refused:
        settle(request, refused)
        return ballot_again(request, election, member, choices, refused)
    voter = notices.member_recipient(member)
    emailed = voter.channel is notices.Channel.EMAIL
    if emailed:
        # Kept only if the cast commits: a refused cast dooms the transaction.
        notices.send(
            request,
            kind="election_receipt",
            template="election_receipt",
            recipients=[voter],
            election=election,
            receipt=sealed.tracker,
            # The election's page: it says when the trackers appear, then links to them.
            link=request.route_url("election", election_id=election.id, _anchor="trackers"),
        )
    page = render_to_response(
        "elections/receipt.jinja2",
        # What the receipt shows, and no more: it is made on every cast.
        {"election": election, "receipt": sealed.tracker, "emailed": emailed},
        request,
    )
    try:
        elections.cast(
            request.dbsession,
            election.id,
            member.id,
            sealed,
            key=elections.chain_key(request.registry.settings["tmo.secret"]),
            now=request.now,
            channel="code" if by_code else "online",
        )
    except elections.AlreadyVoted as refused:
        settle(request, refused)
        return already_voted(request, election)
    except ElectionError as refused:
        settle(request, refused)
        return ballot_again(request, election, member, choices, refused)
    if by_code:
        # The code is spent: its pass goes with it.
        page.delete_cookie(VOTING_PASS_COOKIE, path=request.route_path("vote"))
    return page
