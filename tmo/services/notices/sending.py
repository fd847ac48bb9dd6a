"""Sending a notice: one message written for each person it is for, kept as a delivery that waits
in the outbox (email) or on the print pile (post). A request only writes these rows; the mail
worker sends the emails after the request has committed (``outbox``), and the secretary prints
the letters. What the sender is told is what happened: how many emails are on their way, how
many letters are to print, and who cannot be reached at all."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from pyramid_jinja2 import IJinja2Environment
from sqlalchemy import insert

from tmo.models.notices import Delivery, Notice
from tmo.rules.notices import DeliveryStatus
from tmo.services.notices.reach import Recipient


@dataclass
class Reach:
    """How a notice went out: the count of each kind of delivery."""

    emailed: int = 0
    to_post: int = 0
    unreachable: int = 0
    names_unreachable: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.emailed + self.to_post + self.unreachable

    def summary(self) -> str:
        """The truth for the sender, e.g. "3 emails on their way; 13 letters to print and post"."""
        parts = []
        if self.emailed:
            parts.append(f"{self.emailed} email{'s' if self.emailed != 1 else ''} on their way")
        if self.to_post:
            parts.append(
                f"{self.to_post} letter{'s' if self.to_post != 1 else ''} to print and post "
                "(see Notices)"
            )
        if self.unreachable:
            parts.append(
                f"{self.unreachable} with no email or address on record: "
                + ", ".join(self.names_unreachable[:5])
                + (" and others" if self.unreachable > 5 else "")
            )
        return "; ".join(parts) + "." if parts else "Nobody to send it to."


def writer(request, template: str):
    """A function writing ``tmo/templates/mail/TEMPLATE.txt.jinja2`` for given values: the
    subject (its first line) and the body. The template is compiled once for all recipients."""
    environment = request.registry.queryUtility(IJinja2Environment, name=".jinja2")
    compiled = environment.get_template(f"mail/{template}.txt.jinja2")
    shared = {"request": request, "organisation": request.constitution.organisation_name}

    def write(**values) -> tuple[str, str]:
        subject, _, body = compiled.render({**shared, **values}).strip().partition("\n")
        return subject.strip(), body.strip() + "\n"

    return write


def send(
    request,
    *,
    kind: str,
    template: str,
    recipients: Iterable[Recipient],
    about=None,
    actor_id: int | None = None,
    each: Callable[[Recipient], dict] | None = None,
    **values,
) -> Reach:
    """Write ``template`` for each recipient (``name`` is theirs; ``each`` adds values of their
    own, such as a voting code) and keep it for the channel they are reached by."""
    write = writer(request, template)
    dbsession = request.dbsession
    now = request.now
    written = [
        (
            person,
            *write(name=person.name, person=person, **values, **(each(person) if each else {})),
        )
        for person in recipients
    ]
    # Inserted with its subject (the first letter's), not updated with it at the commit: a cast's
    # receipt is sent before the election's lock is taken, and nothing of it is left to write
    # under the lock.
    notice = Notice(
        kind=kind,
        subject=next((subject for _, subject, _ in written if subject), ""),
        about_type=type(about).__name__.lower() if about is not None else "",
        about_id=str(getattr(about, "id", "")) if about is not None else "",
        created_at=now,
        created_by_id=actor_id,
    )
    dbsession.add(notice)
    dbsession.flush()
    reach, rows = Reach(), []
    for person, subject, body in written:
        status = person.status
        if status is DeliveryStatus.QUEUED:
            reach.emailed += 1
        elif status is DeliveryStatus.TO_PRINT:
            reach.to_post += 1
        else:
            reach.unreachable += 1
            reach.names_unreachable.append(person.name)
        rows.append(
            {
                "notice_id": notice.id,
                "member_id": person.member_id,
                "youth_member_id": person.youth_member_id,
                "account_id": person.account_id,
                "name": person.name,
                "email": person.email if status is DeliveryStatus.QUEUED else "",
                "address": person.address if status is DeliveryStatus.TO_PRINT else "",
                "channel": person.channel or "post",
                "status": status,
                "body": f"{subject}\n{body}" if status is not DeliveryStatus.UNREACHABLE else "",
                "queued_at": now,
                "attempts": 0,
                "next_attempt_at": now if status is DeliveryStatus.QUEUED else None,
                "last_error": "",
            }
        )
    if rows:
        # One statement for every delivery (in batches), so a poll's notice to thousands stays
        # quick: into the table, as the ORM's bulk insert leaves out the keys that are None and
        # starts a new statement whenever the keys change (email, post, email...).
        dbsession.execute(insert(Delivery.__table__), rows)
    return reach


def send_email(request, *, kind: str, template: str, to: Recipient, about=None, **values) -> Reach:
    """One email to one person who is reached only by email (an emailed link, say)."""
    return send(
        request,
        kind=kind,
        template=template,
        recipients=[to],
        about=about,
        actor_id=None,
        **values,
    )
