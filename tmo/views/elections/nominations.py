"""Nominations as members make them: nominating, the nomination's own page for everyone named on
it, proposers and seconders confirming, and the candidate consenting, writing a statement or
withdrawing."""

from pyramid.view import view_config

from tmo.forms import FormPage, act, form_page
from tmo.models.elections import Candidate
from tmo.permissions import Permission
from tmo.schemas.elections import consent_schema, nomination_schema
from tmo.schemas.files import read_upload
from tmo.services import elections, files, notices
from tmo.views import READ
from tmo.views.elections import common

SUPPORT_VERBS = {"proposer": "propose", "seconder": "second"}


class ElectionFormPage(FormPage):
    """A member's form about one election: its title follows the page's in the browser tab."""

    def title(self):
        return f"{self.heading} \N{EN DASH} {self.context.election.title}"


@form_page("election_nominate", "elections/nominate.jinja2", Permission.ELECTIONS_NOMINATE)
class NominatePage(ElectionFormPage):
    submit_label = "Send the nomination"
    heading = "Make a nomination"
    field_aliases = {"proposer": "proposer_1", "seconder": "seconder_1"}

    def back(self):
        election = self.context.election
        return self.request.route_url("election", election_id=election.id), "Back to the election"

    def make_schema(self):
        rules = self.request.constitution.elections
        return nomination_schema(rules.proposers_required, rules.seconders_required).bind(
            request=self.request
        )

    def extra(self):
        election = self.context.election
        return {
            **common(self.request, election),
            "open": elections.nominations_open(election, self.request.now),
        }

    def succeed(self, form, appstruct):
        rules = self.request.constitution.elections
        dbsession = self.request.dbsession
        member = self.request.identity.member

        def named(field: str):
            return elections.current_member_numbered(dbsession, appstruct[field], field)

        nomination = elections.nominate(
            dbsession,
            self.request.constitution,
            self.context.election,
            nominator=member,
            candidate=named("candidate") if appstruct["candidate"] else member,
            proposers=[named(f"proposer_{n}") for n in range(1, rules.proposers_required + 1)],
            seconders=[named(f"seconder_{n}") for n in range(1, rules.seconders_required + 1)],
            now=self.request.now,
        )
        self.tell_the_people_involved(nomination)
        return self.redirect(
            "election_nomination",
            f"The nomination of {nomination.name} is sent. It goes to the returning officer "
            "once everyone named has confirmed.",
            election_id=self.context.election.id,
            candidate_id=nomination.id,
        )

    def tell_the_people_involved(self, nomination: Candidate) -> None:
        election = self.context.election
        link = self.request.route_url(
            "election_nomination", election_id=election.id, candidate_id=nomination.id
        )
        roles = {s.member_id: s.role for s in nomination.supporters if s.confirmed_at is None}
        if nomination.consented_at is None:
            roles[nomination.member_id] = "candidate"
        people = [nomination.member] + [s.member for s in nomination.supporters]
        notices.send(
            self.request,
            kind="election_nomination",
            template="election_nomination",
            recipients=[notices.member_recipient(m) for m in people if m.id in roles],
            about=election,
            actor_id=self.request.account.id,
            each=lambda person: {"role": roles[person.member_id]},
            election=election,
            nomination=nomination,
            link=link,
        )


@view_config(
    route_name="election_nomination",
    renderer="elections/nomination.jinja2",
    request_method=READ,
    permission=Permission.ELECTIONS_NOMINATION_READ,
)
def nomination_page(context, request):
    return {
        **common(request, context.election),
        "candidate": context.candidate,
        "member": request.identity.member,
        "open": elections.nominations_open(context.election, request.now),
        "missing": elections.complete(context.candidate),
        "word_limit": request.constitution.elections.statement_word_limit,
    }


def nomination_url(request, context) -> str:
    return request.route_url(
        "election_nomination", election_id=context.election.id, candidate_id=context.candidate.id
    )


@view_config(
    route_name="election_support", request_method="POST", permission=Permission.ELECTIONS_SUPPORT
)
def confirm_support(context, request):
    def confirm():
        elections.confirm_support(request.dbsession, context.supporter, request.now)
        verb = SUPPORT_VERBS[context.supporter.role]
        return f"You have confirmed that you {verb} {context.candidate.name}'s nomination."

    return act(request, confirm, nomination_url(request, context))


@view_config(
    route_name="election_withdraw", request_method="POST", permission=Permission.ELECTIONS_STAND
)
def withdraw(context, request):
    def withdraw_candidate():
        elections.withdraw(request.dbsession, context.candidate, request.account.id, request.now)
        return "You have withdrawn as a candidate."

    return act(request, withdraw_candidate, nomination_url(request, context))


@form_page("election_consent", "form.jinja2", Permission.ELECTIONS_STAND)
class ConsentPage(ElectionFormPage):
    submit_label = "Consent and save my statement"
    heading = "Consent to stand"

    def intro(self):
        return [
            f"You have been nominated for {self.context.election.title}. Voters will read your "
            "statement beside your name. If you add a photo, it is shown with your statement."
        ]

    def back(self):
        return nomination_url(self.request, self.context), "Back to your nomination"

    def make_schema(self):
        rules = self.request.constitution.elections
        needs = self.context.candidate.member.date_of_birth is None
        return consent_schema(rules.statement_word_limit, self.photo_maximum_bytes(), needs).bind(
            request=self.request
        )

    def photo_maximum_bytes(self) -> int:
        return self.request.constitution.elections.photo_maximum_mb * files.MEGABYTE

    def initial(self):
        candidate = self.context.candidate
        return {"statement": candidate.statement, "consent": candidate.consented_at is not None}

    def extra(self):
        return {**common(self.request, self.context.election), "candidate": self.context.candidate}

    def field_for(self, form, refusal):
        # A file refused says nothing of its field: it can only be the photo.
        if isinstance(refusal, files.FileRefused):
            return "photo"
        return super().field_for(form, refusal)

    def succeed(self, form, appstruct):
        dbsession = self.request.dbsession
        photo_id = None
        upload = appstruct["photo"]
        if upload:
            photo_id = files.store(
                dbsession,
                read_upload(upload, self.photo_maximum_bytes()),
                upload.get("filename") or "photo",
                kinds=files.IMAGES,
                maximum_bytes=self.photo_maximum_bytes(),
                actor_id=self.request.account.id,
            ).id
        elections.consent(
            dbsession,
            self.request.constitution,
            self.context.candidate,
            statement=appstruct["statement"],
            photo_id=photo_id,
            now=self.request.now,
            date_of_birth=appstruct.get("date_of_birth"),
        )
        return self.redirect(
            "election_nomination",
            "Your consent and statement are saved.",
            election_id=self.context.election.id,
            candidate_id=self.context.candidate.id,
        )
