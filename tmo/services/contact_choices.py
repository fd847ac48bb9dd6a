"""How a member (or an applicant) wants to be contacted: by email, only with their agreement to
electronic communication (Companies Act 2006 Sch 5 para 6), or by post to their address.

A member changes it themselves online; staff record it for someone who phoned, wrote, came in
or emailed, and are named on the record and in the audit log ("entered for them by NAME").
Choosing email records the moment of the agreement; choosing post withdraws it. Each change is
audited against the member, so it shows in their history. The register itself rests on the law,
not on this choice.
"""

from tmo.models.accounts import Account
from tmo.models.membership import Member, MembershipApplication
from tmo.rules.membership import ONLINE, MembershipError, contact_choice_problem
from tmo.rules.notices import Channel
from tmo.services import audit, notices


def chosen(person) -> Channel:
    """How ``person`` (a member, an application) is reached: email only with their agreement."""
    agreed = person.contact_by == Channel.EMAIL and person.email_agreed_at is not None
    return Channel.EMAIL if agreed else Channel.POST


def entered_for_them(recorder: Account | None) -> dict:
    """The audit detail marking what staff did for a resident who phoned or came in."""
    return {"assisted": f"entered for them by {recorder.display_name}"} if recorder else {}


def choose_contact(
    request, person, choice: Channel, email: str, how: str, recorder: Account | None
) -> None:
    """Record on ``person`` (an application, a member) that they want to be contacted by
    ``choice``, with ``email`` on record, as they told it (``how``); ``recorder`` is the staff
    member who recorded it for them (None: they chose it themselves, online)."""
    problem = contact_choice_problem(choice, email)
    if problem:
        raise MembershipError(problem, "contact_by")
    if choice is Channel.POST:
        person.email_agreed_at = None
    elif chosen(person) is not Channel.EMAIL:
        person.email_agreed_at = request.now
    person.contact_by = choice
    person.contact_recorded_at = request.now
    person.contact_recorded_how = how
    person.contact_recorded_by_id = recorder.id if recorder else None


def update_contact(
    request, member: Member, *, contact_email: str, phone: str, contact_by: Channel
) -> None:
    """A member's own contact details, and how they want to be contacted: choosing email is
    their agreement to electronic communication, choosing post withdraws it."""
    problem = contact_choice_problem(contact_by, contact_email)
    if problem:
        raise MembershipError(problem, "contact_by")
    if member.contact_email != contact_email or member.phone != phone:
        member.contact_email = contact_email
        member.phone = phone
        audit.record(
            request.dbsession,
            "membership.contact_updated",
            actor_id=request.account.id,
            target=member,
        )
    if contact_by is not chosen(member):
        choose_contact(request, member, contact_by, contact_email, ONLINE, None)
        _audit_choice(request, member, None)


def record_contact_choice(
    request, member: Member, *, contact_by: Channel, contact_email: str, told_how: str
) -> None:
    """Staff record how ``member`` wants to be contacted, as the member told them; an email
    address given replaces the one on record."""
    if not member.is_active:
        raise MembershipError("This membership has ended: there is no one to contact.")
    email = contact_email or notices.email_of(member)
    choose_contact(request, member, contact_by, email, told_how, request.account)
    if contact_email:
        member.contact_email = contact_email
    _audit_choice(request, member, request.account)


def _audit_choice(request, member: Member, recorder: Account | None) -> None:
    audit.record(
        request.dbsession,
        "membership.contact_choice",
        actor_id=request.account.id,
        target=member,
        contact_by=member.contact_by.value,
        how=member.contact_recorded_how,
        **entered_for_them(recorder),
    )


def applicant_recipient(application: MembershipApplication) -> notices.Recipient:
    """An applicant, reached as they chose on their application: by post to the home they
    applied for, unless they agreed to email."""
    return notices.Recipient(
        name=application.full_name,
        email=application.email,
        address=application.home.address,
        chose=chosen(application),
        account_id=application.account_id,
    )
