"""Print runs: the letters waiting to be printed gathered into one run, its PDF (one A4 letter
for a DL window envelope per person) and its CSV for a mailing house, and the run marked posted,
which starts each letter's deemed delivery (Companies Act 2006 s1147) and forgets its text."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tmo.clock import london_day, london_midnight
from tmo.models.notices import Delivery, Notice, PrintRun
from tmo.rules.letters import (
    LetterRefused,
    address_lines,
    check_posting_day,
    paragraphs,
)
from tmo.rules.notices import POST, DeliveryStatus, check_delivery_transition, deemed_delivered
from tmo.services import audit, exports
from tmo.services.pdf import render_pdf

LETTERS_WAITING = select(Delivery).where(Delivery.status == DeliveryStatus.TO_PRINT)


def letters_waiting(dbsession: Session) -> int:
    return dbsession.scalar(
        select(func.count()).select_from(LETTERS_WAITING.with_only_columns(Delivery.id).subquery())
    )


def move(delivery: Delivery, target: DeliveryStatus) -> None:
    check_delivery_transition(delivery.status, target)
    delivery.status = target


def make_print_run(request) -> PrintRun:
    """Every letter waiting, gathered into a new run (two clicks at once: the second finds none
    left, as the first holds their rows)."""
    dbsession = request.dbsession
    query = LETTERS_WAITING.order_by(Delivery.id)
    if dbsession.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    waiting = list(dbsession.scalars(query))
    if not waiting:
        raise LetterRefused("No letters are waiting to be printed.")
    account_id = request.account.id if request.account else None
    run = PrintRun(created_at=request.now, created_by_id=account_id, letters=len(waiting))
    dbsession.add(run)
    for delivery in waiting:
        move(delivery, DeliveryStatus.PRINTED)
        delivery.print_run = run
    dbsession.flush()
    audit.record(
        dbsession, "notices.print_run_made", actor_id=account_id, target=run, letters=len(waiting)
    )
    return run


def notices_of(dbsession: Session, run: PrintRun) -> list[Notice]:
    """The notices whose letters are in the run."""
    in_run = select(Delivery.notice_id).where(Delivery.print_run_id == run.id)
    return list(dbsession.scalars(select(Notice).where(Notice.id.in_(in_run)).order_by(Notice.id)))


def runs_to_post(dbsession: Session) -> list[PrintRun]:
    """The runs not yet marked posted, newest first."""
    return list(dbsession.scalars(newest_runs().where(PrintRun.posted_on.is_(None))))


def runs_posted(dbsession: Session, limit: int) -> list[PrintRun]:
    """The latest ``limit`` runs marked posted, newest first."""
    return list(
        dbsession.scalars(newest_runs().where(PrintRun.posted_on.is_not(None)).limit(limit))
    )


def newest_runs():
    return select(PrintRun).order_by(PrintRun.created_at.desc(), PrintRun.id.desc())


# -- The letters ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Letter:
    """One letter of a run as it is printed and as a mailing house is sent it."""

    reference: str
    name: str
    lines: list[str]
    postcode: str
    subject: str
    paragraphs: list[list[str]]


def reference_of(run: PrintRun, delivery: Delivery) -> str:
    return f"TMO-{run.id}-{delivery.id}"


def letters_of(run: PrintRun) -> list[Letter]:
    letters = []
    for delivery in run.deliveries:
        lines, postcode = address_lines(delivery.address)
        subject, _, body = delivery.body.partition("\n")
        letters.append(
            Letter(
                reference=reference_of(run, delivery),
                name=delivery.name,
                lines=lines,
                postcode=postcode,
                subject=subject,
                paragraphs=paragraphs(body),
            )
        )
    return letters


def check_printable(run: PrintRun) -> None:
    if run.posted_on is not None:
        raise LetterRefused(
            "These letters were posted: their text is no longer kept, so they cannot be printed "
            "again."
        )


def letters_pdf(request, run: PrintRun) -> bytes:
    check_printable(run)
    return render_pdf(
        "notices/letters_pdf.jinja2",
        {"run": run, "letters": letters_of(run), "dated": request.today},
        request,
    )


CSV_HEADER = [
    "name",
    *(f"address_line_{number}" for number in range(1, 5)),
    "postcode",
    "reference",
]


def letters_csv(run: PrintRun) -> str:
    """One row a letter, for a mailing house: every cell safe to open in a spreadsheet."""
    rows = []
    for letter in letters_of(run):
        lines = [*letter.lines, "", "", "", ""][:4]
        rows.append([letter.name, *lines, letter.postcode, letter.reference])
    return exports.csv_text(CSV_HEADER, rows)


# -- Posting -------------------------------------------------------------------------------------


def posted_moment(posted_on: date, now: datetime) -> datetime:
    """When letters posted on ``posted_on`` left: now, if that is today; otherwise the end of that
    day (the hour is not known, and the latest never makes notice look longer than it is)."""
    if posted_on == london_day(now):
        return now
    return london_midnight(posted_on + timedelta(days=1))


def deemed_delivered_of(run: PrintRun) -> datetime | None:
    """When the run's letters are deemed delivered (None until it is posted)."""
    moments = [d.deemed_delivered_at for d in run.deliveries if d.deemed_delivered_at]
    return max(moments, default=None)


def mark_posted(request, run: PrintRun, posted_on: date) -> datetime:
    """The run's letters posted on ``posted_on``: each is deemed delivered the constitution's
    working hours later, and its text is forgotten. When the last of them is deemed delivered."""
    dbsession, now = request.dbsession, request.now
    # Two clicks at once: the second waits for the first, then finds the run posted.
    locking = dbsession.get_bind().dialect.name == "postgresql"
    dbsession.refresh(run, with_for_update=True if locking else None)
    if run.posted_on is not None:
        raise LetterRefused(
            f"These letters were already marked posted on {run.posted_on:%-d %B %Y}.", "posted_on"
        )
    check_posting_day(posted_on, london_day(run.created_at), london_day(now))
    moment = posted_moment(posted_on, now)
    delivered = deemed_delivered(moment, request.constitution.notices, POST)
    for delivery in run.deliveries:
        move(delivery, DeliveryStatus.POSTED)
        delivery.sent_at = moment
        delivery.deemed_delivered_at = delivered
        # A letter may hold a voting code: its text is not kept once it has left.
        delivery.body = ""
    run.posted_on, run.posted_at = posted_on, now
    run.posted_by_id = request.account.id if request.account else None
    audit.record(
        dbsession,
        "notices.print_run_posted",
        actor_id=run.posted_by_id,
        target=run,
        posted_on=posted_on.isoformat(),
        letters=len(run.deliveries),
        deemed_delivered_at=delivered.isoformat(),
    )
    return delivered
