"""Membership: applying to join, admitting or rejecting, leaving, and keeping the register.

An application moves submitted -> admitted | rejected | withdrawn (``ApplicationStatus``, its
moves in ``tmo.rules.membership``); a membership ends when its tenancy ends (the property import),
when the member resigns, or when the secretary ends it with a reason. Each change is audited
against the application or the member, which is their history. Every day and moment is the
request's (``request.today``, ``request.now``) or given.
"""

import re
from datetime import date, datetime, timedelta

from sqlalchemy import bindparam, func, or_, select, text
from sqlalchemy.orm import Session, joinedload

from tmo.constitution import Constitution
from tmo.models.accounts import Account, RoleGrant
from tmo.models.audit import AuditEntry
from tmo.models.membership import Block, Estate, Home, Member, MembershipApplication, Tenancy
from tmo.permissions import Role
from tmo.rules.membership import (
    ONLINE,
    Applicant,
    ApplicationStatus,
    MembershipError,
    add_years,
    check_application_transition,
    joining_problems,
    natural_key,
    next_member_number,
    purge_after,
)
from tmo.rules.notices import Channel
from tmo.services import audit, notices
from tmo.services.contact_choices import applicant_recipient, choose_contact, entered_for_them

__all__ = ["ApplicationStatus", "MembershipError"]

RESIGNED, ENDED_BY_SECRETARY, TENANCY_ENDED = "resigned", "ended_by_secretary", "tenancy_ended"
CEASED_REASONS = {
    RESIGNED: "Resigned",
    ENDED_BY_SECRETARY: "Ended by the secretary",
    TENANCY_ENDED: "Tenancy ended",
}
# Any fixed 64-bit number: the advisory lock that makes member numbers one at a time on PostgreSQL.
MEMBER_NUMBER_LOCK_KEY = 0x746D6F_6D656D


def normalise_postcode(text_: str) -> str:
    """'sw10 0ab', 'SW100AB' -> 'SW10 0AB' (the inward code is always the last three)."""
    compact = re.sub(r"\s+", "", text_ or "").upper()
    if len(compact) > 3:
        return f"{compact[:-3]} {compact[-3:]}"
    return compact


def homes_at_postcode(dbsession: Session, postcode: str) -> list[Home]:
    """The homes at ``postcode`` as people count them (Flat 2 before Flat 10): sorted here,
    as the databases order text each their own way."""
    homes = dbsession.scalars(select(Home).where(Home.postcode == normalise_postcode(postcode)))
    return sorted(
        homes,
        key=lambda home: (
            natural_key(home.address_line_1),
            natural_key(home.address_line_2),
            home.reference,
        ),
    )


def _name_key(name: str) -> tuple[str, str]:
    """(first initial, surname), lower case, for matching an applicant to a tenancy holder."""
    words = re.findall(r"[a-z']+", name.lower())
    if not words:
        return ("", "")
    return (words[0][0], words[-1])


def match_tenancy(home: Home, full_name: str, holding: str, on: date) -> Tenancy | None:
    """The current tenancy at ``home`` held as ``holding`` by someone of this name, if any."""
    key = _name_key(full_name)
    for tenancy in home.tenancies:
        if (
            tenancy.current_on(on)
            and tenancy.holding == holding
            and _name_key(tenancy.holder_name) == key
        ):
            return tenancy
    return None


def current_members(dbsession: Session) -> list[Member]:
    """Everyone whose membership has not ended, by name."""
    return list(
        dbsession.scalars(select(Member).where(Member.ceased_on.is_(None)).order_by(Member.name))
    )


def active_membership(dbsession: Session, account_id: int) -> Member | None:
    return dbsession.scalar(ACTIVE_MEMBERSHIP, {"account_id": account_id})


def active_membership_query(account_id):
    """The account's current membership, as a query another may join to."""
    return select(Member).where(Member.account_id == account_id, Member.ceased_on.is_(None))


# Built once: the permits and the front door ask it on most pages a member reads.
ACTIVE_MEMBERSHIP = active_membership_query(bindparam("account_id"))


def pending_application(dbsession: Session, account_id: int) -> MembershipApplication | None:
    return dbsession.scalar(
        select(MembershipApplication).where(
            MembershipApplication.account_id == account_id,
            MembershipApplication.status == ApplicationStatus.SUBMITTED,
        )
    )


# Built once: a member's own page asks them.
APPLICATIONS_OF = (
    select(MembershipApplication)
    .where(MembershipApplication.account_id == bindparam("account_id"))
    .order_by(MembershipApplication.id.desc())
)
# Every membership of an account, each with its home (read in the same statement): a member's
# own page shows the current one's home and lists the former ones.
MEMBERSHIPS_OF = (
    select(Member)
    .options(joinedload(Member.home))
    .where(Member.account_id == bindparam("account_id"))
    .order_by(Member.ceased_on.desc())
)


def applications_of(dbsession: Session, account_id: int) -> list[MembershipApplication]:
    """Every application ``account_id`` has made, the latest first."""
    return list(dbsession.scalars(APPLICATIONS_OF, {"account_id": account_id}))


def former_memberships(dbsession: Session, account_id: int) -> list[Member]:
    """The memberships ``account_id`` held and that have ended, the latest first; read with the
    current one's home, which the member's page shows."""
    every = dbsession.scalars(MEMBERSHIPS_OF, {"account_id": account_id})
    return [member for member in every if member.ceased_on is not None]


def applications_query(status: ApplicationStatus):
    """The applications in ``status``, the earliest first: the secretary's list."""
    return (
        select(MembershipApplication)
        .where(MembershipApplication.status == status)
        .order_by(MembershipApplication.submitted_at, MembershipApplication.id)
    )


def _full_members_at_home(dbsession: Session, home_id: int) -> int:
    return dbsession.scalar(
        select(func.count())
        .select_from(Member)
        .where(Member.home_id == home_id, Member.ceased_on.is_(None), Member.associate.is_(False))
    )


def _exists(dbsession: Session, query) -> bool:
    return dbsession.scalar(select(query.exists())) is True


def _already_member(dbsession: Session, application: MembershipApplication) -> bool:
    """Whether the applicant is a member now: by their account, or (for one with no account)
    by their name at the home."""
    if application.account_id is not None:
        return active_membership(dbsession, application.account_id) is not None
    return _exists(
        dbsession,
        select(Member.id).where(
            Member.home_id == application.home_id,
            func.lower(Member.name) == application.full_name.lower(),
            Member.ceased_on.is_(None),
        ),
    )


def _already_waiting(dbsession: Session, home_id: int, full_name: str) -> bool:
    """Whether an application from ``full_name`` for the home waits for a decision."""
    return _exists(
        dbsession,
        select(MembershipApplication.id).where(
            MembershipApplication.home_id == home_id,
            func.lower(MembershipApplication.full_name) == full_name.lower(),
            MembershipApplication.status == ApplicationStatus.SUBMITTED,
        ),
    )


def _problems(dbsession, rules: Constitution, application: MembershipApplication, on: date):
    applicant = Applicant(
        born=application.date_of_birth,
        holding=application.holding,
        associate=application.associate,
        has_active_membership=_already_member(dbsession, application),
        full_members_at_home=_full_members_at_home(dbsession, application.home_id),
    )
    return joining_problems(applicant, rules.membership, on)


def apply_to_join(
    request,
    account: Account | None,
    *,
    home: Home,
    full_name: str,
    holding: str,
    associate: bool,
    date_of_birth: date,
    contact_by: Channel,
    contact_email: str = "",
    told_how: str = ONLINE,
) -> MembershipApplication:
    """Record an application to join (the applicant asked to become a member) with how they
    want to be contacted, and match it to the tenancies. ``account`` is the applicant's own;
    None for a resident with no account, whose application the asking staff member
    (``request.account``) enters for them, as they told it (``told_how``)."""
    dbsession = request.dbsession
    entered_by = None if account is not None else request.account
    if account is not None and pending_application(dbsession, account.id) is not None:
        raise MembershipError("You have already applied. The secretary will be in touch.")
    if account is None and _already_waiting(dbsession, home.id, full_name):
        raise MembershipError(
            f"An application from {full_name} for this home is already waiting.", "full_name"
        )
    today = request.today
    application = MembershipApplication(
        account_id=account.id if account else None,
        home_id=home.id,
        full_name=full_name,
        holding=holding,
        associate=associate,
        date_of_birth=date_of_birth,
        consented_at=request.now,
        submitted_at=request.now,
        contact_email=contact_email,
        entered_by_id=entered_by.id if entered_by else None,
    )
    application.home = home
    application.account = account
    email = contact_email or (account.email if account else "")
    choose_contact(request, application, contact_by, email, told_how, entered_by)
    problems = _problems(dbsession, request.constitution, application, today)
    if problems:
        raise MembershipError(" ".join(problems))
    application.matched_tenancy = match_tenancy(home, full_name, holding, today)
    dbsession.add(application)
    dbsession.flush()
    audit.record(
        dbsession,
        "membership.applied",
        actor_id=request.account.id,
        target=application,
        matched=application.matched_tenancy is not None,
        contact_by=contact_by.value,
        how=told_how,
        **entered_for_them(entered_by),
    )
    # The applicant hears it arrived, as they chose: an email, or a letter to the home.
    tell_applicant(request, application, "membership_applied", "membership_applied")
    return application


def _decide(
    request, application: MembershipApplication, status: ApplicationStatus, reason: str = ""
) -> None:
    check_application_transition(application.status, status)
    application.status = status
    application.decision_reason = reason
    application.decided_by_id = request.account.id if request.account else None
    application.decided_at = request.now


def withdraw_application(request, application: MembershipApplication) -> None:
    _decide(request, application, ApplicationStatus.WITHDRAWN)
    audit.record(
        request.dbsession, "membership.withdrawn", actor_id=request.account.id, target=application
    )


def reject_application(request, application: MembershipApplication, reason: str) -> notices.Reach:
    _decide(request, application, ApplicationStatus.REJECTED, reason)
    audit.record(
        request.dbsession,
        "membership.rejected",
        actor_id=request.account.id,
        target=application,
        reason=reason,
    )
    # The answer goes to the applicant as they chose to be contacted.
    return tell_applicant(
        request, application, "membership_decision", "membership_rejected", reason=reason
    )


def tell_applicant(
    request, application: MembershipApplication, kind: str, template: str, **values
) -> notices.Reach:
    """Send the applicant ``template``, as they chose to be contacted on their application."""
    return notices.send(
        request,
        kind=kind,
        template=template,
        recipients=[applicant_recipient(application)],
        about=application,
        actor_id=request.account.id,
        application=application,
        **values,
    )


def _allocate_member_number(dbsession: Session) -> int:
    if dbsession.get_bind().dialect.name == "postgresql":
        dbsession.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": MEMBER_NUMBER_LOCK_KEY}
        )
    return next_member_number(dbsession.scalar(select(func.max(Member.member_number))))


def admit(request, application: MembershipApplication) -> tuple[Member, notices.Reach]:
    """Admit the applicant: a member number, the register entry with how they chose to be
    contacted, the member role (for an applicant with an account), and the news by their
    choice (a letter for one on post)."""
    dbsession = request.dbsession
    problems = _problems(dbsession, request.constitution, application, request.today)
    if problems:
        raise MembershipError("This applicant cannot be admitted: " + " ".join(problems))
    _decide(request, application, ApplicationStatus.ADMITTED)
    member = Member(
        member_number=_allocate_member_number(dbsession),
        account_id=application.account_id,
        home_id=application.home_id,
        tenancy_id=application.matched_tenancy_id,
        application_id=application.id,
        name=application.full_name,
        address=application.home.address,
        admitted_on=request.today,
        associate=application.associate,
        date_of_birth=application.date_of_birth,
        contact_email=application.email,
        contact_by=application.contact_by,
        email_agreed_at=application.email_agreed_at,
        contact_recorded_at=application.contact_recorded_at,
        contact_recorded_how=application.contact_recorded_how,
        contact_recorded_by_id=application.contact_recorded_by_id,
    )
    dbsession.add(member)
    if application.account_id is not None:
        _grant_member_role(dbsession, application.account_id)
    audit.record(
        dbsession,
        "membership.admitted",
        actor_id=request.account.id,
        target=member,
        application=application.id,
        member_number=member.member_number,
    )
    dbsession.flush()
    reach = notices.send(
        request,
        kind="membership_decision",
        template="membership_admitted",
        recipients=[notices.member_recipient(member)],
        about=member,
        actor_id=request.account.id,
        member=member,
    )
    return member, reach


def _grant_member_role(dbsession: Session, account_id: int) -> None:
    exists = dbsession.scalar(
        select(RoleGrant).where(RoleGrant.account_id == account_id, RoleGrant.role == Role.MEMBER)
    )
    if exists is None:
        dbsession.add(RoleGrant(account_id=account_id, role=Role.MEMBER))


def cease(
    dbsession: Session,
    member: Member,
    *,
    on: date,
    reason: str,
    note: str = "",
    actor_id: int | None,
) -> None:
    """End ``member``'s membership on ``on``: from then they may not vote."""
    if member.ceased_on is not None:
        raise MembershipError("This membership has already ended.")
    member.ceased_on = on
    member.ceased_reason = reason
    member.ceased_note = note
    if member.account_id is not None:
        dbsession.execute(
            RoleGrant.__table__.delete().where(
                RoleGrant.account_id == member.account_id, RoleGrant.role == Role.MEMBER
            )
        )
    audit.record(
        dbsession,
        "membership.ceased",
        actor_id=actor_id,
        target=member,
        reason=reason,
        on=on.isoformat(),
    )


def resign(request, member: Member) -> None:
    cease(request.dbsession, member, on=request.today, reason=RESIGNED, actor_id=request.account.id)


def end_membership(request, member: Member, note: str) -> None:
    cease(
        request.dbsession,
        member,
        on=request.today,
        reason=ENDED_BY_SECRETARY,
        note=note,
        actor_id=request.account.id,
    )


# What a correction may change in a register entry, with how the history names each.
CORRECTABLE = {"name": "Name", "address": "Address", "date_of_birth": "Date of birth"}


def correct_entry(request, member: Member, reason: str, **values) -> dict[str, list]:
    """Correct ``member``'s register entry (``name``, ``address``, ``date_of_birth``) for
    ``reason``: what it said before and says now are kept in the audit log, which is the entry's
    history. Returns the changes, {field: [before, after]}; nothing changed is refused."""
    changes = {}
    for field, value in values.items():
        if field not in CORRECTABLE:
            raise ValueError(field)
        before = getattr(member, field)
        if value != before:
            changes[field] = [before, value]
    if not changes:
        raise MembershipError(
            "Nothing was changed: correct the name, address or date of birth, or cancel."
        )
    for field, (_, after) in changes.items():
        setattr(member, field, after)
    audit.record(
        request.dbsession,
        "membership.corrected",
        actor_id=request.account.id,
        target=member,
        reason=reason,
        changes={
            field: [each.isoformat() if isinstance(each, date) else each for each in pair]
            for field, pair in changes.items()
        },
    )
    return changes


def cease_for_ended_tenancies(dbsession: Session, ended: dict[int, date], actor_id=None) -> int:
    """End the memberships that rest on tenancies that have ended (tenancy id -> end date)."""
    if not ended:
        return 0
    members = dbsession.scalars(
        select(Member).where(Member.tenancy_id.in_(ended), Member.ceased_on.is_(None))
    ).all()
    for member in members:
        cease(
            dbsession,
            member,
            on=ended[member.tenancy_id],
            reason=TENANCY_ENDED,
            actor_id=actor_id,
        )
    return len(members)


def erase_personal_data(request, member: Member) -> None:
    """Erase everything but the register entry the Companies Act requires (s113)."""
    member.date_of_birth = None
    member.contact_email = ""
    member.phone = ""
    member.erased_at = request.now
    if member.application_id is not None:
        application = request.dbsession.get(MembershipApplication, member.application_id)
        application.date_of_birth = None
        application.contact_email = ""
    audit.record(request.dbsession, "membership.erased", actor_id=request.account.id, target=member)


def entries_due_for_purge(dbsession: Session, rules: Constitution, today: date) -> list[Member]:
    """Former members' entries whose retention period has passed on ``today``."""
    # A day's margin for 29 February; purge_after decides exactly.
    cutoff = add_years(today, -rules.membership.register_retention_years) + timedelta(days=1)
    former = dbsession.scalars(
        select(Member)
        .where(Member.ceased_on.is_not(None), Member.ceased_on <= cutoff, Member.name != "")
        .order_by(Member.member_number)
    ).all()
    return [m for m in former if purge_after(m.ceased_on, rules.membership) <= today]


def purge(dbsession: Session, members: list[Member], now: datetime) -> None:
    """Purge register entries past retention at ``now``: the row stays (so its number is never
    reused) with its dates and nothing personal."""
    for member in members:
        member.name = ""
        member.address = ""
        member.date_of_birth = None
        member.contact_email = ""
        member.phone = ""
        member.ceased_note = ""
        member.account_id = None
        member.erased_at = member.erased_at or now
        audit.record(dbsession, "membership.purged", actor_id=None, target=member, now=now)


# The register ------------------------------------------------------------------------------------


def estates(dbsession: Session) -> list[Estate]:
    return list(dbsession.scalars(select(Estate).order_by(Estate.name)))


def block_names(dbsession: Session) -> list:
    """(id, name, estate) of every block, by estate: plain rows, for a large TMO has hundreds of
    blocks and only their names are shown."""
    return dbsession.execute(
        select(Block.id, Block.name, Estate.name.label("estate"))
        .join(Estate, Block.estate_id == Estate.id)
        .order_by(Estate.name, Block.name)
    ).all()


def statutory_register(dbsession: Session):
    """The register as Companies Act 2006 s113 requires it: every entry not purged, current and
    former, by member number."""
    return dbsession.scalars(select(Member).where(Member.name != "").order_by(Member.member_number))


def history(dbsession: Session, member: Member) -> list[AuditEntry]:
    """What happened to ``member`` and to the application that made them one, in order."""
    conditions = [(AuditEntry.target_type == "member") & (AuditEntry.target_id == str(member.id))]
    if member.application_id:
        conditions.append(
            (AuditEntry.target_type == "membership_application")
            & (AuditEntry.target_id == str(member.application_id))
        )
    return list(
        dbsession.scalars(select(AuditEntry).where(or_(*conditions)).order_by(AuditEntry.id))
    )
