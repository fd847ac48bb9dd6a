"""Youth Forum pages: the public summary; joining; the budget dashboard, ledger, CSV and the
board's PDF report; proposals and each step of their lifecycle; the youth worker's list of
members and applications; and the election of the chair."""

import csv
import io
from datetime import date

from pyramid.httpexceptions import HTTPFound, HTTPNotFound
from pyramid.renderers import render_to_response
from pyramid.response import Response
from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.view import view_config
from sqlalchemy import or_, select

from tmo.forms import FormPage, form_page
from tmo.models.youth import (
    YouthBudgetYear,
    YouthChairElection,
    YouthChairTerm,
    YouthLedgerEntry,
    YouthMember,
    YouthProposal,
    YouthReportPhoto,
)
from tmo.permissions import Permission
from tmo.rules import meetings as meeting_rules
from tmo.rules import youth as rules
from tmo.schemas.files import read_upload
from tmo.schemas.youth import (
    PHOTO_FIELDS,
    AdjustSchema,
    CheckSchema,
    ConfirmSchema,
    InterestSchema,
    JoinSchema,
    MemberDecisionSchema,
    SpendSchema,
    VoteSchema,
    chair_open_schema,
    chair_vote_schema,
    proposal_schema,
    ratify_schema,
    report_schema,
)
from tmo.services import files, youth
from tmo.services.mail import send_mail
from tmo.services.paging import page_number, paginate
from tmo.services.pdf import pdf_response, render_pdf
from tmo.services.search import LIKE_ESCAPE, contains_pattern

READ = ("GET", "HEAD")
# Proposals the public summary lists: agreed by the forum and funded.
FUNDED = (rules.AWAITING_RATIFICATION, rules.COMMITTED, rules.SPENT, rules.REPORTED)
MEMBER_FILTERS = (
    ("applied", "Waiting for approval"),
    ("approved", "Approved"),
    ("rejected", "Not approved"),
)


def today() -> date:
    return date.today()


def is_worker(request) -> bool:
    return request.has_permission(Permission.YOUTH_MANAGE)


def name_for(request, member: YouthMember) -> str:
    """Youth workers see a member's full name; everyone else sees what privacy allows."""
    if is_worker(request):
        return youth.full_name(member)
    return youth.shown_name(member, today())


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
    if upload is None:
        return None
    return read_upload(upload, maximum_bytes), upload.get("filename") or "upload"


def chart(summary: youth.Summary | None) -> dict | None:
    """The dashboard's bar chart as coordinates: for each month so far, a bar for the money
    committed (including what has been spent) and one for the money spent, against the year's
    budget."""
    if summary is None:
        return None
    width, height, left, bottom = 640, 260, 70, 40
    plot = height - bottom - 10
    top = max([summary.balances.allocated, *(c for _, c, _ in summary.months), 1])
    slot = (width - left - 10) / 12
    bars = []
    for index, (month, committed, spent) in enumerate(summary.months):
        x = left + index * slot
        bars.append(
            {
                "label": month.strftime("%b"),
                "x_committed": round(x + slot * 0.1, 1),
                "x_spent": round(x + slot * 0.5, 1),
                "width": round(slot * 0.38, 1),
                "committed": committed,
                "spent": spent,
                "h_committed": round(plot * committed / top, 1),
                "h_spent": round(plot * spent / top, 1),
                "x_label": round(x + slot / 2, 1),
            }
        )
    ticks = [
        {"value": top * step // 4, "y": round(10 + plot - plot * step / 4, 1)} for step in range(5)
    ]
    categories = [
        {
            "name": name,
            "committed": committed,
            "spent": spent,
            "w_committed": round(400 * committed / top, 1),
            "w_spent": round(400 * spent / top, 1),
        }
        for name, committed, spent in summary.by_category
    ]
    return {
        "width": width,
        "height": height,
        "left": left,
        "base": 10 + plot,
        "bars": bars,
        "ticks": ticks,
        "categories": categories,
    }


def chosen_year(request, day: date) -> YouthBudgetYear | None:
    """The year asked for (``?year=2025-04-01``, its first day), else the year ``day`` is in."""
    try:
        asked = date.fromisoformat(request.params.get("year", ""))
    except ValueError:
        return youth.year_for(request.dbsession, request.constitution, day)
    return request.dbsession.scalar(
        select(YouthBudgetYear).where(YouthBudgetYear.starts_on == asked)
    )


def budget_values(request, day: date) -> dict:
    year = chosen_year(request, day)
    start = year.starts_on if year else rules.year_start(day, request.constitution.youth)
    # A past year's chart runs to its end; this year's, to today.
    summary = youth.summary(request.dbsession, year, min(day, year.ends_on)) if year else None
    years = request.dbsession.scalars(
        select(YouthBudgetYear).order_by(YouthBudgetYear.starts_on.desc())
    ).all()
    return {
        "year": year,
        "label": rules.year_label(start),
        "summary": summary,
        "chart": chart(summary),
        "money": rules.format_pounds,
        "years": [(y.starts_on.isoformat(), rules.year_label(y.starts_on)) for y in years],
        "year_query": {"year": year.starts_on.isoformat()} if year else {},
    }


# Public -------------------------------------------------------------------------------------


@view_config(
    route_name="youth",
    renderer="youth/public.jinja2",
    request_method=READ,
    permission=NO_PERMISSION_REQUIRED,
)
def public_summary(request):
    """What residents and the board may read: the year's money and what it was spent on (no
    young person's name)."""
    values = budget_values(request, today())
    year = values["year"]
    funded = []
    if year is not None:
        funded = request.dbsession.scalars(
            select(YouthProposal)
            .where(YouthProposal.year_id == year.id, YouthProposal.status.in_(FUNDED))
            .order_by(YouthProposal.decided_on.desc(), YouthProposal.id.desc())
        ).all()
    return {**values, "funded": funded, "statuses": rules.STATUSES}


@view_config(route_name="youth_photo", request_method=READ, permission=NO_PERMISSION_REQUIRED)
def photo(request):
    """A report's photo, kept only with consent recorded: shown to anyone."""
    shown = request.dbsession.get(YouthReportPhoto, int(request.matchdict["photo_id"]))
    if shown is None:
        raise HTTPNotFound()
    return files.download(shown.file, inline=True)


# Joining ------------------------------------------------------------------------------------


@view_config(
    route_name="youth_forum",
    renderer="youth/forum.jinja2",
    request_method=READ,
    permission=Permission.YOUTH_JOIN,
)
def forum(request):
    day = today()
    member = youth.live_membership(request.dbsession, request.account.id)
    notice = None
    ends = None
    if member is not None and member.status == youth.APPROVED:
        ends = youth.member_ends(member, request.constitution)
        notice = rules.ageing_out_notice(
            member.date_of_birth, member.left_on, request.constitution.youth, day
        )
    return {
        "member": member,
        "in_forum": youth.in_forum(member, request.constitution, day),
        "ends": ends,
        "notice": notice,
        "under_18": member is not None
        and rules.age_on(member.date_of_birth, day) < rules.ADULT_AGE,
    }


class YouthFormPage(FormPage):
    """A Youth Forum form on the shared page template: ``heading``, an introduction, and the
    form. A refusal (YouthError) goes back to the form, with nothing of the attempt kept."""

    heading = ""

    def intro(self) -> list[str]:
        return []

    def extra(self):
        return {"heading": self.heading, "intro": self.intro(), "back": self.back()}

    def back(self):
        return (self.request.route_url("youth_forum"), "Back to the Youth Forum")

    def succeed(self, form, appstruct):
        try:
            return self.act(appstruct)
        except youth.YouthError as refusal:
            # Nothing of the refused attempt (an uploaded file, say) is kept.
            self.request.tm.doom()
            field = refusal.field if refusal.field and refusal.field in form.schema else None
            return self.refuse(form, str(refusal), field)

    def act(self, appstruct):
        raise NotImplementedError

    def current_member(self) -> YouthMember:
        return youth.current_member(
            self.request.dbsession, self.request.constitution, self.request.account, today()
        )


@form_page("youth_join", "youth/form.jinja2", Permission.YOUTH_JOIN)
class JoinPage(YouthFormPage):
    schema = JoinSchema
    submit_label = "Ask to join"
    heading = "Join the Youth Forum"

    def intro(self):
        rules_ = self.request.constitution.youth
        return [
            f"The Youth Forum is for young people aged {rules_.minimum_age} to "
            f"{rules_.maximum_age} who live in the area. Members suggest ideas, vote on them "
            f"and decide how to spend {rules.format_pounds(rules_.annual_budget_pence)} a year.",
            "A youth worker checks every request to join. Until you are 18, other members see "
            "only your first name, and nobody sees a photo of you or how to contact you.",
        ]

    def get(self):
        if youth.live_membership(self.request.dbsession, self.request.account.id):
            return HTTPFound(self.request.route_url("youth_forum"))
        return super().get()

    def act(self, appstruct):
        day = today()
        if rules.too_young(appstruct["date_of_birth"], self.request.constitution.youth, day):
            # Nothing of theirs is kept, or shown back to them.
            self.request.tm.doom()
            return render_to_response(
                "youth/too_young.jinja2",
                {"message": rules.too_young_message(self.request.constitution.youth)},
                request=self.request,
            )
        youth.apply_to_join(
            self.request.dbsession,
            self.request.constitution,
            account=self.request.account,
            first_name=appstruct["first_name"],
            surname=appstruct["surname"],
            born=appstruct["date_of_birth"],
            postcode=appstruct["postcode"],
            today=day,
        )
        return self.redirect(
            "youth_forum", "Thank you! A youth worker will look at your request soon."
        )


@form_page("youth_leave", "youth/form.jinja2", Permission.YOUTH_TAKE_PART)
class LeavePage(YouthFormPage):
    schema = ConfirmSchema
    submit_label = "Leave the Youth Forum"
    heading = "Leave the Youth Forum"

    def intro(self):
        return [
            "You will no longer suggest ideas or vote. Ideas you suggested stay, so the forum "
            "can finish them. If you chair the forum, you stop chairing it today."
        ]

    def act(self, appstruct):
        youth.leave_forum(
            self.request.dbsession,
            self.current_member(),
            on=today(),
            actor_id=self.request.account.id,
        )
        return self.redirect("youth_forum", "You have left the Youth Forum. Thank you!")


# The budget ---------------------------------------------------------------------------------


@view_config(
    route_name="youth_budget",
    renderer="youth/budget.jinja2",
    request_method=READ,
    permission=Permission.YOUTH_READ,
)
def budget(request):
    return {
        **budget_values(request, today()),
        "counts": youth.status_counts(request.dbsession),
        "statuses": rules.STATUSES,
        "can_manage": is_worker(request),
    }


@form_page("youth_budget_open", "youth/form.jinja2", Permission.YOUTH_MANAGE)
class OpenYearPage(YouthFormPage):
    schema = ConfirmSchema
    submit_label = "Open the budget"
    heading = "Open this year's budget"

    def intro(self):
        rules_ = self.request.constitution.youth
        start = rules.year_start(today(), rules_)
        return [
            f"This allocates the devolved budget of "
            f"{rules.format_pounds(rules_.annual_budget_pence)} for {rules.year_label(start)}.",
            "If last year's budget is still open it is closed first: its unspent money "
            + ("carries over." if rules_.unspent_at_year_end == "carry_over" else "lapses."),
        ]

    def back(self):
        return (self.request.route_url("youth_budget"), "Back to the budget")

    def act(self, appstruct):
        year = youth.open_year(
            self.request.dbsession,
            self.request.constitution,
            day=today(),
            actor_id=self.request.account.id,
        )
        return self.redirect(
            "youth_budget", f"The {rules.year_label(year.starts_on)} budget is open."
        )


@form_page("youth_budget_adjust", "youth/form.jinja2", Permission.YOUTH_MANAGE)
class AdjustPage(OpenYearPage):
    schema = AdjustSchema
    submit_label = "Record the adjustment"
    heading = "Adjust the budget"

    def intro(self):
        return ["An adjustment changes this year's budget. Its reason is shown in the ledger."]

    def act(self, appstruct):
        sign = 1 if appstruct["direction"] == "add" else -1
        youth.adjust_budget(
            self.request.dbsession,
            self.request.constitution,
            amount=sign * appstruct["amount"],
            reason=appstruct["reason"],
            actor_id=self.request.account.id,
            today=today(),
        )
        return self.redirect("youth_budget", "The adjustment is recorded.")


def ledger_query(year_id: int):
    return (
        select(YouthLedgerEntry)
        .where(YouthLedgerEntry.year_id == year_id)
        .order_by(YouthLedgerEntry.entry_date, YouthLedgerEntry.id)
    )


@view_config(
    route_name="youth_ledger",
    renderer="youth/ledger.jinja2",
    request_method=READ,
    permission=Permission.YOUTH_READ,
)
def ledger(request):
    values = budget_values(request, today())
    page = None
    if values["year"] is not None:
        page = paginate(
            request.dbsession,
            ledger_query(values["year"].id),
            page_number(request.params.get("page")),
        )
    return {**values, "page": page, "kinds": rules.ENTRY_KINDS}


def pounds_text(pence: int) -> str:
    """Pence as a plain decimal a spreadsheet reads as a number: 123450 -> 1234.50."""
    sign = "-" if pence < 0 else ""
    return f"{sign}{abs(pence) // 100}.{abs(pence) % 100:02d}"


@view_config(route_name="youth_ledger_csv", request_method=READ, permission=Permission.YOUTH_READ)
def ledger_csv(request):
    year = chosen_year(request, today())
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["date", "kind", "amount_gbp", "proposal", "reason", "allocated", "committed", "spent"]
    )
    label = "none"
    if year is not None:
        label = rules.year_label(year.starts_on)
        running = rules.Balances()
        for entry in request.dbsession.scalars(ledger_query(year.id)):
            running = running.after(youth.as_entry(entry))
            writer.writerow(
                [
                    entry.entry_date.isoformat(),
                    entry.kind,
                    pounds_text(entry.amount_pence),
                    entry.proposal.title if entry.proposal else "",
                    entry.reason,
                    pounds_text(running.allocated),
                    pounds_text(running.committed),
                    pounds_text(running.spent),
                ]
            )
    response = Response(out.getvalue(), content_type="text/csv", charset="utf-8")
    response.content_disposition = f'attachment; filename="youth-ledger-{label}.csv"'
    return response


@view_config(route_name="youth_board_report", request_method=READ, permission=Permission.YOUTH_READ)
def board_report(request):
    day = today()
    values = budget_values(request, day)
    proposals = []
    if values["year"] is not None:
        proposals = request.dbsession.scalars(
            select(YouthProposal)
            .where(YouthProposal.year_id == values["year"].id)
            .order_by(YouthProposal.decided_on, YouthProposal.id)
        ).all()
    waiting = request.dbsession.scalars(
        select(YouthProposal).where(YouthProposal.status == rules.AWAITING_RATIFICATION)
    ).all()
    content = render_pdf(
        "youth/board_report_pdf.jinja2",
        {
            **values,
            "proposals": proposals,
            "waiting": waiting,
            "statuses": rules.STATUSES,
            "categories": youth.CATEGORY_NAMES,
            "day": day,
            "ratified_by": lambda proposal: ratified_by(request, proposal),
        },
        request,
    )
    return pdf_response(content, f"youth-forum-report-{values['label']}.pdf")


# Proposals ----------------------------------------------------------------------------------


@view_config(
    route_name="youth_proposals",
    renderer="youth/proposals.jinja2",
    request_method=READ,
    permission=Permission.YOUTH_READ,
)
def proposals(request):
    status = request.params.get("status", "")
    if status not in rules.STATUSES:
        status = ""
    search = request.params.get("q", "").strip()[:100]
    query = (
        select(YouthProposal)
        .join(YouthMember, YouthProposal.proposer_id == YouthMember.id)
        .where(  # a draft is its proposer's own until they send it
            or_(YouthProposal.status != rules.DRAFT, YouthMember.account_id == request.account.id)
        )
        .order_by(YouthProposal.created_at.desc(), YouthProposal.id.desc())
    )
    if status:
        query = query.where(YouthProposal.status == status)
    if search:
        pattern = contains_pattern(search)
        query = query.where(
            or_(
                YouthProposal.title.ilike(pattern, escape=LIKE_ESCAPE),
                YouthProposal.what_and_why.ilike(pattern, escape=LIKE_ESCAPE),
            )
        )
    page = paginate(request.dbsession, query, page_number(request.params.get("page")))
    return {
        "page": page,
        "status": status,
        "search": search,
        "statuses": rules.STATUSES,
        "money": rules.format_pounds,
        "name_for": lambda member: name_for(request, member),
        "can_propose": request.has_permission(Permission.YOUTH_TAKE_PART),
    }


def proposal_or_404(request) -> YouthProposal:
    """The proposal in the path; a draft only for its proposer."""
    proposal = request.dbsession.get(YouthProposal, int(request.matchdict["proposal_id"]))
    if proposal is None:
        raise HTTPNotFound()
    if proposal.status == rules.DRAFT and proposal.proposer.account_id != request.account.id:
        raise HTTPNotFound()
    return proposal


@view_config(
    route_name="youth_proposal",
    renderer="youth/proposal.jinja2",
    request_method=READ,
    permission=Permission.YOUTH_READ,
)
def proposal_page(request):
    proposal = proposal_or_404(request)
    day = today()
    dbsession = request.dbsession
    member = youth.live_membership(dbsession, request.account.id)
    mine = member is not None and member.id == proposal.proposer_id
    active = youth.in_forum(member, request.constitution, day)
    status = proposal.status

    def allowed(action):
        return rules.transition_problem(status, action) is None

    actions = []
    if active and mine and allowed("edit"):
        actions.append(("youth_proposal_edit", "Change the proposal"))
    if active and mine and allowed("submit"):
        actions.append(("youth_proposal_submit", "Send it to the youth worker"))
    if active and mine and allowed("withdraw"):
        actions.append(("youth_proposal_withdraw", "Withdraw the proposal"))
    if request.has_permission(Permission.YOUTH_MANAGE) and allowed("open_vote"):
        actions.append(("youth_proposal_check", "Check the proposal"))
    voted = vote = None
    interest = False
    if active and status in (rules.SUBMITTED, rules.VOTING):
        vote = youth.vote_of(dbsession, proposal, member)
        interest = youth.has_interest(dbsession, proposal, member)
        if vote is None and not interest:
            if status == rules.VOTING and day < proposal.vote_closes_on:
                actions.append(("youth_proposal_vote", "Vote on this proposal"))
            actions.append(("youth_proposal_interest", "Declare an interest"))
    if status == rules.VOTING:
        voted = youth.turnout(dbsession, request.constitution, proposal, day)
        if request.has_permission(Permission.YOUTH_MANAGE):
            actions.append(("youth_proposal_count", "Count the votes"))
    if request.has_permission(Permission.YOUTH_RATIFY) and allowed("ratify"):
        actions.append(("youth_proposal_ratify", "Record the board's decision"))
    if request.has_permission(Permission.YOUTH_MANAGE) and allowed("spend"):
        actions.append(("youth_proposal_spend", "Record the spend"))
    if allowed("report") and (request.has_permission(Permission.YOUTH_MANAGE) or (active and mine)):
        actions.append(("youth_proposal_report", "Report back"))
    return {
        "proposal": proposal,
        "proposer": name_for(request, proposal.proposer),
        "statuses": rules.STATUSES,
        "categories": youth.CATEGORY_NAMES,
        "choices": rules.CHOICES,
        "money": rules.format_pounds,
        "actions": actions,
        "vote": vote,
        "interest": interest,
        "turnout": voted,
        "needs_ratification": rules.needs_ratification(
            proposal.cost_pence, request.constitution.youth
        ),
        "ratified_by": ratified_by(request, proposal),
    }


class ProposalFormPage(YouthFormPage):
    def __init__(self, context, request):
        super().__init__(context, request)
        self.proposal = proposal_or_404(request)

    def back(self):
        return (
            self.request.route_url("youth_proposal", proposal_id=self.proposal.id),
            f"Back to “{self.proposal.title}”",
        )

    def done(self, message: str):
        return self.redirect("youth_proposal", message, proposal_id=self.proposal.id)


def proposal_fields(appstruct) -> youth.ProposalFields:
    return youth.ProposalFields(
        title=appstruct["title"],
        what_and_why=appstruct["what_and_why"],
        who_benefits=appstruct["who_benefits"],
        category=appstruct["category"],
        cost_pence=appstruct["cost_pence"],
        cost_breakdown=appstruct["cost_breakdown"],
    )


@form_page("youth_proposal_new", "youth/form.jinja2", Permission.YOUTH_TAKE_PART)
class NewProposalPage(YouthFormPage):
    submit_label = "Save my idea"
    heading = "Suggest a way to spend the budget"

    def intro(self):
        return [
            "Tell the forum your idea. You can save it and come back to it; when it is ready, "
            "send it to the youth worker, who checks it can be done before the forum votes.",
        ]

    def make_schema(self):
        return proposal_schema(quote_required=False).bind(request=self.request)

    def act(self, appstruct):
        proposal = youth.draft_proposal(
            self.request.dbsession,
            self.current_member(),
            proposal_fields(appstruct),
            quote=upload_pair(appstruct["quote"], youth.EVIDENCE_MAX_BYTES),
            actor_id=self.request.account.id,
        )
        return self.redirect(
            "youth_proposal",
            "Your idea is saved. Send it to the youth worker when it is ready.",
            proposal_id=proposal.id,
        )


@form_page("youth_proposal_edit", "youth/form.jinja2", Permission.YOUTH_TAKE_PART)
class EditProposalPage(ProposalFormPage):
    submit_label = "Save the changes"
    heading = "Change your proposal"

    def intro(self):
        if self.proposal.worker_comments and self.proposal.status == rules.RETURNED:
            return [f"The youth worker's comments: {self.proposal.worker_comments}"]
        return []

    def make_schema(self):
        return proposal_schema(quote_required=False).bind(request=self.request)

    def initial(self):
        p = self.proposal
        return {
            "title": p.title,
            "what_and_why": p.what_and_why,
            "who_benefits": p.who_benefits,
            "category": p.category,
            "cost_pence": p.cost_pence,
            "cost_breakdown": p.cost_breakdown,
        }

    def act(self, appstruct):
        youth.edit_proposal(
            self.request.dbsession,
            self.proposal,
            self.current_member(),
            proposal_fields(appstruct),
            quote=upload_pair(appstruct["quote"], youth.EVIDENCE_MAX_BYTES),
            actor_id=self.request.account.id,
        )
        return self.done("Your changes are saved.")


@form_page("youth_proposal_submit", "youth/form.jinja2", Permission.YOUTH_TAKE_PART)
class SubmitPage(ProposalFormPage):
    schema = ConfirmSchema
    submit_label = "Send it to the youth worker"
    heading = "Send your proposal to the youth worker"

    def intro(self):
        return [
            "The youth worker checks that it can be done and is allowed. Then the forum votes "
            "on it, or the youth worker sends it back to you with comments."
        ]

    def act(self, appstruct):
        youth.submit_proposal(
            self.request.dbsession,
            self.proposal,
            self.current_member(),
            actor_id=self.request.account.id,
        )
        return self.done("Sent! The youth worker will check it.")


@form_page("youth_proposal_withdraw", "youth/form.jinja2", Permission.YOUTH_TAKE_PART)
class WithdrawPage(ProposalFormPage):
    schema = ConfirmSchema
    submit_label = "Withdraw the proposal"
    heading = "Withdraw your proposal"

    def intro(self):
        return ["The forum will not vote on it. You can always suggest a new idea."]

    def act(self, appstruct):
        youth.withdraw_proposal(
            self.request.dbsession,
            self.proposal,
            self.current_member(),
            actor_id=self.request.account.id,
        )
        return self.done("Your proposal is withdrawn.")


@form_page("youth_proposal_check", "youth/form.jinja2", Permission.YOUTH_MANAGE)
class CheckPage(ProposalFormPage):
    schema = CheckSchema
    submit_label = "Record the check"
    heading = "Check the proposal"

    def intro(self):
        days = self.request.constitution.youth.voting_days
        return [
            "Check that it can be done and is allowed: this is not choosing between ideas, "
            f"which the forum does. A vote stays open for {days} days, or until every member "
            "who may vote has voted."
        ]

    def act(self, appstruct):
        if appstruct["decision"] == "vote":
            youth.open_vote(
                self.request.dbsession,
                self.request.constitution,
                self.proposal,
                comments=appstruct["comments"],
                actor_id=self.request.account.id,
                today=today(),
            )
            return self.done("The forum's vote is open.")
        youth.return_proposal(
            self.request.dbsession,
            self.proposal,
            comments=appstruct["comments"],
            actor_id=self.request.account.id,
        )
        return self.done("The proposal is sent back with your comments.")


@form_page("youth_proposal_interest", "youth/form.jinja2", Permission.YOUTH_TAKE_PART)
class InterestPage(ProposalFormPage):
    schema = InterestSchema
    submit_label = "Declare my interest"
    heading = "Declare an interest"

    def intro(self):
        return [
            "If you, your family or a close friend would gain from this proposal, say so. "
            "You will not vote on it; that keeps the forum's decisions fair."
        ]

    def act(self, appstruct):
        youth.declare_interest(
            self.request.dbsession,
            self.proposal,
            self.current_member(),
            note=appstruct["note"],
            actor_id=self.request.account.id,
        )
        return self.done("Your interest is recorded. Thank you for saying.")


@form_page("youth_proposal_vote", "youth/form.jinja2", Permission.YOUTH_TAKE_PART)
class VotePage(ProposalFormPage):
    schema = VoteSchema
    submit_label = "Cast my vote"
    heading = "Vote on this proposal"

    def intro(self):
        p = self.proposal
        return [
            f"“{p.title}” would cost {rules.format_pounds(p.cost_pence)}. {p.what_and_why}",
            f"You have one vote. Voting closes on {p.vote_closes_on:%-d %B %Y}.",
        ]

    def act(self, appstruct):
        youth.cast_vote(
            self.request.dbsession,
            self.proposal,
            self.current_member(),
            choice=appstruct["choice"],
            actor_id=self.request.account.id,
            today=today(),
        )
        return self.done("Your vote is in. Thank you!")


@form_page("youth_proposal_count", "youth/form.jinja2", Permission.YOUTH_MANAGE)
class CountPage(ProposalFormPage):
    schema = ConfirmSchema
    submit_label = "Count the votes"
    heading = "Count the forum's votes"

    def intro(self):
        return [
            "If the proposal passes, its cost is committed from this year's budget at once "
            "(if enough is left)."
        ]

    def act(self, appstruct):
        proposal = youth.count_proposal_votes(
            self.request.dbsession,
            self.request.constitution,
            self.proposal.id,
            actor_id=self.request.account.id,
            today=today(),
        )
        return self.done(
            f"Counted: {proposal.votes_for} for, {proposal.votes_against} against, "
            f"{proposal.abstentions} abstaining. {rules.STATUSES[proposal.status]}."
        )


@form_page("youth_proposal_ratify", "youth/form.jinja2", Permission.YOUTH_RATIFY)
class RatifyPage(ProposalFormPage):
    submit_label = "Record the decision"
    heading = "Record the board's decision"

    def __init__(self, context, request):
        super().__init__(context, request)
        self.decisions = [
            (d.id, youth.decision_label(d)) for d in youth.board_decisions(request.dbsession)
        ]

    def intro(self):
        limit = rules.format_pounds(self.request.constitution.youth.board_ratification_pence)
        how = (
            "Choose the board's decision from its meetings recorded in tmo. If that meeting is "
            "not in tmo yet, type the minute and the date of the decision instead."
            if self.decisions
            else "No decision of the board is recorded in tmo yet: type the minute and the date "
            "of the decision."
        )
        return [f"Spends above {limit} need the board's ratification, minuted.", how]

    def make_schema(self):
        return ratify_schema(self.decisions).bind(request=self.request)

    def initial(self):
        return {"decided_on": today()}

    def act(self, appstruct):
        chosen = appstruct["board_decision"]
        youth.record_ratification(
            self.request.dbsession,
            self.proposal,
            ratified=appstruct["decision"] == "ratified",
            decision_id=int(chosen) if chosen else None,
            reference=appstruct["reference"],
            decided_on=appstruct["decided_on"],
            actor_id=self.request.account.id,
        )
        return self.done("The board's decision is recorded.")


@form_page("youth_proposal_spend", "youth/form.jinja2", Permission.YOUTH_MANAGE)
class SpendPage(ProposalFormPage):
    schema = SpendSchema
    submit_label = "Record the spend"
    heading = "Record the spend"

    def intro(self):
        committed = rules.format_pounds(self.proposal.cost_pence)
        return [
            f"{committed} is committed. Money not spent goes back to the budget; a spend that "
            "cost more is topped up if the budget has it."
        ]

    def initial(self):
        return {"spent_on": today()}

    def act(self, appstruct):
        note = youth.record_spend(
            self.request.dbsession,
            self.proposal,
            amount=appstruct["amount"],
            on=appstruct["spent_on"],
            receipt=upload_pair(appstruct["receipt"], youth.EVIDENCE_MAX_BYTES),
            actor_id=self.request.account.id,
        )
        return self.done(f"The spend is recorded. {note}")


@form_page("youth_proposal_report", "youth/form.jinja2", Permission.YOUTH_REPORT)
class ReportPage(ProposalFormPage):
    submit_label = "Publish the report"
    heading = "Report back: what did the money do?"

    def make_schema(self):
        return report_schema().bind(request=self.request)

    def act(self, appstruct):
        if not is_worker(self.request):
            youth.require_proposer(self.proposal, self.current_member())
        photos = []
        for number in range(1, PHOTO_FIELDS + 1):
            upload = upload_pair(appstruct[f"photo_{number}"], youth.PHOTO_MAX_BYTES)
            if upload is not None:
                photos.append((*upload, appstruct[f"caption_{number}"]))
        youth.report_back(
            self.request.dbsession,
            self.proposal,
            report=appstruct["report"],
            photos=photos,
            consent=appstruct["consent"],
            actor_id=self.request.account.id,
            today=today(),
        )
        return self.done("Your report is published. Thank you!")


@view_config(route_name="youth_file", request_method=READ, permission=Permission.YOUTH_READ)
def proposal_file(request):
    """A proposal's quote or receipt (and only those: other files have their own pages)."""
    file_id = int(request.matchdict["file_id"])
    proposal = request.dbsession.scalar(
        select(YouthProposal).where(
            or_(YouthProposal.quote_file_id == file_id, YouthProposal.receipt_file_id == file_id)
        )
    )
    if proposal is None:
        raise HTTPNotFound()
    stored = proposal.quote if proposal.quote_file_id == file_id else proposal.receipt
    return files.download(stored)


# Members ------------------------------------------------------------------------------------


@view_config(
    route_name="youth_members",
    renderer="youth/members.jinja2",
    request_method=READ,
    permission=Permission.YOUTH_MANAGE,
)
def members(request):
    status = request.params.get("status", "applied")
    if status not in dict(MEMBER_FILTERS):
        status = "applied"
    search = request.params.get("q", "").strip()[:100]
    query = (
        select(YouthMember)
        .where(YouthMember.status == status)
        .order_by(YouthMember.first_name, YouthMember.surname, YouthMember.id)
    )
    if search:
        pattern = contains_pattern(search)
        query = query.where(
            or_(
                YouthMember.first_name.ilike(pattern, escape=LIKE_ESCAPE),
                YouthMember.surname.ilike(pattern, escape=LIKE_ESCAPE),
            )
        )
    day = today()
    page = paginate(request.dbsession, query, page_number(request.params.get("page")))
    return {
        "page": page,
        "status": status,
        "search": search,
        "filters": MEMBER_FILTERS,
        "ends": lambda m: youth.member_ends(m, request.constitution),
        "in_forum": lambda m: youth.in_forum(m, request.constitution, day),
        "notice": lambda m: rules.ageing_out_notice(
            m.date_of_birth, m.left_on, request.constitution.youth, day
        ),
        "age": lambda m: rules.age_on(m.date_of_birth, day),
    }


@form_page("youth_member", "youth/form.jinja2", Permission.YOUTH_MANAGE)
class MemberPage(YouthFormPage):
    schema = MemberDecisionSchema
    submit_label = "Record the decision"

    def __init__(self, context, request):
        super().__init__(context, request)
        self.member = request.dbsession.get(YouthMember, int(request.matchdict["member_id"]))
        if self.member is None:
            raise HTTPNotFound()
        self.heading = f"Request to join from {youth.full_name(self.member)}"

    def back(self):
        return (self.request.route_url("youth_members"), "Back to the members")

    def intro(self):
        m = self.member
        age = rules.age_on(m.date_of_birth, today())
        return [
            f"Age {age} (born {m.date_of_birth:%-d %B %Y}), postcode {m.postcode}.",
            f"Status: {dict(MEMBER_FILTERS).get(m.status, m.status)}.",
        ]

    def act(self, appstruct):
        approve = appstruct["decision"] == "approve"
        youth.decide_application(
            self.request.dbsession,
            self.request.constitution,
            self.member,
            approve=approve,
            note=appstruct["note"],
            actor_id=self.request.account.id,
            today=today(),
        )
        if approve:
            send_mail(
                self.request,
                self.member.account.email,
                "youth_welcome",
                first_name=self.member.first_name,
                forum_url=self.request.route_url("youth_forum"),
                last_age=self.request.constitution.youth.maximum_age,
                leaves_on=youth.member_ends(self.member, self.request.constitution),
            )
        name = youth.full_name(self.member)
        return self.redirect(
            "youth_members",
            f"{name} has joined the forum." if approve else f"{name} was not approved.",
        )


# The chair ----------------------------------------------------------------------------------


@view_config(
    route_name="youth_chair",
    renderer="youth/chair.jinja2",
    request_method=READ,
    permission=Permission.YOUTH_READ,
)
def chair(request):
    day = today()
    dbsession = request.dbsession
    election = youth.open_chair_election_now(dbsession)
    member = youth.live_membership(dbsession, request.account.id)
    may_vote = (
        election is not None
        and youth.in_forum(member, request.constitution, day)
        and youth.chair_vote_of(dbsession, election, member) is None
        and day < election.closes_on
    )
    current = youth.chair_on(dbsession, day)
    history = dbsession.scalars(
        select(YouthChairTerm).order_by(YouthChairTerm.started_on.desc()).limit(10)
    ).all()
    last = dbsession.scalar(
        select(YouthChairElection)
        .where(YouthChairElection.status == "counted")
        .order_by(YouthChairElection.id.desc())
        .limit(1)
    )
    return {
        "current": current,
        "election": election,
        "last": last,
        "history": history,
        "may_vote": may_vote,
        "name_for": lambda m: name_for(request, m),
        "can_manage": is_worker(request),
    }


class ChairFormPage(YouthFormPage):
    def back(self):
        return (self.request.route_url("youth_chair"), "Back to the chair")


@form_page("youth_chair_open", "youth/form.jinja2", Permission.YOUTH_MANAGE)
class ChairOpenPage(ChairFormPage):
    submit_label = "Open the vote"
    heading = "Elect the forum's chair"

    def intro(self):
        return [
            "Forum members vote for one candidate; the one with most votes chairs the forum and "
            "sits on the TMO's board while they chair."
        ]

    def candidates(self):
        return youth.forum_members(self.request.dbsession, self.request.constitution, today())

    def make_schema(self):
        choices = [(str(m.id), youth.full_name(m)) for m in self.candidates()]
        return chair_open_schema(choices).bind(request=self.request)

    def act(self, appstruct):
        chosen = {int(value) for value in appstruct["candidates"]}
        youth.open_chair_election(
            self.request.dbsession,
            self.request.constitution,
            candidates=[m for m in self.candidates() if m.id in chosen],
            actor_id=self.request.account.id,
            today=today(),
        )
        return self.redirect("youth_chair", "The vote for the chair is open.")


@form_page("youth_chair_vote", "youth/form.jinja2", Permission.YOUTH_TAKE_PART)
class ChairVotePage(ChairFormPage):
    submit_label = "Cast my vote"
    heading = "Vote for the forum's chair"

    def __init__(self, context, request):
        super().__init__(context, request)
        self.election = youth.open_chair_election_now(request.dbsession)
        if self.election is None:
            raise HTTPNotFound()

    def make_schema(self):
        choices = [(str(c.id), name_for(self.request, c.member)) for c in self.election.candidates]
        return chair_vote_schema(choices).bind(request=self.request)

    def act(self, appstruct):
        youth.cast_chair_vote(
            self.request.dbsession,
            self.election,
            self.current_member(),
            candidate_id=int(appstruct["candidate"]),
            actor_id=self.request.account.id,
            today=today(),
        )
        return self.redirect("youth_chair", "Your vote is in. Thank you!")


@form_page("youth_chair_count", "youth/form.jinja2", Permission.YOUTH_MANAGE)
class ChairCountPage(ChairVotePage):
    schema = ConfirmSchema
    submit_label = "Count the votes"
    heading = "Count the votes for the chair"

    def make_schema(self):
        return ConfirmSchema().bind(request=self.request)

    def act(self, appstruct):
        notes = youth.count_chair_election(
            self.request.dbsession,
            self.request.constitution,
            self.election,
            actor_id=self.request.account.id,
            today=today(),
        )
        for note in notes[:-1]:
            self.request.session.flash(note, "success")
        return self.redirect("youth_chair", notes[-1])
