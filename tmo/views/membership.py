"""Membership pages: a resident applies and follows their application; a member sees their
number and manages their membership; the secretary decides applications and keeps the register.
"""

import csv
import io
from datetime import date

from pyramid.httpexceptions import HTTPFound, HTTPNotFound
from pyramid.response import Response
from pyramid.view import view_config
from sqlalchemy import or_, select

from tmo.forms import FormPage, form_page
from tmo.models.audit import AuditEntry
from tmo.models.membership import Block, Estate, Member, MembershipApplication
from tmo.permissions import Permission
from tmo.rules.membership import HOLDING_LABELS
from tmo.schemas.accounts import ConfirmSchema
from tmo.schemas.membership import (
    ASSOCIATE,
    ContactSchema,
    DecisionSchema,
    EndMembershipSchema,
    EraseSchema,
    ResignSchema,
    application_schema,
)
from tmo.services import audit, membership, register_search
from tmo.services.paging import page_number, paginate

READ = ("GET", "HEAD")


def holding_label(application: MembershipApplication) -> str:
    if application.associate:
        return "Associate (lives with the tenant or leaseholder)"
    return HOLDING_LABELS.get(application.holding, application.holding)


# The resident's side ----------------------------------------------------------------------------


@view_config(
    route_name="membership",
    renderer="membership/mine.jinja2",
    request_method=READ,
    permission=Permission.MEMBERSHIP_SELF_MANAGE,
)
def my_membership(request):
    account = request.account
    applications = request.dbsession.scalars(
        select(MembershipApplication)
        .where(MembershipApplication.account_id == account.id)
        .order_by(MembershipApplication.id.desc())
    ).all()
    former = request.dbsession.scalars(
        select(Member)
        .where(Member.account_id == account.id, Member.ceased_on.is_not(None))
        .order_by(Member.ceased_on.desc())
    ).all()
    return {
        "member": membership.active_membership(request.dbsession, account.id),
        "pending": next((a for a in applications if a.status == membership.SUBMITTED), None),
        "latest": applications[0] if applications else None,
        "former": former,
        "ceased_reasons": membership.CEASED_REASONS,
        "holding_label": holding_label,
    }


@form_page("membership_apply", "membership/apply.jinja2", Permission.MEMBERSHIP_SELF_MANAGE)
class ApplyPage(FormPage):
    """Step one finds the home by postcode (a GET form); step two is the application itself."""

    submit_label = "Apply to join"

    def __init__(self, context, request):
        super().__init__(context, request)
        self.postcode = membership.normalise_postcode(request.params.get("postcode", ""))[:10]
        self.homes = (
            membership.homes_at_postcode(request.dbsession, self.postcode) if self.postcode else []
        )

    def make_schema(self):
        return application_schema(
            self.homes,
            self.request.constitution.membership.associate_members,
            self.request.account.display_name,
        ).bind(request=self.request)

    def extra(self):
        return {"postcode": self.postcode, "homes": self.homes}

    def get(self):
        account = self.request.account
        if membership.active_membership(self.request.dbsession, account.id):
            return HTTPFound(self.request.route_url("membership"))
        if not self.homes:
            return {"form": None, "form_failed": False, **self.extra()}
        return super().get()

    def post(self):
        if not self.homes:
            return {"form": None, "form_failed": False, **self.extra()}
        return super().post()

    def succeed(self, form, appstruct):
        home = next(h for h in self.homes if str(h.id) == appstruct["home"])
        associate = appstruct["holding"] == ASSOCIATE
        try:
            membership.apply_to_join(
                self.request,
                self.request.account,
                home=home,
                full_name=appstruct["full_name"],
                holding="" if associate else appstruct["holding"],
                associate=associate,
                date_of_birth=appstruct["date_of_birth"],
            )
        except membership.MembershipError as error:
            return self.refuse(form, str(error))
        return self.redirect(
            "membership", "Your application has been sent. The secretary will check it."
        )


@form_page("membership_withdraw", "membership/withdraw.jinja2", Permission.MEMBERSHIP_SELF_MANAGE)
class WithdrawPage(FormPage):
    schema = ConfirmSchema
    submit_label = "Withdraw my application"

    def __init__(self, context, request):
        super().__init__(context, request)
        self.application = membership.pending_application(request.dbsession, request.account.id)
        if self.application is None:
            raise HTTPNotFound()

    def extra(self):
        return {"application": self.application}

    def succeed(self, form, appstruct):
        membership.withdraw_application(self.request, self.application)
        return self.redirect("membership", "Your application has been withdrawn.")


class OwnMembershipPage(FormPage):
    """A page about the logged-in person's own active membership (and nobody else's)."""

    def __init__(self, context, request):
        super().__init__(context, request)
        self.member = membership.active_membership(request.dbsession, request.account.id)
        if self.member is None:
            raise HTTPNotFound()

    def extra(self):
        return {"member": self.member}


@form_page("membership_contact", "membership/contact.jinja2", Permission.MEMBERSHIP_SELF_MANAGE)
class ContactPage(OwnMembershipPage):
    schema = ContactSchema
    submit_label = "Save contact details"

    def initial(self):
        return {"contact_email": self.member.contact_email, "phone": self.member.phone}

    def succeed(self, form, appstruct):
        membership.update_contact(
            self.request,
            self.member,
            contact_email=appstruct["contact_email"],
            phone=appstruct["phone"],
        )
        return self.redirect("membership", "Your contact details have been saved.")


@form_page("membership_resign", "membership/resign.jinja2", Permission.MEMBERSHIP_SELF_MANAGE)
class ResignPage(OwnMembershipPage):
    schema = ResignSchema
    submit_label = "Resign my membership"

    def succeed(self, form, appstruct):
        membership.resign(self.request, self.member)
        return self.redirect(
            "membership", "You have resigned. You are no longer a member and cannot vote."
        )


# The secretary's side ---------------------------------------------------------------------------

APPLICATION_FILTERS = (
    ("submitted", "Waiting for a decision"),
    ("admitted", "Admitted"),
    ("rejected", "Rejected"),
    ("withdrawn", "Withdrawn"),
)


@view_config(
    route_name="applications",
    renderer="membership/applications.jinja2",
    request_method=READ,
    permission=Permission.MEMBERSHIP_APPLICATIONS_DECIDE,
)
def applications(request):
    status = request.params.get("status", "submitted")
    if status not in dict(APPLICATION_FILTERS):
        status = "submitted"
    query = (
        select(MembershipApplication)
        .where(MembershipApplication.status == status)
        .order_by(MembershipApplication.submitted_at, MembershipApplication.id)
    )
    page = paginate(request.dbsession, query, page_number(request.params.get("page")))
    return {
        "page": page,
        "status": status,
        "filters": APPLICATION_FILTERS,
        "holding_label": holding_label,
    }


@form_page(
    "application", "membership/application.jinja2", Permission.MEMBERSHIP_APPLICATIONS_DECIDE
)
class ApplicationPage(FormPage):
    schema = DecisionSchema
    submit_label = "Record the decision"

    def __init__(self, context, request):
        super().__init__(context, request)
        self.application = request.dbsession.get(
            MembershipApplication, int(request.matchdict["application_id"])
        )
        if self.application is None:
            raise HTTPNotFound()

    def extra(self):
        return {
            "application": self.application,
            "holding_label": holding_label,
            "decided": self.application.status != membership.SUBMITTED,
            "today": date.today(),
        }

    def succeed(self, form, appstruct):
        try:
            if appstruct["decision"] == "admit":
                member = membership.admit(self.request, self.application)
                message = f"Admitted {member.name} as member {member.number_label}."
            else:
                membership.reject_application(self.request, self.application, appstruct["reason"])
                message = f"The application from {self.application.full_name} was rejected."
        except membership.MembershipError as error:
            return self.refuse(form, str(error))
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
    estates = request.dbsession.scalars(select(Estate).order_by(Estate.name)).all()
    # Plain rows: a large TMO has hundreds of blocks, and only their names are shown.
    blocks = request.dbsession.execute(
        select(Block.id, Block.name, Estate.name.label("estate"))
        .join(Estate, Block.estate_id == Estate.id)
        .order_by(Estate.name, Block.name)
    ).all()
    return {
        "page": page,
        "filters": filters,
        "statuses": register_search.REGISTER_STATUSES,
        "estates": estates,
        "blocks": blocks,
        "can_export": request.has_permission(Permission.MEMBERSHIP_REGISTER_EXPORT),
    }


@view_config(
    route_name="member_register_export",
    request_method=READ,
    permission=Permission.MEMBERSHIP_REGISTER_EXPORT,
)
def register_export(request):
    """The statutory register (Companies Act 2006 s113), current and former members, as CSV."""
    rows = request.dbsession.scalars(
        select(Member).where(Member.name != "").order_by(Member.member_number)
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["member_number", "name", "address", "date_admitted", "date_ceased"])
    for member in rows:
        writer.writerow(
            [
                member.number_label,
                member.name,
                member.address,
                member.admitted_on.isoformat(),
                member.ceased_on.isoformat() if member.ceased_on else "",
            ]
        )
    audit.record(request.dbsession, "membership.register_exported", actor_id=request.account.id)
    response = Response(out.getvalue(), content_type="text/csv", charset="utf-8")
    response.content_disposition = (
        f'attachment; filename="register-of-members-{date.today().isoformat()}.csv"'
    )
    return response


def member_or_404(request) -> Member:
    member = request.dbsession.get(Member, int(request.matchdict["member_id"]))
    if member is None or member.name == "":
        raise HTTPNotFound()
    return member


def member_history(dbsession, member: Member) -> list[AuditEntry]:
    conditions = [(AuditEntry.target_type == "member") & (AuditEntry.target_id == str(member.id))]
    if member.application_id:
        conditions.append(
            (AuditEntry.target_type == "membership_application")
            & (AuditEntry.target_id == str(member.application_id))
        )
    return list(
        dbsession.scalars(select(AuditEntry).where(or_(*conditions)).order_by(AuditEntry.id))
    )


@view_config(
    route_name="member_register_entry",
    renderer="membership/member.jinja2",
    request_method=READ,
    permission=Permission.MEMBERSHIP_REGISTER_READ,
)
def register_member(request):
    member = member_or_404(request)
    return {
        "member": member,
        "history": member_history(request.dbsession, member),
        "ceased_reasons": membership.CEASED_REASONS,
        "can_end": request.has_permission(Permission.MEMBERSHIP_MEMBER_END),
        "can_erase": request.has_permission(Permission.MEMBERSHIP_MEMBER_ERASE),
    }


class RegisterMemberPage(FormPage):
    def __init__(self, context, request):
        super().__init__(context, request)
        self.member = member_or_404(request)

    def extra(self):
        return {"member": self.member}


@form_page("member_register_end", "membership/end.jinja2", Permission.MEMBERSHIP_MEMBER_END)
class EndMembershipPage(RegisterMemberPage):
    schema = EndMembershipSchema
    submit_label = "End this membership"

    def succeed(self, form, appstruct):
        try:
            membership.end_membership(self.request, self.member, appstruct["note"])
        except membership.MembershipError as error:
            return self.refuse(form, str(error))
        return self.redirect(
            "member_register_entry", "The membership has ended.", member_id=self.member.id
        )


@form_page("member_register_erase", "membership/erase.jinja2", Permission.MEMBERSHIP_MEMBER_ERASE)
class ErasePage(RegisterMemberPage):
    schema = EraseSchema
    submit_label = "Erase personal data"

    def succeed(self, form, appstruct):
        membership.erase_personal_data(self.request, self.member)
        return self.redirect(
            "member_register_entry", "Personal data erased.", member_id=self.member.id
        )
