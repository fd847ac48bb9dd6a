"""How tmo shows things to people: moments in London time, days, money, and the figures a chart
is drawn from (the Youth Forum's budget: ``youth_chart``). Views and templates use these
(templates as the filters ``london``, ``day``, ``money``, ``opening`` and ``closing``); services
and rules never format for a page.
"""

from datetime import date, datetime, time, timedelta

from tmo.clock import LONDON


def london(moment: datetime | None) -> str:
    """A UTC moment as a Londoner reads it: 25 November 2026, 14:05."""
    if moment is None:
        return ""
    return moment.astimezone(LONDON).strftime("%-d %B %Y, %H:%M")


def _at_midnight(moment: datetime) -> date | None:
    """The London day that starts at ``moment``, if it is a midnight there, else None."""
    local = moment.astimezone(LONDON)
    return local.date() if local.time() == time() else None


def closing(moment: datetime | None) -> str:
    """A deadline as nobody misreads it: a close at 00:00 on 17 December is "midnight at the end
    of 16 December 2026" (the last day one may act), any other moment as ``london`` gives it."""
    if moment is None:
        return ""
    starts = _at_midnight(moment)
    if starts is None:
        return london(moment)
    return f"midnight at the end of {day(starts - timedelta(days=1))}"


def opening(moment: datetime | None) -> str:
    """A start at 00:00 is "midnight at the start of 17 December 2026"; any other moment as
    ``london`` gives it."""
    if moment is None:
        return ""
    starts = _at_midnight(moment)
    return london(moment) if starts is None else f"midnight at the start of {day(starts)}"


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


def youth_chart(summary) -> dict | None:
    """The Youth Forum's budget chart as coordinates, from a year's summary
    (``tmo.services.youth.Summary``): for each month so far, a bar for the money committed
    (including what has been spent) and one for the money spent, against the year's budget; and
    a bar of each for every kind of idea."""
    if summary is None:
        return None
    width, height, left, bottom = 640, 260, 70, 40
    plot = height - bottom - 10
    top = max([summary.balances.allocated, *(c for _, c, _ in summary.months), 1])
    slot = (width - left - 10) / 12
    bars = []
    for index, (month, committed, spent) in enumerate(summary.months):
        x = left + index * slot
        bars.append(
            {
                "label": month.strftime("%b"),
                "x_committed": round(x + slot * 0.1, 1),
                "x_spent": round(x + slot * 0.5, 1),
                "width": round(slot * 0.38, 1),
                "committed": committed,
                "spent": spent,
                "h_committed": round(plot * committed / top, 1),
                "h_spent": round(plot * spent / top, 1),
                "x_label": round(x + slot / 2, 1),
            }
        )
    ticks = [
        {"value": top * step // 4, "y": round(10 + plot - plot * step / 4, 1)} for step in range(5)
    ]
    categories = [
        {
            "name": name,
            "committed": committed,
            "spent": spent,
            "w_committed": round(400 * committed / top, 1),
            "w_spent": round(400 * spent / top, 1),
        }
        for name, committed, spent in summary.by_category
    ]
    return {
        "width": width,
        "height": height,
        "left": left,
        "base": 10 + plot,
        "bars": bars,
        "ticks": ticks,
        "categories": categories,
    }
