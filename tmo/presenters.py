"""How tmo shows things to people: moments in London time, days, money, and the figures a chart
is drawn from. Views and templates use these (templates as the filters ``london``, ``day`` and
``money``); services and rules never format for a page.
"""

from datetime import date, datetime

from tmo.clock import LONDON


def london(moment: datetime | None) -> str:
    """A UTC moment as a Londoner reads it: 25 November 2026, 14:05."""
    if moment is None:
        return ""
    return moment.astimezone(LONDON).strftime("%-d %B %Y, %H:%M")


def day(value: date | None) -> str:
    """A day as people write it: 25 November 2026."""
    if value is None:
        return ""
    return f"{value:%-d %B %Y}"


def money(pence: int) -> str:
    """123450 -> ``£1,234.50``; -500 -> ``-£5.00``."""
    sign = "-" if pence < 0 else ""
    whole, part = divmod(abs(pence), 100)
    return f"{sign}£{whole:,}.{part:02d}"


def pounds_text(pence: int) -> str:
    """Pence as a plain decimal a spreadsheet reads as a number: 123450 -> 1234.50."""
    sign = "-" if pence < 0 else ""
    return f"{sign}{abs(pence) // 100}.{abs(pence) % 100:02d}"
