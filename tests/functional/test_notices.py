"""The secretary's Notices through the whole stack: each notice's truthful reach and a failed
email's reason, print runs that gather exactly the letters waiting, the letters' PDF (the address
inside a DL envelope's window) and CSV (no cell a spreadsheet would run), posting that starts
deemed delivery and cannot be done twice, and who may see any of it."""

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.factories import AccountFactory
from tmo.clock import LONDON
from tmo.models.audit import AuditEntry
from tmo.models.notices import Delivery, Notice, PrintRun
from tmo.permissions import Role
from tmo.rules.notices import Channel, DeliveryStatus

S = DeliveryStatus


def a_notice(dbsession, subject="Notice of the AGM", deliveries=(), created_at=None):
    """A notice with deliveries given as (name, channel, status, extra fields)."""
    notice = Notice(
        kind="meeting_notice",
        subject=subject,
        created_at=created_at or datetime(2026, 11, 2, 10, tzinfo=UTC),
    )
    dbsession.add(notice)
    for name, status, extra in deliveries:
        channel = (
            Channel.EMAIL if status in (S.QUEUED, S.SENDING, S.SENT, S.FAILED) else Channel.POST
        )
        dbsession.add(
            Delivery(
                notice=notice,
                name=name,
                channel=channel,
                status=status,
                email=f"{name.split()[0].lower()}@example.org" if channel == Channel.EMAIL else "",
                address="Flat 3, Elm House, W10 5AB" if channel == Channel.POST else "",
                body=f"{subject}\nDear {name},\n\nYour voting code is SECRET-{name}.\n",
                queued_at=notice.created_at,
                **extra,
            )
        )
    dbsession.commit()
    return notice


def letters(dbsession, subject, names, address="Flat 3, Elm House, W10 5AB"):
    notice = Notice(
        kind="meeting_notice", subject=subject, created_at=datetime(2026, 11, 2, tzinfo=UTC)
    )
    dbsession.add(notice)
    for name in names:
        dbsession.add(
            Delivery(
                notice=notice,
                name=name,
                channel=Channel.POST,
                status=S.TO_PRINT,
                address=address,
                body=f"{subject}\nDear {name},\n\nThe meeting is on Friday.\n",
                queued_at=notice.created_at,
            )
        )
    dbsession.commit()
    return notice


def secretary(logged_in):
    return logged_in(Role.SECRETARY)


# -- The notices page -----------------------------------------------------------------------------


def test_the_notices_page_counts_each_notices_reach_truthfully_and_shows_why_an_email_failed(
    testapp, dbsession, logged_in
):
    delivered = datetime(2026, 11, 4, 10, tzinfo=UTC)
    notice = a_notice(
        dbsession,
        deliveries=[
            ("Ann Able", S.SENT, {"sent_at": delivered, "deemed_delivered_at": delivered}),
            ("Bob Bell", S.SENT, {"sent_at": delivered, "deemed_delivered_at": delivered}),
            ("Cat Cole", S.QUEUED, {}),
            (
                "Dan Dow",
                S.FAILED,
                {
                    "attempts": 8,
                    "failed_at": delivered,
                    "last_error": "SMTPRecipientsRefused: mailbox unavailable",
                },
            ),
            ("Eve Eng", S.TO_PRINT, {}),
            ("Fay Fox", S.TO_PRINT, {}),
            ("Gus Gray", S.UNREACHABLE, {}),
        ],
    )
    a_notice(dbsession, subject="An older notice", created_at=datetime(2026, 10, 1, tzinfo=UTC))
    secretary(logged_in)
    page = testapp.get("/secretary/notices")
    assert page.text.index("Notice of the AGM") < page.text.index("An older notice")
    assert "Emailed: 2" in page.text
    assert "Waiting to be emailed: 1" in page.text
    assert "Email failed: 1" in page.text
    assert "Letter to print: 2" in page.text
    assert "No email or address on record: 1" in page.text
    assert "3 still on the way" in page.text
    assert "Make a print run of the 2 letters waiting" in page.text

    detail = page.click("Notice of the AGM")
    assert detail.request.path == f"/secretary/notices/{notice.id}"
    assert "SMTPRecipientsRefused: mailbox unavailable" in detail.text
    assert "1 email could not be sent" in detail.text
    # What a message said is never shown: it may hold a voting code.
    assert "SECRET" not in detail.text and "SECRET" not in page.text
    assert detail.text.index("Dan Dow") < detail.text.index("Ann Able")


def test_notices_are_reached_from_the_secretary_s_navigation(testapp, logged_in):
    secretary(logged_in)
    page = testapp.get("/")
    assert page.click("Notices", index=0).request.path == "/secretary/notices"


@pytest.mark.parametrize("role", [Role.DIRECTOR, Role.MEMBER, Role.ADMINISTRATOR, Role.CHAIR])
def test_only_the_secretary_sees_notices_and_print_runs(testapp, dbsession, logged_in, role):
    notice = letters(dbsession, "A notice", ["Ann Able"])
    run = PrintRun(letters=0)
    dbsession.add(run)
    dbsession.commit()
    logged_in(role)
    for path in (
        "/secretary/notices",
        f"/secretary/notices/{notice.id}",
        f"/secretary/notices/print-runs/{run.id}",
        f"/secretary/notices/print-runs/{run.id}/letters.pdf",
        f"/secretary/notices/print-runs/{run.id}/letters.csv",
        f"/secretary/notices/print-runs/{run.id}/posted",
    ):
        assert testapp.get(path, expect_errors=True).status_int == 403, path
    token = {"csrf_token": testapp.cookies["tmo_csrf"]}
    response = testapp.post("/secretary/notices/print-runs/new", token, expect_errors=True)
    assert response.status_int == 403
    assert dbsession.scalar(select(Delivery.status)) == S.TO_PRINT
    assert "Notices" not in testapp.get("/").text.split("</nav>")[0]


def test_someone_not_logged_in_is_sent_to_log_in(testapp):
    response = testapp.get("/secretary/notices")
    assert response.status_int in (302, 303) and "/login" in response.location
