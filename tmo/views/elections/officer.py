"""The returning officer's pages: the elections they officiate at, setting one up, each
election's working page and its next step, deciding nominations, cancelling, and entering paper
ballots. The election's scrutineer reads them all and changes nothing."""

import colander
from pyramid.view import view_config

from tmo.constitution import SeatCategoryKey
from tmo.forms import FormPage, act, form_page
from tmo.permissions import Permission, Role
from tmo.rules.elections import STATUS_LABELS
from tmo.rules.sealing import fingerprint
from tmo.schemas.elections import (
    NOBODY,
    CancelSchema,
    DecisionSchema,
    PaperBatchSchema,
    election_schema,
)
from tmo.services import checkpoints, elections
from tmo.services.accounts import accounts_holding
from tmo.services.elections import ElectionError
from tmo.services.paging import page_number, paginate
from tmo.services.register_search import member_number
from tmo.views import READ
from tmo.views.elections import common


@view_config(
    route_name="elections_manage",
    renderer="elections/manage_list.jinja2",
    request_method=READ,
    permission=Permission.ELECTIONS_OFFICIATE,
)
def manage_list(request):
    query = elections.officiated_by_query(request.account.id)
    return {
        "page": paginate(request.dbsession, query, page_number(request.params.get("page"))),
        "status_of": lambda election: elections.status_of(election, request.now),
        "status_labels": STATUS_LABELS,
    }


@form_page("election_new", "form.jinja2", Permission.ELECTIONS_SET_UP)
class NewElectionPage(FormPage):
    submit_label = "Set up the election"
    heading = "Set up an election"

    def back(self):
        return self.request.route_url("elections_manage"), "Back to elections"

    def intro(self):
        rules = self.request.constitution.elections
        return [
            f"The constitution's timeline: nominations open {rules.notice_days} days after notice "
            f"is given and stay open {rules.nomination_days} days; the poll opens "
            f"{rules.statements_days} days after nominations close and stays open "
            f"{rules.poll_days} days. The returning officer cannot stand as a candidate."
        ]

    def make_schema(self):
        constitution = self.request.constitution
        categories = [
            (c.key, c.name, c.seats)
            for c in constitution.board.seat_categories
            if c.filled_by == "election"
        ]
        dbsession = self.request.dbsession
        return election_schema(
            categories,
            accounts_holding(dbsession, Role.RETURNING_OFFICER),
            accounts_holding(dbsession, Role.SCRUTINEER),
            constitution.elections.method,
        ).bind(request=self.request)

    def initial(self):
        seats, description = elections.seats_falling_due(
            self.request.dbsession,
            self.request.constitution,
            SeatCategoryKey.RESIDENT,
            self.request.today,
        )
        return {
            "method": self.request.constitution.elections.method,
            "returning_officer": str(self.request.account.id),
            "notice_on": self.request.today,
            "seats": seats or colander.null,
            "seats_description": description,
        }

    def succeed(self, form, appstruct):
        scrutineer = appstruct["scrutineer"]
        election = elections.create(
            self.request.dbsession,
            self.request.constitution,
            title=appstruct["title"],
            method=appstruct["method"],
            seats=appstruct["seats"],
            seat_category=appstruct["seat_category"],
            seats_description=appstruct["seats_description"],
            returning_officer_id=int(appstruct["returning_officer"]),
            scrutineer_id=None if scrutineer == NOBODY else int(scrutineer),
            notice_on=appstruct["notice_on"],
            actor_id=self.request.account.id,
            now=self.request.now,
        )
        return self.redirect("election_manage", "The election is set up.", election_id=election.id)


@view_config(
    route_name="election_manage",
    renderer="elections/manage.jinja2",
    request_method=READ,
    permission=Permission.ELECTIONS_OBSERVE,
)
def manage(context, request):
    election = context.election
    now = request.now
    # Verifying reads every ballot: done once the poll has closed, not on every look during it.
    closed = elections.closed(election, now) and election.roll_frozen_on is not None
    return {
        **common(request, election),
        "moves": elections.moves(election, now),
        "missing": {c.id: elections.complete(c) for c in election.candidates},
        "turnout": elections.turnout(request.dbsession, election)
        if election.roll_frozen_on
        else None,
        "problems": elections.verify(request.dbsession, election, key=chain_key(request))
        if closed
        else None,
        "holder": elections.key_holder(election),
        "fingerprint": fingerprint(election.sealing_key) if election.sealing_key else "",
        "holds_key": request.has_permission(Permission.ELECTIONS_KEY_HOLD, context),
        "paper": elections.surname_order(elections.accepted(election)),
        "accepting": elections.accepting(election, now),
        "checkpoint": checkpoints.latest(request.dbsession, election),
    }


def chain_key(request) -> bytes:
    return elections.chain_key(request.registry.settings["tmo.secret"])


def take_step(request, election, action: str) -> str:
    """Take the returning officer's next step; the words of its success."""
    dbsession, actor, now = request.dbsession, request.account.id, request.now
    if action not in dict(elections.moves(election, now)):
        raise ElectionError("That step cannot be taken now.")
    if action == "open_nominations":
        elections.open_nominations(dbsession, election, actor, now)
        return "Nominations are open."
    if action == "close_nominations":
        elections.close_nominations(dbsession, election, actor, now)
        return "Nominations are closed."
    if action == "reopen_nominations":
        elections.reopen_nominations(dbsession, request.constitution, election, actor, now)
        return "Nominations are open again."
    if action == "open_poll":
        reach = elections.open_poll(request, election, actor)
        return f"The roll is frozen: {reach.total} voters are on it. The notice: {reach.summary()}"
    if action == "open_box":
        holder = elections.key_holder(election).display_name
        raise ElectionError(f"The box is opened with the sealing key by {holder}, who holds it.")
    if action == "count":
        elections.count(dbsession, election, actor, now)
        return "The votes are counted. Check the result sheet, then declare the result."
    winners, reach = elections.declare(request, election, actor, request.today)
    names = ", ".join(c.name for c in winners)
    return f"The result is declared: {names} elected. Telling the members: {reach.summary()}"


@view_config(route_name="election_move", request_method="POST", permission=Permission.ELECTIONS_RUN)
def move(context, request):
    return act(
        request,
        lambda: take_step(request, context.election, request.POST.get("action", "")),
        request.route_url("election_manage", election_id=context.election.id),
    )


class ReturningOfficerPage(FormPage):
    """A form of the returning officer's about one election, on the one form template."""

    def back(self):
        election = self.context.election
        return (
            self.request.route_url("election_manage", election_id=election.id),
            f"Back to {election.title}",
        )

    def extra(self):
        election = self.context.election
        return {
            **common(self.request, election),
            "paper": elections.surname_order(elections.accepted(election)),
        }


@form_page(
    "election_decide",
    "elections/decide.jinja2",
    Permission.ELECTIONS_OBSERVE,
    post_permission=Permission.ELECTIONS_RUN,
)
class DecidePage(ReturningOfficerPage):
    schema = DecisionSchema
    submit_label = "Record the decision"

    @property
    def heading(self):
        return f"Nomination of {self.context.candidate.name}"

    def extra(self):
        candidate = self.context.candidate
        return {
            **common(self.request, self.context.election),
            "candidate": candidate,
            "missing": elections.complete(candidate),
            "ineligible": elections.eligibility(
                self.request.constitution, candidate, self.request.today
            ),
        }

    def succeed(self, form, appstruct):
        candidate = self.context.candidate
        elections.decide(
            self.request.dbsession,
            self.request.constitution,
            candidate,
            accept=appstruct["decision"] == "accept",
            reason=appstruct["reason"],
            actor_id=self.request.account.id,
            now=self.request.now,
        )
        return self.redirect(
            "election_manage",
            f"The nomination of {candidate.name} is {candidate.status}.",
            election_id=self.context.election.id,
        )


@form_page("election_cancel", "form.jinja2", Permission.ELECTIONS_RUN)
class CancelPage(ReturningOfficerPage):
    schema = CancelSchema
    submit_label = "Cancel the election"
    default_field = "reason"

    @property
    def heading(self):
        return f"Cancel {self.context.election.title}"

    def intro(self):
        return [
            "A cancelled election cannot be restarted: set up a new one. The reason is published."
        ]

    def succeed(self, form, appstruct):
        elections.cancel(
            self.request.dbsession,
            self.context.election,
            appstruct["reason"],
            self.request.account.id,
            self.request.now,
        )
        return self.redirect(
            "election_manage", "The election is cancelled.", election_id=self.context.election.id
        )


@form_page("election_paper", "elections/paper.jinja2", Permission.ELECTIONS_RUN)
class PaperBatchPage(ReturningOfficerPage):
    schema = PaperBatchSchema
    submit_label = "Enter the batch"
    heading = "Enter a batch of paper ballots"
    default_field = "papers"

    def intro(self):
        return [
            "Mark every voter who returned a paper, then type the papers in any order. A voter "
            "who has already voted, online or on paper, is refused, and nothing of the batch is "
            "kept. The papers of a batch are mixed before they are added, so enter them several "
            "at a time: a batch of one paper says whose ballot it is."
        ]

    def succeed(self, form, appstruct):
        numbers = []
        for line in appstruct["voters"].splitlines():
            if not line.strip():
                continue
            number = member_number(line.strip())
            if number is None:
                raise ElectionError(
                    f"“{line.strip()}” is not a member number (like M000123 or 123).", "voters"
                )
            numbers.append(number)
        papers = [
            elections.read_paper(self.context.election, line)
            for line in appstruct["papers"].splitlines()
            if line.strip()
        ]
        entered = elections.enter_paper_batch(
            self.request.dbsession,
            self.context.election,
            numbers,
            papers,
            self.request.account.id,
            key=chain_key(self.request),
            now=self.request.now,
        )
        return self.redirect(
            "election_manage",
            f"{entered} paper ballots entered and their voters marked on the roll.",
            election_id=self.context.election.id,
        )
