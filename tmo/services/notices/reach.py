"""Who a message reaches and how: the person's name, their email and address as they are now,
and the channel their choice (or the lack of one) gives."""

from dataclasses import dataclass

from tmo.models.accounts import Account
from tmo.models.membership import Member
from tmo.models.youth import YouthMember
from tmo.rules.notices import Channel, DeliveryStatus


@dataclass(frozen=True)
class Recipient:
    name: str
    email: str = ""
    address: str = ""
    # By post unless they chose email and agreed to it; None: someone who is not a member
    # (a director appointed from outside, an account), reached by email where they have one.
    chose: Channel | None = None
    member_id: int | None = None
    youth_member_id: int | None = None
    account_id: int | None = None

    @property
    def status(self) -> DeliveryStatus:
        """Where the message for this person starts: the outbox, the print pile, or nowhere."""
        if self.channel is Channel.EMAIL:
            return DeliveryStatus.QUEUED
        if self.channel is Channel.POST:
            return DeliveryStatus.TO_PRINT
        return DeliveryStatus.UNREACHABLE

    @property
    def channel(self) -> Channel | None:
        if self.chose is Channel.EMAIL and self.email:
            return Channel.EMAIL
        if self.chose is not None and self.address:
            return Channel.POST
        if self.email:
            return Channel.EMAIL
        return Channel.POST if self.address else None


def email_of(member: Member) -> str:
    return member.contact_email or (member.account.email if member.account else "")


def member_recipient(member: Member) -> Recipient:
    agreed = member.contact_by == Channel.EMAIL and member.email_agreed_at is not None
    return Recipient(
        name=member.name,
        email=email_of(member),
        address=member.address,
        chose=Channel.EMAIL if agreed else Channel.POST,
        member_id=member.id,
        account_id=member.account_id,
    )


def youth_recipient(young: YouthMember) -> Recipient:
    """A forum member is reached as they chose: by email to their account, with their
    agreement, or by letter to the home address they gave (with their full name on it)."""
    agreed = young.contact_by == Channel.EMAIL and young.email_agreed_at is not None
    return Recipient(
        name=young.first_name if agreed else f"{young.first_name} {young.surname}",
        email=young.account.email if young.account else "",
        address=young.address,
        chose=Channel.EMAIL if agreed else Channel.POST,
        youth_member_id=young.id,
        account_id=young.account_id,
    )


def account_recipient(account: Account) -> Recipient:
    return Recipient(name=account.display_name, email=account.email, account_id=account.id)


def address_recipient(email: str, name: str = "") -> Recipient:
    """Someone known only by the address they typed (registering, say)."""
    return Recipient(name=name, email=email)
