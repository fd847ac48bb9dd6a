"""Notices: the one way out for every message tmo sends a person (``sending``), who it reaches
and how (``reach``), and the mail worker's outbox (``outbox``). Callers write
``notices.send(request, kind=..., template=..., recipients=[...])`` and tell the sender the
``Reach`` it returns."""

from tmo.rules.notices import Channel, DeliveryStatus
from tmo.services.notices.outbox import Retries, give_up_interrupted, send_due
from tmo.services.notices.reach import (
    Recipient,
    account_recipient,
    address_recipient,
    email_of,
    member_recipient,
    youth_recipient,
)
from tmo.services.notices.sending import Reach, send, send_email

__all__ = [
    "Channel",
    "DeliveryStatus",
    "Reach",
    "Recipient",
    "Retries",
    "account_recipient",
    "address_recipient",
    "email_of",
    "give_up_interrupted",
    "member_recipient",
    "send",
    "send_due",
    "send_email",
    "youth_recipient",
]
