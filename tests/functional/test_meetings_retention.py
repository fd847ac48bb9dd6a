"""How long minutes are kept: ``tmo-retention`` lists the meetings whose minutes have been kept
for the constitution's years, and deletes none of them."""

from datetime import UTC, date, datetime

from sqlalchemy import func, select

from tmo.constitution import Constitution
from tmo.models.meetings import Body, Meeting
from tmo.rules import meetings as rules
from tmo.scripts.retention import list_minutes_past_retention


def test_tmo_retention_lists_minutes_kept_their_years_and_deletes_nothing(dbsession, capsys):
    body = Body(name="The board", kind=rules.BOARD)
    dbsession.add(body)
    held = {
        "Ten years and a day ago": (datetime(2026, 6, 29, 18, 0, tzinfo=UTC), None),
        "Ten years ago to the day": (datetime(2026, 6, 30, 18, 0, tzinfo=UTC), None),
        "Cancelled long ago": (
            datetime(2020, 1, 9, 18, 0, tzinfo=UTC),
            datetime(2020, 1, 2, tzinfo=UTC),
        ),
    }
    for title, (starts_at, cancelled_at) in held.items():
        dbsession.add(
            Meeting(
                body=body,
                title=title,
                starts_at=starts_at,
                notice_given_at=starts_at,
                cancelled_at=cancelled_at,
                minutes_state=rules.SIGNED,
            )
        )
    dbsession.commit()

    list_minutes_past_retention(dbsession, Constitution(), date(2036, 6, 30))
    out = capsys.readouterr().out
    assert (
        "Minutes of The board: Ten years and a day ago, 29 June 2026, kept until 29 June 2036"
        in out
    )
    assert "Ten years ago to the day" not in out and "Cancelled" not in out
    assert "1 meeting(s)' minutes kept for the constitution's 10 years" in out
    assert dbsession.scalar(select(func.count()).select_from(Meeting)) == 3
