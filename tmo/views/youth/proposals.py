"""Proposals: the list (search, filter, paging), each proposal's page with the steps the asker
may take on it, its quote and receipt, and its proposer's own steps: suggesting an idea, changing
it, sending it to the youth worker and withdrawing it."""

from pyramid.view import view_config

from tmo.forms import FormPage, form_page
from tmo.permissions import Permission
from tmo.rules import youth as rules
from tmo.rules.youth import ProposalStatus, Step
from tmo.schemas.youth import ConfirmSchema, proposal_schema
from tmo.services import files, youth
from tmo.services.paging import page_number, paginate
from tmo.views import READ
from tmo.views.youth import forum_member, name_for, ratified_by, upload_pair

P = Permission
# The steps a proposal's page offers, each to those its permission grants while the lifecycle
# allows it: (step, route, words, permission). Voting, declaring an interest and counting the
# forum's vote are offered by ``proposal_steps`` itself.
STEPS = (
    (Step.EDIT, "youth_proposal_edit", "Change the proposal", P.YOUTH_PROPOSAL_EDIT),
    (Step.SUBMIT, "youth_proposal_submit", "Send it to the youth worker", P.YOUTH_PROPOSAL_EDIT),
    (Step.WITHDRAW, "youth_proposal_withdraw", "Withdraw the proposal", P.YOUTH_PROPOSAL_EDIT),
    (Step.OPEN_VOTE, "youth_proposal_check", "Check the proposal", P.YOUTH_PROPOSAL_MANAGE),
)
AFTER_THE_VOTE = (
    (Step.RATIFY, "youth_proposal_ratify", "Record the board's decision", P.YOUTH_PROPOSAL_RATIFY),
    (Step.SPEND, "youth_proposal_spend", "Record the spend", P.YOUTH_PROPOSAL_MANAGE),
    (Step.REPORT, "youth_proposal_report", "Report back", P.YOUTH_PROPOSAL_REPORT),
)


@view_config(
    route_name="youth_proposals",
    renderer="youth/proposals.jinja2",
    request_method=READ,
    permission=Permission.YOUTH_READ,
)
def proposals(context, request):
    status = request.params.get("status", "")
    if status not in rules.STATUSES:
        status = ""
    search = request.params.get("q", "").strip()[:100]
    query = youth.proposals_query(request.account.id, status, search)
    return {
        "page": paginate(request.dbsession, query, page_number(request.params.get("page"))),
        "status": status,
        "search": search,
        "statuses": rules.STATUSES,
        "name_for": name_for(request, context),
    }


def proposal_steps(context, request) -> list[tuple[str, str]]:
    """(route, words) of each step the asker may take on the proposal now."""
    proposal = context.proposal
    status = proposal.status

    def offered(steps):
        return [
            (route, words)
            for step, route, words, permission in steps
            if rules.transition_problem(status, step) is None
            and request.has_permission(permission, context)
        ]

    steps = offered(STEPS)
    if (
        status in rules.BEFORE_THE_COUNT
        and request.has_permission(P.YOUTH_PROPOSAL_VOTE, context)
        and context.vote is None
        and not context.interest
    ):
        if status == ProposalStatus.VOTING and request.today < proposal.vote_closes_on:
            steps.append(("youth_proposal_vote", "Vote on this proposal"))
        steps.append(("youth_proposal_interest", "Declare an interest"))
    if status == ProposalStatus.VOTING and request.has_permission(P.YOUTH_PROPOSAL_MANAGE, context):
        steps.append(("youth_proposal_remind", "Remind those who have not voted"))
        steps.append(("youth_proposal_count", "Count the votes"))
    return steps + offered(AFTER_THE_VOTE)


@view_config(
    route_name="youth_proposal",
    renderer="youth/proposal.jinja2",
    request_method=READ,
    permission=Permission.YOUTH_READ,
)
def proposal_page(context, request):
    proposal = context.proposal
    voting = proposal.status in rules.BEFORE_THE_COUNT and request.has_permission(
        P.YOUTH_PROPOSAL_VOTE, context
    )
    turnout = None
    if proposal.status == ProposalStatus.VOTING:
        turnout = youth.turnout(request.dbsession, request.constitution, proposal, request.today)
    return {
        "proposal": proposal,
        "proposer": name_for(request, context)(proposal.proposer),
        "statuses": rules.STATUSES,
        "categories": youth.CATEGORY_NAMES,
        "choices": rules.CHOICES,
        "actions": proposal_steps(context, request),
        "vote": context.vote if voting else None,
        "interest": context.interest if voting else False,
        "turnout": turnout,
        "needs_ratification": rules.needs_ratification(
            proposal.cost_pence, request.constitution.youth
        ),
        "ratified_by": ratified_by(request, proposal),
    }


@view_config(route_name="youth_file", request_method=READ, permission=Permission.YOUTH_READ)
def proposal_file(context, request):
    """A proposal's quote or receipt, for those who may know of the proposal."""
    return files.download(context.file)


class ProposalFormPage(FormPage):
    """A form about one proposal, which goes back to the proposal's page; when the step moved
    the proposal on, its proposer is told."""

    def __init__(self, context, request):
        super().__init__(context, request)
        self.status_before = context.proposal.status

    def back(self):
        proposal = self.context.proposal
        return (
            self.request.route_url("youth_proposal", proposal_id=proposal.id),
            f"Back to “{proposal.title}”",
        )

    def done(self, message: str):
        youth.tell_proposer(self.request, self.context.proposal, self.status_before)
        return self.redirect("youth_proposal", message, proposal_id=self.context.proposal.id)


def proposal_fields(appstruct) -> youth.ProposalFields:
    return youth.ProposalFields(
        title=appstruct["title"],
        what_and_why=appstruct["what_and_why"],
        who_benefits=appstruct["who_benefits"],
        category=appstruct["category"],
        cost_pence=appstruct["cost_pence"],
        cost_breakdown=appstruct["cost_breakdown"],
    )


@form_page("youth_proposal_new", "form.jinja2", Permission.YOUTH_TAKE_PART)
class NewProposalPage(FormPage):
    submit_label = "Save my idea"
    heading = "Suggest a way to spend the budget"

    def intro(self):
        return [
            "Tell the forum your idea. You can save it and come back to it; when it is ready, "
            "send it to the youth worker, who checks it can be done before the forum votes.",
        ]

    def back(self):
        return (self.request.route_url("youth_forum"), "Back to the Youth Forum")

    def make_schema(self):
        return proposal_schema(quote_required=False).bind(request=self.request)

    def succeed(self, form, appstruct):
        proposal = youth.draft_proposal(
            self.request.dbsession,
            forum_member(self.request),
            proposal_fields(appstruct),
            quote=upload_pair(appstruct["quote"], youth.EVIDENCE_MAX_BYTES),
            actor_id=self.request.account.id,
        )
        return self.redirect(
            "youth_proposal",
            "Your idea is saved. Send it to the youth worker when it is ready.",
            proposal_id=proposal.id,
        )


@form_page("youth_proposal_edit", "form.jinja2", Permission.YOUTH_PROPOSAL_EDIT)
class EditProposalPage(ProposalFormPage):
    submit_label = "Save the changes"
    heading = "Change your proposal"

    def intro(self):
        proposal = self.context.proposal
        if proposal.worker_comments and proposal.status == ProposalStatus.RETURNED:
            return [f"The youth worker's comments: {proposal.worker_comments}"]
        return []

    def make_schema(self):
        return proposal_schema(quote_required=False).bind(request=self.request)

    def initial(self):
        p = self.context.proposal
        return {
            "title": p.title,
            "what_and_why": p.what_and_why,
            "who_benefits": p.who_benefits,
            "category": p.category,
            "cost_pence": p.cost_pence,
            "cost_breakdown": p.cost_breakdown,
        }

    def succeed(self, form, appstruct):
        youth.edit_proposal(
            self.request.dbsession,
            self.context.proposal,
            forum_member(self.request),
            proposal_fields(appstruct),
            quote=upload_pair(appstruct["quote"], youth.EVIDENCE_MAX_BYTES),
            actor_id=self.request.account.id,
        )
        return self.done("Your changes are saved.")


@form_page("youth_proposal_submit", "form.jinja2", Permission.YOUTH_PROPOSAL_EDIT)
class SubmitPage(ProposalFormPage):
    schema = ConfirmSchema
    submit_label = "Send it to the youth worker"
    heading = "Send your proposal to the youth worker"

    def intro(self):
        return [
            "The youth worker checks that it can be done and is allowed. Then the forum votes "
            "on it, or the youth worker sends it back to you with comments."
        ]

    def succeed(self, form, appstruct):
        youth.submit_proposal(
            self.request.dbsession,
            self.context.proposal,
            forum_member(self.request),
            actor_id=self.request.account.id,
            now=self.request.now,
        )
        return self.done("Sent! The youth worker will check it.")


@form_page("youth_proposal_withdraw", "form.jinja2", Permission.YOUTH_PROPOSAL_EDIT)
class WithdrawPage(ProposalFormPage):
    schema = ConfirmSchema
    submit_label = "Withdraw the proposal"
    heading = "Withdraw your proposal"

    def intro(self):
        return ["The forum will not vote on it. You can always suggest a new idea."]

    def succeed(self, form, appstruct):
        youth.withdraw_proposal(
            self.request.dbsession,
            self.context.proposal,
            forum_member(self.request),
            actor_id=self.request.account.id,
        )
        return self.done("Your proposal is withdrawn.")
