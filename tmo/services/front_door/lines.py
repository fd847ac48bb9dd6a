"""A front door's lines, grouped by role, and how many of them wait on the person."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from tmo.permissions import Role


@dataclass(frozen=True)
class Line:
    """One thing for the person: ``text`` links to ``link``; ``count`` things wait on them
    (0 for a line that only tells them where something is); ``due`` is when, said as ``when``."""

    text: str
    link: str
    count: int = 0
    due: date | datetime | None = None
    when: str = ""
    note: str = ""


@dataclass
class Group:
    heading: str
    lines: list[Line] = field(default_factory=list)


@dataclass
class FrontDoor:
    groups: list[Group]

    @property
    def waiting(self) -> int:
        return sum(line.count for group in self.groups for line in group.lines)


# Whom "Apply to join" is put first for: a resident, or a former member; those who hold an office
# (a returning officer, a youth worker) are not asked to join on every page.
JOINING_ROLES = frozenset({Role.RESIDENT, Role.MEMBER})
# How far ahead meetings are shown.
AHEAD = timedelta(days=60)
# The most lines of one kind a front door lists (the rest are behind the line's own page).
MOST = 10
