"""What the secretary reads of the notices sent: each notice's reach, counted by status, and when
it is deemed delivered; one notice's deliveries, person by person. A delivery's text is never
read here: it may hold a voting code."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, defer

from tmo.models.notices import Delivery, Notice
from tmo.rules.notices import DeliveryStatus

# The order a notice's reach is told in.
STATUS_ORDER = (
    DeliveryStatus.QUEUED,
    DeliveryStatus.SENDING,
    DeliveryStatus.SENT,
    DeliveryStatus.FAILED,
    DeliveryStatus.TO_PRINT,
    DeliveryStatus.PRINTED,
    DeliveryStatus.POSTED,
    DeliveryStatus.UNREACHABLE,
)
# Those a notice is still on its way to.
ON_THE_WAY = frozenset(
    {DeliveryStatus.QUEUED, DeliveryStatus.SENDING, DeliveryStatus.TO_PRINT, DeliveryStatus.PRINTED}
)


@dataclass
class NoticeReach:
    """How far a notice has got: its deliveries counted by status, and the latest moment one of
    them is deemed delivered."""

    counts: Counter = field(default_factory=Counter)
    last_deemed_delivered: datetime | None = None

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def rows(self) -> list[tuple[DeliveryStatus, int]]:
        return [(status, self.counts[status]) for status in STATUS_ORDER if self.counts[status]]

    @property
    def on_the_way(self) -> int:
        return sum(self.counts[status] for status in ON_THE_WAY)

    @property
    def delivered(self) -> int:
        return self.counts[DeliveryStatus.SENT] + self.counts[DeliveryStatus.POSTED]


def notices_query():
    """Every notice sent, newest first (for paging)."""
    return select(Notice).order_by(Notice.created_at.desc(), Notice.id.desc())


def reach_of(dbsession: Session, notice_ids: list[int]) -> dict[int, NoticeReach]:
    """Each notice's reach, in one query for a page of them."""
    found = {notice_id: NoticeReach() for notice_id in notice_ids}
    if not notice_ids:
        return found
    rows = dbsession.execute(
        select(
            Delivery.notice_id,
            Delivery.status,
            func.count(),
            func.max(Delivery.deemed_delivered_at),
        )
        .where(Delivery.notice_id.in_(notice_ids))
        .group_by(Delivery.notice_id, Delivery.status)
    )
    for notice_id, status, count, deemed in rows:
        reach = found[notice_id]
        reach.counts[DeliveryStatus(status)] = count
        if deemed is not None and (
            reach.last_deemed_delivered is None or deemed > reach.last_deemed_delivered
        ):
            reach.last_deemed_delivered = deemed
    return found


def deliveries_query(notice: Notice):
    """A notice's deliveries, the failed first (someone must act on them), then by name."""
    failed_first = (Delivery.status != DeliveryStatus.FAILED).label("failed_first")
    return (
        select(Delivery)
        .options(defer(Delivery.body))
        .where(Delivery.notice_id == notice.id)
        .order_by(failed_first, Delivery.name, Delivery.id)
    )
