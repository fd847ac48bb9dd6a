"""The steps others take on a proposal, each on its own form: the youth worker's check, forum
members declaring an interest or voting, the youth worker counting the vote, the secretary
recording the board's ratification, the youth worker recording the spend, and the report back
(by the youth worker or the proposer)."""

from tmo.forms import form_page
from tmo.permissions import Permission
from tmo.presenters import london
from tmo.rules import youth as rules
from tmo.schemas.youth import (
    PHOTO_FIELDS,
    CheckSchema,
    ConfirmSchema,
    InterestSchema,
    SpendSchema,
    VoteSchema,
    ratify_schema,
    report_schema,
)
from tmo.services import youth
from tmo.views.youth import forum_member, upload_pair
from tmo.views.youth.proposals import ProposalFormPage


@form_page("youth_proposal_check", "form.jinja2", Permission.YOUTH_PROPOSAL_MANAGE)
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

    def succeed(self, form, appstruct):
        if appstruct["decision"] == "vote":
            youth.open_vote(
                self.request.dbsession,
                self.request.constitution,
                self.context.proposal,
                comments=appstruct["comments"],
                actor_id=self.request.account.id,
                today=self.request.today,
            )
            reach = youth.tell_forum_vote_open(self.request, self.context.proposal)
            return self.done(f"The forum's vote is open. Told the forum: {reach.summary()}")
        youth.return_proposal(
            self.request.dbsession,
            self.context.proposal,
            comments=appstruct["comments"],
            actor_id=self.request.account.id,
        )
        return self.done("The proposal is sent back with your comments.")


@form_page("youth_proposal_interest", "form.jinja2", Permission.YOUTH_PROPOSAL_VOTE)
class InterestPage(ProposalFormPage):
    schema = InterestSchema
    submit_label = "Declare my interest"
    heading = "Declare an interest"

    def intro(self):
        return [
            "If you, your family or a close friend would gain from this proposal, say so. "
            "You will not vote on it; that keeps the forum's decisions fair."
        ]

    def succeed(self, form, appstruct):
        youth.declare_interest(
            self.request.dbsession,
            self.context.proposal,
            forum_member(self.request),
            note=appstruct["note"],
            actor_id=self.request.account.id,
        )
        return self.done("Your interest is recorded. Thank you for saying.")


@form_page("youth_proposal_vote", "form.jinja2", Permission.YOUTH_PROPOSAL_VOTE)
class VotePage(ProposalFormPage):
    schema = VoteSchema
    submit_label = "Cast my vote"
    heading = "Vote on this proposal"

    def intro(self):
        p = self.context.proposal
        closes = f"{p.vote_closes_on:%-d %B %Y}" if p.vote_closes_on else "when it is counted"
        return [
            f"“{p.title}” would cost {rules.format_pounds(p.cost_pence)}. {p.what_and_why}",
            f"You have one vote. Voting closes on {closes}.",
        ]

    def succeed(self, form, appstruct):
        youth.cast_vote(
            self.request.dbsession,
            self.context.proposal,
            forum_member(self.request),
            choice=appstruct["choice"],
            actor_id=self.request.account.id,
            today=self.request.today,
        )
        return self.done("Your vote is in. Thank you!")


@form_page("youth_proposal_count", "form.jinja2", Permission.YOUTH_PROPOSAL_MANAGE)
class CountPage(ProposalFormPage):
    schema = ConfirmSchema
    submit_label = "Count the votes"
    heading = "Count the forum's votes"

    def intro(self):
        return [
            "If the proposal passes, its cost is committed from this year's budget at once "
            "(if enough is left)."
        ]

    def succeed(self, form, appstruct):
        proposal = youth.count_proposal_votes(
            self.request.dbsession,
            self.request.constitution,
            self.context.proposal.id,
            actor_id=self.request.account.id,
            today=self.request.today,
        )
        return self.done(
            f"Counted: {proposal.votes_for} for, {proposal.votes_against} against, "
            f"{proposal.abstentions} abstaining. {rules.STATUSES[proposal.status]}."
        )


@form_page("youth_proposal_remind", "form.jinja2", Permission.YOUTH_PROPOSAL_MANAGE)
class RemindPage(ProposalFormPage):
    """The youth worker reminds forum members who have not voted; they see how many, never
    who has voted."""

    schema = ConfirmSchema
    submit_label = "Send the reminders"
    heading = "Remind those who have not voted"

    def intro(self):
        request, proposal = self.request, self.context.proposal
        waiting = len(
            youth.not_yet_voted(request.dbsession, request.constitution, proposal, request.today)
        )
        sent, last = youth.reminders_sent(request.dbsession, proposal)
        lines = [
            f"{waiting} forum member{'s' if waiting != 1 else ''} who may vote "
            f"{'have' if waiting != 1 else 'has'} not voted yet. Each is sent a reminder with "
            "the link to vote.",
        ]
        if sent:
            lines.append(
                f"Reminders have been sent {sent} time{'s' if sent != 1 else ''} for this "
                f"vote, the last at {london(last)}: think before sending another."
            )
        return lines

    def succeed(self, form, appstruct):
        reach = youth.remind_voters(self.request, self.context.proposal)
        return self.done(f"Reminded {reach.total} who had not voted: {reach.summary()}")


@form_page("youth_proposal_ratify", "form.jinja2", Permission.YOUTH_PROPOSAL_RATIFY)
class RatifyPage(ProposalFormPage):
    submit_label = "Record the decision"
    heading = "Record the board's decision"

    def __init__(self, context, request):
        super().__init__(context, request)
        self.decisions = [
            (d.id, youth.decision_label(d))
            for d in youth.board_decisions(
                request.dbsession, request.now, youth.proposed_on(context.proposal)
            )
        ]

    def intro(self):
        limit = rules.format_pounds(self.request.constitution.youth.board_ratification_pence)
        since = f"{youth.proposed_on(self.context.proposal):%-d %B %Y}"
        how = (
            f"Choose the board's decision from its meetings recorded in tmo since the proposal "
            f"was sent on {since}. If that meeting is not in tmo yet, type the minute and the "
            "date of the decision instead."
            if self.decisions
            else f"No decision of the board since the proposal was sent on {since} is recorded "
            "in tmo yet: type the minute and the date of the decision."
        )
        return [f"Spends above {limit} need the board's ratification, minuted.", how]

    def make_schema(self):
        return ratify_schema(self.decisions).bind(request=self.request)

    def initial(self):
        return {"decided_on": self.request.today}

    def succeed(self, form, appstruct):
        chosen = appstruct["board_decision"]
        youth.record_ratification(
            self.request.dbsession,
            self.context.proposal,
            ratified=appstruct["decision"] == "ratified",
            decision_id=int(chosen) if chosen else None,
            reference=appstruct["reference"],
            decided_on=appstruct["decided_on"],
            actor_id=self.request.account.id,
            now=self.request.now,
        )
        return self.done("The board's decision is recorded.")


@form_page("youth_proposal_spend", "form.jinja2", Permission.YOUTH_PROPOSAL_MANAGE)
class SpendPage(ProposalFormPage):
    schema = SpendSchema
    submit_label = "Record the spend"
    heading = "Record the spend"

    def intro(self):
        committed = rules.format_pounds(self.context.proposal.cost_pence)
        return [
            f"{committed} is committed. Money not spent goes back to the budget; a spend that "
            "cost more is topped up if the budget has it."
        ]

    def initial(self):
        return {"spent_on": self.request.today}

    def succeed(self, form, appstruct):
        note = youth.record_spend(
            self.request.dbsession,
            self.context.proposal,
            amount=appstruct["amount"],
            on=appstruct["spent_on"],
            receipt=upload_pair(appstruct["receipt"], youth.EVIDENCE_MAX_BYTES),
            actor_id=self.request.account.id,
        )
        return self.done(f"The spend is recorded. {note}")


@form_page("youth_proposal_report", "form.jinja2", Permission.YOUTH_PROPOSAL_REPORT)
class ReportPage(ProposalFormPage):
    submit_label = "Publish the report"
    heading = "Report back: what did the money do?"

    def make_schema(self):
        return report_schema().bind(request=self.request)

    def succeed(self, form, appstruct):
        photos = []
        for number in range(1, PHOTO_FIELDS + 1):
            upload = upload_pair(appstruct[f"photo_{number}"], youth.PHOTO_MAX_BYTES)
            if upload is not None:
                photos.append((*upload, appstruct[f"caption_{number}"]))
        youth.report_back(
            self.request.dbsession,
            self.context.proposal,
            report=appstruct["report"],
            photos=photos,
            consent=appstruct["consent"],
            actor_id=self.request.account.id,
            today=self.request.today,
        )
        return self.done("Your report is published. Thank you!")
