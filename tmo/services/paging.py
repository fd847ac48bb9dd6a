"""Paging: one page of a query's results, with what the page links need."""

import math
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from sqlalchemy import Select, bindparam, func, select

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


# Each query's count and page, built once for it: a list whose query is built once (the
# meetings page's, the register's without a search) is counted and paged without building them
# again; a query built for one request goes with it.
_COUNT_AND_PAGE: "WeakKeyDictionary[Select, tuple[Select, Select]]" = WeakKeyDictionary()


def _count_and_page(query: Select) -> tuple[Select, Select]:
    built = _COUNT_AND_PAGE.get(query)
    if built is None:
        built = _COUNT_AND_PAGE[query] = (
            select(func.count()).select_from(query.order_by(None).subquery()),
            query.limit(bindparam("page_limit")).offset(bindparam("page_offset")),
        )
    return built


def paginate(dbsession, query: Select, number: int, per_page: int = PER_PAGE) -> Page:
    """The page ``number`` of ``query`` (past the end: the last page)."""
    count, page = _count_and_page(query)
    total = dbsession.scalar(count)
    number = min(number, max(1, math.ceil(total / per_page)))
    window = {"page_limit": per_page, "page_offset": (number - 1) * per_page}
    items = list(dbsession.scalars(page, window))
    return Page(items, number, per_page, total)
