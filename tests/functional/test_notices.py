"""The secretary's Notices through the whole stack: each notice's truthful reach and a failed
email's reason, print runs that gather exactly the letters waiting, the letters' PDF (the address
inside a DL envelope's window) and CSV (no cell a spreadsheet would run), posting that starts
deemed delivery and cannot be done twice, and who may see any of it."""

import csv
import io
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from tests.conftest import date_typed, fill_date
from tests.factories import MemberFactory
from tests.functional.test_board import seat_board
from tests.functional.test_meetings import schedule_form
from tmo.clock import LONDON
from tmo.models.audit import AuditEntry
from tmo.models.board import Director
from tmo.models.meetings import Body, Meeting
from tmo.models.notices import Delivery, Notice, PrintRun
from tmo.permissions import Role
from tmo.rules import meetings as meeting_rules
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
    page = testapp.get("/").follow()
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
    assert "Notices" not in testapp.get("/").follow().text.split("</nav>")[0]


def test_someone_not_logged_in_is_sent_to_log_in(testapp):
    response = testapp.get("/secretary/notices")
    assert response.status_int in (302, 303) and "/login" in response.location


# -- Print runs -----------------------------------------------------------------------------------


def make_a_print_run(testapp):
    form = next(
        form
        for form in testapp.get("/secretary/notices").forms.values()
        if form.action.endswith("/print-runs/new")
    )
    return form.submit()


def test_a_print_run_gathers_exactly_the_letters_waiting_and_the_next_only_new_ones(
    testapp, dbsession, logged_in
):
    first = letters(dbsession, "Notice of the AGM", ["Ann Able", "Bob Bell"])
    a_notice(dbsession, deliveries=[("Cat Cole", S.QUEUED, {}), ("Dan Dow", S.SENT, {})])
    clerk = secretary(logged_in)
    page = make_a_print_run(testapp).follow()
    run = dbsession.scalar(select(PrintRun))
    assert page.request.path == f"/secretary/notices/print-runs/{run.id}"
    assert f"Print run {run.id} made of 2 letters." in page.text
    assert run.letters == 2 and run.created_by_id == clerk.id
    in_run = dbsession.scalars(select(Delivery).where(Delivery.print_run_id == run.id)).all()
    assert sorted(d.name for d in in_run) == ["Ann Able", "Bob Bell"]
    assert {d.status for d in in_run} == {S.PRINTED}
    assert {d.notice_id for d in in_run} == {first.id}
    assert dbsession.scalar(
        select(AuditEntry).where(AuditEntry.action == "notices.print_run_made")
    ).detail == {"letters": 2}

    page = testapp.get("/secretary/notices")
    assert "No letters are waiting to be printed." in page.text
    assert f"Print run {run.id}</a>" in page.text and "Not yet marked posted" in page.text

    letters(dbsession, "Poll card", ["Eve Eng"])
    make_a_print_run(testapp)
    second = dbsession.scalar(select(PrintRun).where(PrintRun.id != run.id))
    assert second.letters == 1
    assert [d.name for d in second.deliveries] == ["Eve Eng"]

    # Nothing left: a third run is refused, not made empty.
    token = {"csrf_token": testapp.cookies["tmo_csrf"]}
    page = testapp.post("/secretary/notices/print-runs/new", token).follow()
    assert "No letters are waiting to be printed." in page.text
    assert len(dbsession.scalars(select(PrintRun)).all()) == 2


def test_the_mailing_house_csv_has_a_row_a_letter_and_no_cell_a_spreadsheet_would_run(
    testapp, dbsession, logged_in
):
    letters(dbsession, "Notice", ['=HYPERLINK("http://evil")', "Ann Able"])
    letters(
        dbsession,
        "Notice",
        ["+cmd", "-2+3", "@SUM(A1)", "\tTabbed", "\rReturn"],
        address="Flat 1, =1+1, London, SW1A 1AA",
    )
    secretary(logged_in)
    run_page = make_a_print_run(testapp).follow()
    response = run_page.click("The addresses for a mailing house")
    assert response.content_type == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == [
        "name",
        "address_line_1",
        "address_line_2",
        "address_line_3",
        "address_line_4",
        "postcode",
        "reference",
    ]
    by_name = {row[0]: row for row in rows[1:]}
    assert len(rows) == 8
    assert by_name["Ann Able"][1:6] == ["Flat 3", "Elm House", "", "", "W10 5AB"]
    assert by_name["Ann Able"][6].startswith("TMO-")
    assert set(by_name) >= {
        '\'=HYPERLINK("http://evil")',
        "'+cmd",
        "'-2+3",
        "'@SUM(A1)",
        "'\tTabbed",
        "'\rReturn",
    }
    assert by_name["'+cmd"][1:6] == ["Flat 1", "'=1+1", "London", "", "SW1A 1AA"]
    for row in rows[1:]:
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row)


def test_posting_a_run_starts_deemed_delivery_48_working_hours_later_past_a_bank_holiday(
    testapp, dbsession, logged_in, clock
):
    # Friday 28 August 2026, 14:00 in London; Monday 31 August is the summer bank holiday.
    clock.set(datetime(2026, 8, 28, 14, 0, tzinfo=LONDON))
    notice = letters(dbsession, "Notice of the AGM", ["Ann Able", "Bob Bell"])
    clerk = secretary(logged_in)
    run_page = make_a_print_run(testapp).follow()
    form = run_page.click("Mark the letters posted").forms["form"]
    assert date_typed(form, "posted_on") == "2026-08-28"
    refused = form.submit("submit")
    assert "Tick the box to confirm every letter of this run has been posted." in refused.text
    form = refused.forms["form"]
    form["confirm"] = True
    page = form.submit("submit").follow()
    # Friday's last 10 hours, no weekend or bank holiday, Tuesday's 24, Wednesday's first 14.
    expected = datetime(2026, 9, 2, 14, 0, tzinfo=LONDON)
    assert "deemed delivered on 2 September 2026, 14:00" in page.text
    run = dbsession.scalar(select(PrintRun))
    assert run.posted_on == date(2026, 8, 28) and run.posted_by_id == clerk.id
    for delivery in run.deliveries:
        assert delivery.status == S.POSTED
        assert delivery.deemed_delivered_at == expected
        assert delivery.body == ""  # a letter's text is not kept once it has left
    assert "cannot be printed again" in page.text
    assert "Mark the letters posted" not in page.text
    assert "Deemed delivered" in page.text
    detail = testapp.get(f"/secretary/notices/{notice.id}")
    assert "Letter posted: 2" in detail.text and "2 September 2026, 14:00" in detail.text
    entry = dbsession.scalar(
        select(AuditEntry).where(AuditEntry.action == "notices.print_run_posted")
    )
    assert entry.detail["posted_on"] == "2026-08-28" and entry.detail["letters"] == 2

    # Posting it again is refused, and the letters can no longer be printed.
    again = testapp.get(f"/secretary/notices/print-runs/{run.id}/posted")
    assert "already marked posted on 28 August 2026" in again.text
    form = again.forms["form"]
    form["confirm"] = True
    refused = form.submit("submit")
    assert "These letters were already marked posted on 28 August 2026." in refused.text
    assert dbsession.get(PrintRun, run.id).posted_on == date(2026, 8, 28)
    page = testapp.get(f"/secretary/notices/print-runs/{run.id}/letters.pdf").follow()
    assert "cannot be printed again" in page.text


def test_a_run_is_posted_on_a_day_between_its_making_and_today(
    testapp, dbsession, logged_in, clock
):
    clock.set(datetime(2026, 11, 9, 10, 0, tzinfo=LONDON))  # a Monday
    letters(dbsession, "Notice", ["Ann Able"])
    secretary(logged_in)
    make_a_print_run(testapp)
    run = dbsession.scalar(select(PrintRun))
    clock.set(datetime(2026, 11, 11, 10, 0, tzinfo=LONDON))
    secretary(logged_in)  # the log-in of two days ago has lapsed
    for day, message in (
        ("2026-11-12", "Posted on must be today or in the past."),
        ("2026-11-08", "cannot have been posted before they were printed on 9 November 2026"),
    ):
        form = testapp.get(f"/secretary/notices/print-runs/{run.id}/posted").forms["form"]
        fill_date(form, "posted_on", day)
        form["confirm"] = True
        assert message in form.submit("submit").text
    form = testapp.get(f"/secretary/notices/print-runs/{run.id}/posted").forms["form"]
    fill_date(form, "posted_on", "2026-11-10")
    form["confirm"] = True
    form.submit("submit").follow()
    # Posted some time on Tuesday: counted from the end of that day, Wednesday and Thursday.
    delivery = dbsession.scalar(select(Delivery))
    assert delivery.deemed_delivered_at == datetime(2026, 11, 13, 0, 0, tzinfo=LONDON)


# -- The letters' PDF -----------------------------------------------------------------------------

DPI = 100
# A DL window envelope's window, in mm from the page's top left: left, top, right, bottom.
WINDOW = (20, 45, 110, 80)


def px(mm: float) -> int:
    return round(mm / 25.4 * DPI)


def dark(image, box_mm) -> int:
    """How many dark pixels lie in ``box_mm`` (left, top, right, bottom) of a greyscale page."""
    left, top, right, bottom = (px(value) for value in box_mm)
    return sum(image.crop((left, top, right, bottom)).histogram()[:128])


def test_each_letter_is_an_a4_page_with_the_address_inside_a_dl_envelope_s_window(
    testapp, dbsession, logged_in
):
    pdfium = pytest.importorskip("pypdfium2")
    letters(
        dbsession,
        "Notice of the AGM <script>",
        ["Ann Able", "Bob Bell & Co"],
        address="Flat 12, Elm House, 1 Elm Road, North Kensington, London, W10 5AB",
    )
    secretary(logged_in)
    run_page = make_a_print_run(testapp).follow()
    response = run_page.click("The letters")
    assert response.content_type == "application/pdf"
    document = pdfium.PdfDocument(response.body)
    try:
        assert len(document) == 2
        sizes = {tuple(round(side / 72 * 25.4) for side in page.get_size()) for page in document}
        assert sizes == {(210, 297)}
        first = document[0]
        text = first.get_textpage().get_text_range()
        image = first.render(scale=DPI / 72).to_pil().convert("L")
    finally:
        document.close()
    assert "Ann Able" in text and "Notice of the AGM <script>" in text
    assert "W10 5AB" in text and "Bob Bell" not in text

    # The address is in the window, with room to spare inside it...
    left, top, right, bottom = WINDOW
    assert dark(image, (left + 2, top + 2, right - 2, bottom - 2)) > 200
    # ...and nothing is printed in a band around the window, where an envelope would hide it.
    assert dark(image, (left - 8, top - 8, right + 8, top)) == 0
    assert dark(image, (left - 8, bottom, right + 8, bottom + 5)) == 0
    assert dark(image, (left - 8, top, left, bottom)) == 0
    assert dark(image, (right, top, right + 8, bottom)) == 0
    # The TMO's name is printed above the window.
    assert dark(image, (left, 10, right + 60, top - 8)) > 0


# -- Scheduling counts from deemed delivery -------------------------------------------------------


def test_an_agm_too_soon_after_its_letters_are_deemed_delivered_is_refused_with_the_posting_date(
    testapp, dbsession, logged_in, clock
):
    # Friday 28 August 2026, 14:00 in London; Monday 31 August is the summer bank holiday.
    clock.set(datetime(2026, 8, 28, 14, 0, tzinfo=LONDON))
    for _ in range(2):
        MemberFactory(contact_by=Channel.POST, email_agreed_at=None)
    MemberFactory(contact_email="emma@example.org")
    body = Body(name="General meeting of members", kind=meeting_rules.GENERAL_MEETING)
    dbsession.add(body)
    dbsession.commit()
    secretary(logged_in)
    # Counted from today, 17 September would leave 19 clear days; from deemed delivery on
    # Wednesday 2 September (48 working hours, past the weekend and the bank holiday), 13.
    refused = schedule_form(testapp, body, date(2026, 9, 16), kind=meeting_rules.AGM)
    assert "notice sent now is deemed delivered on Wednesday 2 September 2026" in refused.text
    assert "The earliest date is 17 September 2026." in refused.text
    assert (
        "For a meeting on 17 September 2026, post the letters to members who get notice by post "
        "by the end of Friday 28 August 2026" in refused.text
    )
    assert not dbsession.scalars(select(Meeting)).all()

    page = schedule_form(testapp, body, date(2026, 9, 17), kind=meeting_rules.AGM).follow()
    assert "1 email on their way; 2 letters to print and post (see Notices)." in page.text
    assert (
        "Post the letters to members who get notice by post by the end of Friday 28 August 2026"
        in page.text
    )


def test_a_board_meeting_whose_notice_goes_by_post_counts_its_days_from_deemed_delivery(
    testapp, dbsession, logged_in, clock
):
    clock.set(datetime(2026, 8, 28, 14, 0, tzinfo=LONDON))
    seat_board(dbsession)  # the residents' directors are members with no email: reached by post
    assert dbsession.scalars(select(Director).where(Director.member_id.is_not(None))).first()
    body = Body(name="Board", kind=meeting_rules.BOARD)
    dbsession.add(body)
    dbsession.commit()
    secretary(logged_in)
    refused = schedule_form(testapp, body, date(2026, 9, 8), title="Board meeting")
    assert (
        "letters posted now are deemed delivered on Wednesday 2 September 2026, which allows 6. "
        "The earliest date is 9 September 2026." in refused.text
    )
    assert "post by the end of Friday 28 August 2026" in refused.text
    page = schedule_form(testapp, body, date(2026, 9, 9), title="Board meeting").follow()
    assert "8 letters to print and post (see Notices)" in page.text
    assert "and the meeting needs 7 days" in page.text
