"""Membership pages: a resident applies and follows their application; a member sees their
number and manages their membership; the secretary decides applications and keeps the register.
"""

from datetime import date

import colander
from pyramid.httpexceptions import HTTPFound
from pyramid.view import view_config

from tmo.clock import london_day
from tmo.forms import FormPage, form_page
from tmo.models.membership import MembershipApplication
from tmo.permissions import Permission
from tmo.presenters import day, london
from tmo.rules.membership import HOLDING_LABELS, ONLINE, TOLD_HOW, ApplicationStatus
from tmo.rules.notices import Channel
from tmo.schemas.accounts import ConfirmSchema
from tmo.schemas.membership import (
    ASSOCIATE,
    DecisionSchema,
    EndMembershipSchema,
    EraseSchema,
    ResignSchema,
    application_schema,
    contact_schema,
    correction_schema,
)
from tmo.services import audit, contact_choices, exports, membership, register_search
from tmo.services.paging import page_number, paginate
from tmo.views import READ


def holding_label(application: MembershipApplication) -> str:
    if application.associate:
        return "Associate (lives with the tenant or leaseholder)"
    return HOLDING_LABELS.get(application.holding, application.holding)


CHOICE_WORDS = {
    Channel.EMAIL: "By email (agreed to electronic communication)",
    Channel.POST: "By post to their home",
}


def contact_words(person) -> str:
    """How a member or an applicant is sent notices, in plain words."""
    return CHOICE_WORDS[contact_choices.chosen(person)]


def recorded_words(person) -> str:
    """How and when their choice was recorded: "Told us by phone, 3 March 2026, 10:15"."""
    if person.contact_recorded_at is None:
        return "Not recorded"
    how = person.contact_recorded_how
    told = "Chosen online by themselves" if how == ONLINE else f"Told us {TOLD_HOW.get(how, how)}"
    return f"{told}, {london(person.contact_recorded_at)}"


EVENTS = {
    "membership.applied": "Applied to join",
    "membership.admitted": "Admitted as a member",
    "membership.rejected": "Application rejected",
    "membership.withdrawn": "Application withdrawn",
    "membership.ceased": "Membership ended",
    "membership.contact_updated": "Changed their email address or phone number",
    "membership.erased": "Personal data erased on request",
    "membership.purged": "Register entry purged after the retention period",
}


def _shown(field: str, value) -> str:
    """A value a correction changed, as the history shows it."""
    if not value:
        return "nothing"
    if field == "date_of_birth":
        return day(date.fromisoformat(value))
    return value


def correction_words(detail: dict, who: str) -> str:
    """ "Name corrected from Dorothy Okafur to Dorothy Okafor by Sam Okoro: misspelt"."""
    changes = "; ".join(
        f"{membership.CORRECTABLE.get(field, field)} corrected from {_shown(field, before)} "
        f"to {_shown(field, after)}"
        for field, (before, after) in detail.get("changes", {}).items()
    )
    by = f" by {who}" if who else ""
    return f"{changes}{by}: {detail.get('reason', '')}"


def event_words(entry, who: str = "") -> str:
    """An entry of a member's history as a sentence: what happened and on which day, in plain
    words (never the audit log's code for it)."""
    detail = entry.detail or {}
    if entry.action == "membership.corrected":
        return correction_words(detail, who) + "."
    if entry.action == "membership.contact_choice":
        how = detail.get("how", "")
        words = (
            "Chose to be sent notices by email, agreeing to electronic communication"
            if detail.get("contact_by") == Channel.EMAIL
            else "Chose to be sent notices by post"
        )
        words += ", online" if how == ONLINE else f"; told us {TOLD_HOW.get(how, how)}"
    else:
        plain = entry.action.rpartition(".")[2].replace("_", " ").capitalize()
        words = EVENTS.get(entry.action, plain) + f" on {day(london_day(entry.occurred_at))}"
        if entry.action == "membership.ceased":
            reason = detail.get("reason", "")
            words += f" ({membership.CEASED_REASONS.get(reason, reason).lower()})"
        if entry.action == "membership.rejected" and detail.get("reason"):
            words += f": {detail['reason']}"
        if entry.action == "membership.applied" and detail.get("contact_by"):
            words += f", asking for notices by {detail['contact_by']}"
        if entry.action == "membership.admitted" and detail.get("member_number"):
            words += f", number M{detail['member_number']:06d}"
    if detail.get("assisted"):
        words += f" ({detail['assisted']})"
    return words + "."


# The resident's side ----------------------------------------------------------------------------


@view_config(
    route_name="membership",
    renderer="membership/mine.jinja2",
    request_method=READ,
    permission=Permission.MEMBERSHIP_SELF_MANAGE,
)
def my_membership(request):
    account_id = request.account.id
    applications = membership.applications_of(request.dbsession, account_id)
    latest = applications[0] if applications else None
    member = request.identity.member
    return {
        "member": member,
        "pending": next((a for a in applications if a.status == ApplicationStatus.SUBMITTED), None),
        "rejected": latest if latest and latest.status == ApplicationStatus.REJECTED else None,
        "former": membership.former_memberships(request.dbsession, account_id),
        "ceased_reasons": membership.CEASED_REASONS,
        "holding_label": holding_label,
        "notices_by": contact_choices.chosen(member) if member else None,
    }


class ApplicationFormPage(FormPage):
    """An application to join: step one finds the home by postcode (a GET form); step two is
    the application itself."""

    submit_label = "Apply to join"

    def __init__(self, context, request):
        super().__init__(context, request)
        self.postcode = membership.normalise_postcode(request.params.get("postcode", ""))[:10]
        self.homes = (
            membership.homes_at_postcode(request.dbsession, self.postcode) if self.postcode else []
        )

    @property
    def postcode_missing(self) -> bool:
        """Whether "Find my home" was pressed with no postcode typed."""
        return "postcode" in self.request.GET and not self.postcode

    def extra(self):
        return {
            "postcode": self.postcode,
            "homes": self.homes,
            "postcode_missing": self.postcode_missing,
        }

    def get(self):
        if not self.homes:
            # Step one: no home found yet, so nothing to apply for.
            return self.page(None, "", failed=self.postcode_missing)
        return super().get()

    def post(self):
        if not self.homes:
            return self.page(None, "")
        return super().post()

    def apply(self, appstruct, account, **contact):
        """Record the application as the form gave it, for ``account`` (None: for a resident
        with no account)."""
        home = next(h for h in self.homes if str(h.id) == appstruct["home"])
        associate = appstruct["holding"] == ASSOCIATE
        return membership.apply_to_join(
            self.request,
            account,
            home=home,
            full_name=appstruct["full_name"],
            holding="" if associate else appstruct["holding"],
            associate=associate,
            date_of_birth=appstruct["date_of_birth"],
            contact_by=Channel(appstruct["contact_by"]),
            **contact,
        )


@form_page("membership_apply", "membership/apply.jinja2", Permission.MEMBERSHIP_SELF_MANAGE)
class ApplyPage(ApplicationFormPage):
    heading = "Apply to join the TMO"

    def title(self):
        return "Apply to join"

    def make_schema(self):
        account = self.request.account
        return application_schema(
            self.homes,
            self.request.constitution.membership.associate_members,
            account.display_name,
            account.email,
        ).bind(request=self.request)

    def extra(self):
        return {**super().extra(), "postcode_label": "Your postcode", "find_label": "Find my home"}

    def get(self):
        if self.request.identity.member is not None:
            return HTTPFound(self.request.route_url("membership"))
        return super().get()

    def succeed(self, form, appstruct):
        self.apply(appstruct, self.request.account)
        return self.redirect(
            "membership", "Your application has been sent. The secretary will check it."
        )


@form_page(
    "membership_withdraw", "membership/withdraw.jinja2", Permission.MEMBERSHIP_APPLICATION_WITHDRAW
)
class WithdrawPage(FormPage):
    schema = ConfirmSchema
    submit_label = "Withdraw my application"
    heading = "Withdraw your application"

    def intro(self):
        application = self.context.application
        return [
            f"You applied on {london(application.submitted_at)} for "
            f"{application.home.address}. If you withdraw, you can apply again later."
        ]

    def succeed(self, form, appstruct):
        membership.withdraw_application(self.request, self.context.application)
        return self.redirect("membership", "Your application has been withdrawn.")


@form_page("membership_contact", "form.jinja2", Permission.MEMBERSHIP_MEMBER_OWN)
class ContactPage(FormPage):
    submit_label = "Save"
    heading = "How we contact you"

    def make_schema(self):
        return contact_schema().bind(request=self.request)

    def intro(self):
        return [
            "The TMO uses these for membership business, such as notices of meetings and "
            "elections. You can change how we send them at any time."
        ]

    def initial(self):
        member = self.context.member
        return {
            "contact_by": contact_choices.chosen(member).value,
            "contact_email": member.contact_email,
            "phone": member.phone,
        }

    def succeed(self, form, appstruct):
        contact_choices.update_contact(
            self.request,
            self.context.member,
            contact_email=appstruct["contact_email"],
            phone=appstruct["phone"],
            contact_by=Channel(appstruct["contact_by"]),
        )
        return self.redirect("membership", "How we contact you has been saved.")


@form_page("membership_resign", "form.jinja2", Permission.MEMBERSHIP_MEMBER_OWN)
class ResignPage(FormPage):
    schema = ResignSchema
    submit_label = "Resign my membership"
    heading = "Resign your membership"

    def intro(self):
        return [
            "If you resign, you stop being a member of the TMO today "
            f"({self.context.member.number_label}). You will not be able to vote in board "
            "elections or at general meetings. You can apply to join again."
        ]

    def succeed(self, form, appstruct):
        membership.resign(self.request, self.context.member)
        return self.redirect(
            "membership", "You have resigned. You are no longer a member and cannot vote."
        )


# The secretary's side ---------------------------------------------------------------------------


@view_config(
    route_name="applications",
    renderer="membership/applications.jinja2",
    request_method=READ,
    permission=Permission.MEMBERSHIP_APPLICATIONS_DECIDE,
)
def applications(request):
    asked = request.params.get("status", "")
    status = ApplicationStatus(asked) if asked in set(ApplicationStatus) else None
    status = status or ApplicationStatus.SUBMITTED
    query = membership.applications_query(status)
    page = paginate(request.dbsession, query, page_number(request.params.get("page")))
    return {
        "page": page,
        "status": status,
        "filters": [(each.value, each.label) for each in ApplicationStatus],
        "holding_label": holding_label,
    }


@form_page(
    "application", "membership/application.jinja2", Permission.MEMBERSHIP_APPLICATIONS_DECIDE
)
class ApplicationPage(FormPage):
    schema = DecisionSchema
    submit_label = "Record the decision"

    @property
    def heading(self):
        return f"Application from {self.context.application.full_name}"

    def back(self):
        return self.request.route_url("applications"), "Back to applications"

    def extra(self):
        application = self.context.application
        return {
            "application": application,
            "holding_label": holding_label,
            "contact_words": contact_words,
            "recorded_words": recorded_words,
            "decided": application.status != ApplicationStatus.SUBMITTED,
        }

    def succeed(self, form, appstruct):
        application = self.context.application
        if appstruct["decision"] == "admit":
            member, reach = membership.admit(self.request, application)
            message = f"Admitted {member.name} as member {member.number_label}."
        else:
            reach = membership.reject_application(self.request, application, appstruct["reason"])
            message = f"The application from {application.full_name} was rejected."
        message += f" Telling them: {reach.summary()}"
        return self.redirect("applications", message)


@view_config(
    route_name="member_register",
    renderer="membership/register.jinja2",
    request_method=READ,
    permission=Permission.MEMBERSHIP_REGISTER_READ,
)
def register(request):
    query, filters = register_search.register_query(request.params)
    page = paginate(request.dbsession, query, page_number(request.params.get("page")))
    return {
        "page": page,
        "filters": filters,
        "statuses": register_search.REGISTER_STATUSES,
        "estates": membership.estates(request.dbsession),
        "blocks": membership.block_names(request.dbsession),
    }


@view_config(
    route_name="member_register_export",
    request_method=READ,
    permission=Permission.MEMBERSHIP_REGISTER_EXPORT,
)
def register_export(request):
    """The statutory register (Companies Act 2006 s113), current and former members, as CSV."""
    rows = [
        [
            member.number_label,
            member.name,
            member.address,
            member.admitted_on.isoformat(),
            member.ceased_on.isoformat() if member.ceased_on else "",
        ]
        for member in membership.statutory_register(request.dbsession)
    ]
    audit.record(request.dbsession, "membership.register_exported", actor_id=request.account.id)
    header = ["member_number", "name", "address", "date_admitted", "date_ceased"]
    return exports.csv_response(
        f"register-of-members-{request.today.isoformat()}.csv", header, rows
    )


@view_config(
    route_name="member_register_entry",
    renderer="membership/member.jinja2",
    request_method=READ,
    permission=Permission.MEMBERSHIP_REGISTER_READ,
)
def register_member(context, request):
    member = context.member
    history = membership.history(request.dbsession, member)
    actors = audit.actor_names(request.dbsession, history)
    return {
        "member": member,
        "history": [
            (
                entry.occurred_at,
                event_words(entry, actors.get(entry.actor_id, "")),
                actors.get(entry.actor_id, ""),
            )
            for entry in history
        ],
        "ceased_reasons": membership.CEASED_REASONS,
        "contact": contact_words(member),
        "recorded": recorded_words(member),
        # Whoever recorded the choice for them did so in an entry of this history.
        "recorded_by": actors.get(member.contact_recorded_by_id, ""),
    }


@form_page(
    "member_register_end", "membership/register_form.jinja2", Permission.MEMBERSHIP_MEMBER_END
)
class EndMembershipPage(FormPage):
    schema = EndMembershipSchema
    submit_label = "End this membership"

    @property
    def heading(self):
        return f"End the membership of {self.context.member.name}"

    def intro(self):
        return [
            f"{self.context.member.number_label} will cease to be a member today and will no "
            "longer be able to vote."
        ]

    def extra(self):
        return {"member": self.context.member}

    def succeed(self, form, appstruct):
        membership.end_membership(self.request, self.context.member, appstruct["note"])
        return self.redirect(
            "member_register_entry", "The membership has ended.", member_id=self.context.member.id
        )


@form_page(
    "member_register_correct",
    "membership/register_form.jinja2",
    Permission.MEMBERSHIP_MEMBER_CORRECT,
)
class CorrectEntryPage(FormPage):
    submit_label = "Correct the entry"
    default_field = "name"

    @property
    def heading(self):
        return f"Correct the register entry of {self.context.member.name}"

    def intro(self):
        return [
            f"{self.context.member.number_label}. Change what is wrong and say why: the entry's "
            "history keeps what it said before, who corrected it and why."
        ]

    def make_schema(self):
        return correction_schema().bind(request=self.request)

    def initial(self):
        member = self.context.member
        values = {field: getattr(member, field) for field in membership.CORRECTABLE}
        return {field: colander.null if value is None else value for field, value in values.items()}

    def extra(self):
        return {"member": self.context.member}

    def succeed(self, form, appstruct):
        member = self.context.member
        changes = membership.correct_entry(
            self.request,
            member,
            appstruct["reason"],
            **{field: appstruct[field] for field in membership.CORRECTABLE},
        )
        corrected = ", ".join(membership.CORRECTABLE[field].lower() for field in changes)
        return self.redirect(
            "member_register_entry", f"Corrected the {corrected}.", member_id=member.id
        )


@form_page(
    "member_register_erase", "membership/register_form.jinja2", Permission.MEMBERSHIP_MEMBER_ERASE
)
class ErasePage(FormPage):
    schema = EraseSchema
    submit_label = "Erase personal data"

    @property
    def heading(self):
        return f"Erase the personal data of {self.context.member.name}"

    def extra(self):
        return {"member": self.context.member}

    def succeed(self, form, appstruct):
        membership.erase_personal_data(self.request, self.context.member)
        return self.redirect(
            "member_register_entry", "Personal data erased.", member_id=self.context.member.id
        )
