"""A proposal's life, step by step, but for the forum's vote (``voting``) and the board's
ratification (``ratification``): drafting with a quote, sending it to the youth worker, the
worker's check (to the forum's vote, or back with comments), the spend with its receipt, and the
report back with consented photos. Each step is checked against the lifecycle in
``tmo.rules.youth`` and audited."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from tmo.constitution import Constitution
from tmo.models.youth import YouthMember, YouthProposal, YouthReportPhoto
from tmo.rules import youth as rules
from tmo.rules.youth import ProposalStatus, Step, YouthError
from tmo.services import audit, files
from tmo.services.youth.budget import (
    add_entry,
    lock_year,
    newest_open_year,
    outstanding,
    year_balances,
)

CATEGORIES = (
    ("sport", "Sport and games"),
    ("arts", "Arts, music and culture"),
    ("environment", "Green spaces and the environment"),
    ("events", "Events and trips"),
    ("equipment", "Equipment and spaces"),
    ("learning", "Learning and skills"),
    ("other", "Something else"),
)
CATEGORY_NAMES = dict(CATEGORIES)
# Upload limits: the size of a phone photo or a scanned quote, not a rule a TMO sets.
EVIDENCE_MAX_BYTES = 10 * files.MEGABYTE
PHOTO_MAX_BYTES = 10 * files.MEGABYTE


@dataclass
class ProposalFields:
    title: str
    what_and_why: str
    who_benefits: str
    category: str
    cost_pence: int
    cost_breakdown: str


def keep_upload(dbsession, upload, *, kinds, maximum_bytes, actor_id):
    """A (content, filename) pair kept as a checked StoredFile; None stays None."""
    if upload is None:
        return None
    content, filename = upload
    try:
        return files.store(
            dbsession,
            content,
            filename,
            kinds=kinds,
            maximum_bytes=maximum_bytes,
            actor_id=actor_id,
        )
    except files.FileRefused as refused:
        raise YouthError(str(refused)) from None


def keep_evidence(dbsession, upload, actor_id):
    """A quote or receipt, kept as a checked StoredFile; None stays None."""
    return keep_upload(
        dbsession, upload, kinds=files.EVIDENCE, maximum_bytes=EVIDENCE_MAX_BYTES, actor_id=actor_id
    )


def check_cost(dbsession: Session, cost: int) -> None:
    """Refuse a cost above the whole of the open year's budget (allocation, adjustments and
    money carried over)."""
    year = newest_open_year(dbsession)
    if year is None:
        return
    budget = year_balances(dbsession, year).allocated
    problem = rules.cost_problem(cost, budget, rules.year_label(year.starts_on))
    if problem:
        raise YouthError(problem, "cost_pence")


def draft_proposal(
    dbsession: Session,
    member: YouthMember,
    fields: ProposalFields,
    *,
    quote=None,
    actor_id: int | None,
) -> YouthProposal:
    check_cost(dbsession, fields.cost_pence)
    proposal = YouthProposal(proposer_id=member.id, status=ProposalStatus.DRAFT, **vars(fields))
    proposal.quote = keep_evidence(dbsession, quote, actor_id)
    dbsession.add(proposal)
    audit.record(dbsession, "youth.proposal.drafted", actor_id=actor_id, target=proposal)
    return proposal


def require_proposer(proposal: YouthProposal, member: YouthMember) -> None:
    if proposal.proposer_id != member.id:
        raise YouthError("Only the member who proposed this can do that.")


def edit_proposal(
    dbsession: Session,
    proposal: YouthProposal,
    member: YouthMember,
    fields: ProposalFields,
    *,
    quote=None,
    actor_id: int | None,
) -> None:
    rules.check_transition(proposal.status, Step.EDIT)
    require_proposer(proposal, member)
    check_cost(dbsession, fields.cost_pence)
    for name, value in vars(fields).items():
        setattr(proposal, name, value)
    if quote is not None:
        proposal.quote = keep_evidence(dbsession, quote, actor_id)
    audit.record(dbsession, "youth.proposal.edited", actor_id=actor_id, target=proposal)


def move(dbsession, proposal: YouthProposal, step: Step, actor_id: int | None, **detail):
    """Take ``step`` (checked by ``rules.check_transition`` first) and audit it."""
    _, to = rules.TRANSITIONS[step]
    before = proposal.status
    if to is not None:
        proposal.status = to
    audit.record(
        dbsession,
        f"youth.proposal.{step}",
        actor_id=actor_id,
        target=proposal,
        before=before,
        after=proposal.status,
        **detail,
    )


def submit_proposal(
    dbsession: Session,
    proposal: YouthProposal,
    member: YouthMember,
    *,
    actor_id: int | None,
    now: datetime,
) -> None:
    rules.check_transition(proposal.status, Step.SUBMIT)
    require_proposer(proposal, member)
    if proposal.quote_file_id is None:
        raise YouthError("Upload a quote (or a price from the supplier) before sending it.")
    proposal.submitted_at = now
    move(dbsession, proposal, Step.SUBMIT, actor_id)


def withdraw_proposal(
    dbsession: Session, proposal: YouthProposal, member: YouthMember, *, actor_id: int | None
) -> None:
    rules.check_transition(proposal.status, Step.WITHDRAW)
    require_proposer(proposal, member)
    move(dbsession, proposal, Step.WITHDRAW, actor_id)


def return_proposal(
    dbsession: Session, proposal: YouthProposal, *, comments: str, actor_id: int | None
) -> None:
    """The youth worker sends a proposal back to its proposer with comments."""
    rules.check_transition(proposal.status, Step.RETURN)
    if not comments:
        raise YouthError("Say what needs to change, so the proposer can fix it.")
    proposal.worker_comments = comments
    move(dbsession, proposal, Step.RETURN, actor_id)


def open_vote(
    dbsession: Session,
    constitution: Constitution,
    proposal: YouthProposal,
    *,
    comments: str,
    actor_id: int | None,
    today: date,
) -> None:
    """The youth worker has checked the proposal is feasible and allowed: the forum votes."""
    rules.check_transition(proposal.status, Step.OPEN_VOTE)
    proposal.worker_comments = comments
    proposal.vote_opened_on = today
    proposal.vote_closes_on = today + timedelta(days=constitution.youth.voting_days)
    move(dbsession, proposal, Step.OPEN_VOTE, actor_id, closes=proposal.vote_closes_on.isoformat())


def lock_proposal(dbsession: Session, proposal_id: int) -> YouthProposal:
    return dbsession.scalar(
        select(YouthProposal)
        .where(YouthProposal.id == proposal_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def record_spend(
    dbsession: Session,
    proposal: YouthProposal,
    *,
    amount: int,
    on: date,
    receipt,
    actor_id: int | None,
) -> str:
    """The actual spend, with its date and receipt. An underspend is released back to the
    budget; an overspend is committed first if the budget has it, refused otherwise. Returns
    what happened to the difference, in words."""
    year = lock_year(dbsession, proposal.year_id)
    proposal = lock_proposal(dbsession, proposal.id)
    rules.check_transition(proposal.status, Step.SPEND)
    if amount <= 0:
        raise YouthError("Enter the amount spent.")
    released, topped_up = rules.settle_spend(outstanding(dbsession, year, proposal), amount)
    stored = keep_evidence(dbsession, receipt, actor_id)
    if stored is None:
        raise YouthError("Upload the receipt.")
    note = "Spent as committed."
    if topped_up:
        balance = year_balances(dbsession, year)
        if topped_up > balance.remaining:
            raise YouthError(
                f"The spend is {rules.format_pounds(topped_up)} more than was committed, and "
                f"only {rules.format_pounds(balance.remaining)} is left. Record an adjustment "
                "to the budget (with its reason) first."
            )
        add_entry(
            dbsession,
            year,
            rules.COMMITMENT,
            topped_up,
            on=on,
            actor_id=actor_id,
            proposal=proposal,
            reason="Top-up: the spend cost more than the quote",
        )
        note = f"Overspent by {rules.format_pounds(topped_up)}: topped up from the budget."
    add_entry(
        dbsession,
        year,
        rules.SPEND,
        amount,
        on=on,
        actor_id=actor_id,
        proposal=proposal,
        reason=proposal.title,
        receipt=stored,
    )
    if released:
        add_entry(
            dbsession,
            year,
            rules.RELEASE,
            released,
            on=on,
            actor_id=actor_id,
            proposal=proposal,
            reason="Unspent: returned to the budget",
        )
        note = f"Underspent by {rules.format_pounds(released)}: released back to the budget."
    proposal.actual_pence = amount
    proposal.spent_on = on
    proposal.receipt = stored
    proposal.spend_note = note
    move(dbsession, proposal, Step.SPEND, actor_id, amount_pence=amount)
    return note


def report_back(
    dbsession: Session,
    proposal: YouthProposal,
    *,
    report: str,
    photos: list,
    consent: bool,
    actor_id: int | None,
    today: date,
) -> None:
    """What the money did. Photos are kept only when consent is recorded for everyone in them
    (and a parent's or carer's for anyone under 18)."""
    rules.check_transition(proposal.status, Step.REPORT)
    if not report:
        raise YouthError("Say what the money did.")
    if photos and not consent:
        raise YouthError(
            "Photos are kept only when everyone in them (and a parent or carer for anyone under "
            "18) has agreed. Tick the consent box, or leave the photos out."
        )
    for content, filename, caption in photos:
        stored = keep_upload(
            dbsession,
            (content, filename),
            kinds=files.IMAGES,
            maximum_bytes=PHOTO_MAX_BYTES,
            actor_id=actor_id,
        )
        dbsession.add(
            YouthReportPhoto(
                proposal=proposal,
                file_id=stored.id,
                caption=caption or proposal.title,
                consent_recorded_by_id=actor_id,
            )
        )
    proposal.report = report
    proposal.reported_on = today
    move(dbsession, proposal, Step.REPORT, actor_id, photos=len(photos))
