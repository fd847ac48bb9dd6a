"""Paging: one page of a query's results, with what the page links need."""

import math
from dataclasses import dataclass

from sqlalchemy import Select, func, select

PER_PAGE = 25


@dataclass(frozen=True)
class Page:
    items: list
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.pages else None


def page_number(value) -> int:
    """A page number from a query string; anything unusable is page 1."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return max(1, min(number, 1_000_000))


def paginate(dbsession, query: Select, number: int, per_page: int = PER_PAGE) -> Page:
    """The page ``number`` of ``query`` (past the end: the last page)."""
    total = dbsession.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    number = min(number, max(1, math.ceil(total / per_page)))
    items = list(dbsession.scalars(query.limit(per_page).offset((number - 1) * per_page)))
    return Page(items, number, per_page, total)
