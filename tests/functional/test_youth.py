"""The Youth Forum through the whole stack: joining (and under-13s turned away without a trace),
the youth worker's approval, privacy for under-18s, a proposal from idea to report through the
web, the board's ratification (by its recorded decision or a minute in words), the dashboard,
ledger CSV and board PDF, who may open which page, ageing out, and electing the chair into the
board's ex officio seat."""

import csv
import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import webtest
from sqlalchemy import func, select

from tests.conftest import choose, fill_date, log_in
from tests.elections_setup import TEST_SECRET
from tests.factories import AccountFactory, YouthMemberFactory
from tmo.clock import london_day
from tmo.constitution import Constitution
from tmo.models.audit import AuditEntry
from tmo.models.board import Directorship
from tmo.models.meetings import AgendaItem, Body, Decision, Meeting
from tmo.models.youth import (
    YouthChairCandidate,
    YouthLedgerEntry,
    YouthMember,
    YouthProposal,
    YouthVote,
)
from tmo.permissions import Role
from tmo.rules import meetings as meeting_rules
from tmo.rules import youth as rules
from tmo.rules.youth import ProposalStatus
from tmo.services import pdf as pdf_service
from tmo.services import youth


def now() -> datetime:
    """The moment a test acts at: these tests run on the computer's clock."""
    return datetime.now(UTC)


# The day the app's requests take as today: the date in London.
TODAY = london_day(now())
PDF = b"%PDF-1.4 a quote from the supplier\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def years_ago(years, days=0):
    return TODAY.replace(year=TODAY.year - years) - timedelta(days=days)


def member(dbsession, first_name, age=15, **extra):
    account = AccountFactory(roles=[Role.YOUTH_MEMBER], display_name=first_name)
    return YouthMemberFactory(
        account=account, first_name=first_name, date_of_birth=years_ago(age, 10), **extra
    )


def open_budget(dbsession):
    youth.open_year(dbsession, Constitution(), day=TODAY, actor_id=None)
    dbsession.commit()


def join_form(testapp, born, first_name="Amara", surname="Okafor", contact_by="email"):
    form = testapp.get("/youth/join").forms["form"]
    choose(form, contact_by)
    form["first_name"] = first_name
    form["surname"] = surname
    fill_date(form, "date_of_birth", born)
    form["postcode"] = "w10 5pa"
    form["lives_here"] = True
    return form.submit("submit")


def test_an_under_13_is_turned_away_kindly_and_nothing_of_theirs_is_kept(
    testapp, dbsession, logged_in
):
    logged_in()
    entries_before = dbsession.scalar(select(func.count()).select_from(AuditEntry))
    page = join_form(testapp, years_ago(12), first_name="Tiny", surname="Tim")
    assert page.status_int == 200
    assert "You are very welcome to join when you turn 13" in page.text
    assert "We have not kept anything you typed in." in page.text
    assert "Tim" not in page.text
    assert dbsession.scalar(select(func.count()).select_from(YouthMember)) == 0
    after = dbsession.scalar(select(func.count()).select_from(AuditEntry))
    assert after == entries_before


def test_a_15_year_old_joins_once_a_youth_worker_approves(testapp, dbsession, logged_in, mailer):
    applicant = logged_in()
    missing = testapp.get("/youth/join").forms["form"].submit("submit")
    summary = missing.html.select_one(".error-summary").get_text(" ", strip=True)
    assert "Enter your date of birth." in summary
    assert "Tick the box to say you live in the area." in summary
    done = join_form(testapp, years_ago(15)).follow()
    assert "A youth worker will look at your request soon" in done.text
    assert testapp.get("/youth/proposals/new", expect_errors=True).status_int == 403

    testapp.reset()
    logged_in(Role.YOUTH_WORKER)
    waiting = testapp.get("/youth/members")
    assert "Amara Okafor" in waiting.text
    entry = dbsession.scalar(select(YouthMember).where(YouthMember.first_name == "Amara"))
    form = testapp.get(f"/youth/members/{entry.id}").forms["form"]
    choose(form, "approve")
    assert "Amara Okafor has joined the forum." in form.submit("submit").follow().text
    [welcome] = [m for m in mailer.outbox if applicant.email in m.recipients]
    leaves = rules.leaves_on(entry.date_of_birth, Constitution().youth)
    assert f"until your 26th birthday, on {leaves:%-d %B %Y}" in welcome.body

    testapp.reset()
    log_in(testapp, applicant.email)
    home = testapp.get("/youth/forum")
    assert "you are a member of the Youth Forum" in home.text
    assert "other members see only your first name" in home.text
    assert testapp.get("/youth/proposals/new").status_int == 200


def propose(testapp, title="Football goals", cost="500"):
    form = testapp.get("/youth/proposals/new").forms["form"]
    form["title"] = title
    form["what_and_why"] = "Two goals for the ball court, so we can play properly."
    form["who_benefits"] = "Everyone who uses the ball court."
    choose(form, "sport")
    form["cost_pence"] = cost
    form["cost_breakdown"] = "2 goals at £250 each"
    form["upload"] = webtest.Upload("quote.pdf", PDF, "application/pdf")
    return form.submit("submit")


def act(testapp, proposal_id, step, expect=302, **choices):
    form = testapp.get(f"/youth/proposals/{proposal_id}/{step}").forms["form"]
    for name, value in choices.items():
        if value in ("vote", "return", "for", "against", "abstain", "ratified", "refused"):
            choose(form, value)
        elif f"{name}-day" in form.fields:
            fill_date(form, name, value)
        else:
            form[name] = value
    response = form.submit("submit")
    assert response.status_int == expect, response.text
    return response


def test_a_proposal_from_idea_to_report_through_the_web(testapp, dbsession, logged_in):
    open_budget(dbsession)
    amara = member(dbsession, "Amara", surname="Okafor")
    ben = member(dbsession, "Ben", age=20, surname="Ward")

    log_in(testapp, amara.account.email)
    bad = propose(testapp, cost="five hundred")
    assert "Enter an amount of money in pounds" in bad.text
    assert bad.forms["form"]["title"].value == "Football goals"  # nothing typed is lost
    saved = propose(testapp).follow()
    assert "Your idea is saved" in saved.text
    proposal = dbsession.scalar(select(YouthProposal))
    assert proposal.cost_pence == 50_000
    act(testapp, proposal.id, "submit")

    testapp.reset()
    logged_in(Role.YOUTH_WORKER)
    returned = act(testapp, proposal.id, "check", expect=200, decision="return")
    assert "Say what needs to change" in returned.text
    act(testapp, proposal.id, "check", decision="vote", comments="Feasible and allowed.")
    # A refused request's session is closed with its transaction: read the proposal afresh.
    assert dbsession.get(YouthProposal, proposal.id).status == ProposalStatus.VOTING

    for person in (amara, ben):
        testapp.reset()
        log_in(testapp, person.account.email)
        page = testapp.get(f"/youth/proposals/{proposal.id}")
        assert "Amara" in page.text and "Okafor" not in page.text  # an under-18's first name only
        act(testapp, proposal.id, "vote", choice="for")

    testapp.reset()
    logged_in(Role.YOUTH_WORKER)
    # Both have voted: the vote has closed itself, its money committed.
    counted = testapp.get(f"/youth/proposals/{proposal.id}")
    assert "2 for, 0 against, 0 abstaining." in counted.text
    assert dbsession.get(YouthProposal, proposal.id).status == ProposalStatus.COMMITTED
    assert "Amara Okafor" in counted.text  # the youth worker sees the full name

    dashboard = testapp.get("/youth/budget")
    assert "£14,500.00 is left to spend this year" in dashboard.text
    assert (
        dashboard.html.select_one("svg[role=img] title")
        .get_text()
        .startswith("Money committed and spent")
    )
    assert "Sport and games" in dashboard.text

    form = testapp.get(f"/youth/proposals/{proposal.id}/spend").forms["form"]
    form["amount"] = "460"
    form["upload"] = webtest.Upload("receipt.png", PNG, "image/png")
    spent = form.submit("submit").follow()
    assert "Underspent by £40.00: released back to the budget." in spent.text
    receipt = spent.html.find("a", string=lambda s: s and "receipt" in s)
    download = testapp.get(receipt["href"])
    assert download.content_type == "image/png"
    assert download.headers["Content-Disposition"].startswith("attachment")

    rows = list(csv.DictReader(io.StringIO(testapp.get("/youth/budget/ledger.csv").text)))
    assert [(r["kind"], r["amount_gbp"]) for r in rows] == [
        ("allocation", "15000.00"),
        ("commitment", "500.00"),
        ("spend", "460.00"),
        ("release", "40.00"),
    ]
    assert rows[-1]["spent"] == "460.00" and rows[-1]["committed"] == "0.00"
    report = testapp.get("/youth/budget/board-report.pdf")
    assert report.content_type == "application/pdf"
    assert report.body.startswith(b"%PDF-")

    testapp.reset()
    log_in(testapp, amara.account.email)
    form = testapp.get(f"/youth/proposals/{proposal.id}/report").forms["form"]
    form["report"] = "We play football every evening now."
    form.set("upload", webtest.Upload("goals.png", PNG, "image/png"), index=0)
    form["caption_1"] = "The new goals"
    refused = form.submit("submit")
    assert "Tick the consent box" in refused.text
    form = refused.forms["form"]
    form.set("upload", webtest.Upload("goals.png", PNG, "image/png"), index=0)
    form["consent"] = True
    assert "Your report is published" in form.submit("submit").follow().text

    testapp.reset()
    public = testapp.get("/youth")
    assert "Football goals" in public.text
    assert "We play football every evening now." in public.text
    assert "Amara" not in public.text and "Ben" not in public.text
    photo = public.html.select_one("img.youth-photo")
    assert photo["alt"] == "The new goals"
    assert testapp.get(photo["src"]).content_type == "image/png"


def test_a_member_with_an_interest_cannot_vote(testapp, dbsession):
    open_budget(dbsession)
    amara, ben = member(dbsession, "Amara"), member(dbsession, "Ben")
    proposal = voted(dbsession, amara)
    log_in(testapp, ben.account.email)
    act(testapp, proposal.id, "interest", note="My brother runs the club.")
    page = testapp.get(f"/youth/proposals/{proposal.id}")
    assert "You declared an interest" in page.text
    assert "Vote on this proposal" not in page.text
    refused = act(testapp, proposal.id, "vote", expect=200, choice="for")
    assert "You declared an interest in this proposal" in refused.text


def voted(dbsession, proposer, cost=50_000):
    proposal = youth.draft_proposal(
        dbsession,
        proposer,
        youth.ProposalFields("Goals", "Play", "Everyone", "sport", cost, "2 goals"),
        quote=(PDF, "quote.pdf"),
        actor_id=None,
    )
    youth.submit_proposal(dbsession, proposal, proposer, actor_id=None, now=now())
    youth.open_vote(dbsession, Constitution(), proposal, comments="", actor_id=None, today=TODAY)
    dbsession.commit()
    return proposal


def test_the_secretary_records_the_boards_ratification_of_a_big_spend(
    testapp, dbsession, logged_in
):
    open_budget(dbsession)
    amara = member(dbsession, "Amara")
    proposal = voted(dbsession, amara, cost=120_000)
    youth.cast_vote(dbsession, proposal, amara, choice="for", actor_id=None, today=TODAY)
    youth.count_proposal_votes(dbsession, Constitution(), proposal.id, actor_id=None, today=TODAY)
    proposal.submitted_at = datetime(2026, 6, 1, 12, tzinfo=UTC)
    dbsession.commit()
    assert proposal.status == ProposalStatus.AWAITING_RATIFICATION

    logged_in(Role.SECRETARY)
    page = testapp.get(f"/youth/proposals/{proposal.id}")
    assert "the board must ratify it" in page.text
    form = testapp.get(f"/youth/proposals/{proposal.id}/ratify")
    assert (
        "No decision of the board since the proposal was sent on 1 June 2026 is recorded in tmo"
        in shown(form)
    )
    missing = act(testapp, proposal.id, "ratify", expect=200, decision="ratified", decided_on="")
    summary = missing.html.select_one(".error-summary").get_text(" ", strip=True)
    assert "Choose the board's decision from the list, or type its minute" in summary
    assert "Enter the date of the decision." in summary
    early = act(
        testapp,
        proposal.id,
        "ratify",
        expect=200,
        decision="ratified",
        reference="Board 31 May, minute 2",
        decided_on="2026-05-31",
    )
    assert (
        "That decision was made on 31 May 2026, before the proposal was sent on 1 June 2026"
        in early.html.select_one(".error-summary").get_text(" ", strip=True)
    )
    done = act(
        testapp,
        proposal.id,
        "ratify",
        decision="ratified",
        reference="Board 3 June, minute 6",
        decided_on="2026-06-03",
    ).follow()
    assert "Ratified: Board 3 June, minute 6, 3 June 2026." in done.text
    ratified = dbsession.get(YouthProposal, proposal.id)
    assert ratified.status == ProposalStatus.COMMITTED
    assert ratified.ratification_decision_id is None
    assert ratified.ratification_date == date(2026, 6, 3)
    assert ratification_audit(dbsession, proposal)["decision"] is None


def ratification_audit(dbsession, proposal):
    return dbsession.scalar(
        select(AuditEntry.detail).where(
            AuditEntry.action.in_(["youth.proposal.ratify", "youth.proposal.refuse_ratification"]),
            AuditEntry.target_id == str(proposal.id),
        )
    )


def awaiting_ratification(dbsession, title="Recording studio", cost=120_000, sent_days_ago=20):
    """A proposal sent ``sent_days_ago`` days ago, passed by the forum, awaiting the board."""
    amara = member(dbsession, f"Amara {title}")
    proposal = voted(dbsession, amara, cost=cost)
    proposal.title = title
    proposal.submitted_at = now() - timedelta(days=sent_days_ago)
    youth.cast_vote(dbsession, proposal, amara, choice="for", actor_id=None, today=TODAY)
    youth.count_proposal_votes(dbsession, Constitution(), proposal.id, actor_id=None, today=TODAY)
    dbsession.commit()
    assert proposal.status == ProposalStatus.AWAITING_RATIFICATION
    return proposal


def minuted(dbsession, body, days_ago, text, *, confidential=False, minutes_state="draft"):
    """A decision of ``body`` at a meeting ``days_ago`` days ago (negative: still to come)."""
    starts = datetime.now(UTC).replace(microsecond=0) - timedelta(days=days_ago)
    meeting = Meeting(
        body=body,
        title=f"{body.name} meeting",
        starts_at=starts,
        place="Community room",
        notice_given_at=starts - timedelta(days=14),
        minutes_state=minutes_state,
    )
    item = AgendaItem(
        meeting=meeting, position=1, title="Youth Forum spends", confidential=confidential
    )
    decision = Decision(item=item, text=text)
    dbsession.add_all([meeting, item, decision])
    dbsession.commit()
    return decision


def shown(page):
    """The page's words as a reader sees them (entities decoded, spaces collapsed)."""
    return " ".join(page.html.get_text(" ").split())


def london(decision):
    return decision.item.meeting.starts_at.astimezone(ZoneInfo("Europe/London")).date()


def test_the_secretary_ratifies_by_choosing_the_boards_recorded_decision(
    testapp, dbsession, logged_in, monkeypatch
):
    open_budget(dbsession)
    proposal = awaiting_ratification(dbsession)
    board = Body(name="The board", kind=meeting_rules.BOARD)
    finance = Body(name="Finance and Audit Committee", kind=meeting_rules.COMMITTEE)
    dbsession.add_all([board, finance])
    older = minuted(dbsession, board, 40, "Noted the Youth Forum's quarterly report.")
    ratifying = minuted(
        dbsession,
        board,
        5,
        "The board ratified the Youth Forum's spend on a recording studio.",
        minutes_state=meeting_rules.SIGNED,
    )
    future = minuted(dbsession, board, -7, "A decision not yet made.")
    secret = minuted(dbsession, board, 3, "Settled a staff grievance.", confidential=True)
    committee = minuted(dbsession, finance, 2, "The committee recommends the studio.")

    logged_in(Role.SECRETARY)
    form = testapp.get(f"/youth/proposals/{proposal.id}/ratify").forms["form"]
    options = [(value, label) for value, _, label in form["board_decision"].options]
    # Only the board's decisions minuted since the proposal was sent (20 days ago).
    assert [value for value, _ in options] == ["", str(ratifying.id)]
    assert options[1][1] == (
        f"{london(ratifying):%-d %B %Y}: "
        "The board ratified the Youth Forum's spend on a recording studio."
    )
    for hidden in (older, future, secret, committee):
        assert str(hidden.id) not in [value for value, _ in options]

    choose(form, "ratified")
    form["board_decision"].force_value(str(older.id))
    refused = form.submit("submit")
    assert "Choose one of the board's recorded decisions" in refused.text
    # The service holds the same line for any caller.
    with pytest.raises(youth.YouthError, match="before the proposal was sent on"):
        youth.record_ratification(
            dbsession,
            dbsession.get(YouthProposal, proposal.id),
            ratified=True,
            decision_id=older.id,
            actor_id=None,
            now=now(),
        )
    form = refused.forms["form"]
    form["board_decision"] = str(ratifying.id)
    page = form.submit("submit").follow()
    day = f"{london(ratifying):%-d %B %Y}"
    assert (
        f"Ratified by the board at its meeting of {day}: "
        "“The board ratified the Youth Forum's spend on a recording studio.”"
    ) in shown(page)
    minutes = ratifying.item.meeting_id
    [link] = page.html.select(f'a[href$="/meetings/{minutes}/minutes"]')
    assert link.get_text(strip=True) == f"Read the minutes of the board meeting of {day}"
    testapp.get(link["href"])  # the public minutes page it links to

    done = dbsession.get(YouthProposal, proposal.id)
    assert done.status == ProposalStatus.COMMITTED
    assert done.ratification_decision_id == ratifying.id
    assert done.ratification_date == london(ratifying)
    assert done.ratification_reference == ""
    detail = ratification_audit(dbsession, proposal)
    assert detail["decision"] == ratifying.id and detail["meeting"] == minutes

    printed = []
    real = pdf_service.html_to_pdf

    def capture(html, inserts=None):
        printed.append(html)
        return real(html, inserts)

    monkeypatch.setattr(pdf_service, "html_to_pdf", capture)
    testapp.get("/youth/budget/board-report.pdf")
    assert f"Board meeting of {day}: The board ratified the Youth Forum" in printed[-1]
    assert f"/meetings/{minutes}/minutes" in printed[-1]

    # Until its minutes are signed the meeting has no public page to link to.
    dbsession.get(Meeting, minutes).minutes_state = meeting_rules.APPROVED
    dbsession.commit()
    page = testapp.get(f"/youth/proposals/{proposal.id}")
    assert f"Ratified by the board at its meeting of {day}" in shown(page)
    assert not page.html.select(f'a[href$="/meetings/{minutes}/minutes"]')


def test_only_a_board_decision_ratifies_and_a_refusal_releases_the_money(
    testapp, dbsession, logged_in
):
    open_budget(dbsession)
    proposal = awaiting_ratification(dbsession)
    board = Body(name="The board", kind=meeting_rules.BOARD)
    finance = Body(name="Finance and Audit Committee", kind=meeting_rules.COMMITTEE)
    dbsession.add_all([board, finance])
    committee = minuted(dbsession, finance, 2, "The committee recommends the studio.")
    future = minuted(dbsession, board, -7, "A decision not yet made.")
    refusal = minuted(dbsession, board, 4, "The board did not ratify the studio spend.")

    logged_in(Role.SECRETARY)
    form = testapp.get(f"/youth/proposals/{proposal.id}/ratify").forms["form"]
    choose(form, "ratified")
    form["board_decision"].force_value(str(committee.id))
    refused = form.submit("submit")
    assert refused.status_int == 200
    assert "Choose one of the board's recorded decisions" in refused.text
    form = refused.forms["form"]
    form["board_decision"] = str(refusal.id)
    form["reference"] = "Board 3 June, minute 6"
    both = form.submit("submit")
    assert "leave the minute in words empty" in both.text
    unchanged = dbsession.get(YouthProposal, proposal.id)
    assert unchanged.status == ProposalStatus.AWAITING_RATIFICATION
    assert unchanged.ratification_decision_id is None

    # The service holds the same line for any caller.
    for wrong, message in ((committee, "not the board"), (future, "has not taken place")):
        with pytest.raises(youth.YouthError, match=message):
            youth.record_ratification(
                dbsession,
                unchanged,
                ratified=True,
                decision_id=wrong.id,
                actor_id=None,
                now=now(),
            )

    form = testapp.get(f"/youth/proposals/{proposal.id}/ratify").forms["form"]
    choose(form, "refused")
    form["board_decision"] = str(refusal.id)
    page = form.submit("submit").follow()
    day = f"{london(refusal):%-d %B %Y}"
    assert f"Not ratified by the board at its meeting of {day}" in shown(page)
    assert "/minutes" not in page.html.select_one("main").decode()
    released = dbsession.scalar(
        select(YouthLedgerEntry).where(
            YouthLedgerEntry.proposal_id == proposal.id, YouthLedgerEntry.kind == rules.RELEASE
        )
    )
    assert released.amount_pence == 120_000 and released.entry_date == london(refusal)
    assert ratification_audit(dbsession, proposal)["decision"] == refusal.id


ROUTES_FOR = {
    "/youth": {"public", "resident", "youth_member", "youth_worker", "secretary", "director"},
    # Anyone with an account may ask to join (the form checks the age band).
    "/youth/join": {"resident", "youth_member", "youth_worker", "secretary", "director"},
    "/youth/forum": {"resident", "youth_member", "youth_worker", "secretary", "director"},
    "/youth/budget": {"youth_member", "youth_worker", "secretary", "director"},
    "/youth/proposals": {"youth_member", "youth_worker", "secretary", "director"},
    "/youth/proposals/new": {"youth_member"},
    "/youth/members": {"youth_worker"},
    "/youth/budget/adjust": {"youth_worker"},
    "/youth/budget/ledger.csv": {"youth_member", "youth_worker", "secretary", "director"},
}


@pytest.mark.parametrize(
    "who", ["public", "resident", "youth_member", "youth_worker", "secretary", "director"]
)
def test_who_may_open_which_youth_page(testapp, dbsession, logged_in, who):
    if who != "public":
        roles = [] if who == "resident" else [Role(who)]
        logged_in(*roles)
    for path, allowed in ROUTES_FOR.items():
        response = testapp.get(path, expect_errors=True)
        if who in allowed:
            assert response.status_int in (200, 302), (who, path, response.status)
            if response.status_int == 302:
                assert "/login" not in response.location
        elif who == "public":
            assert response.status_int == 302 and "/login" in response.location, path
        else:
            assert response.status_int == 403, (who, path, response.status)


def test_a_member_ages_out_on_their_26th_birthday(testapp, dbsession):
    open_budget(dbsession)
    leaving = member(dbsession, "Sam", age=25, surname="Lee")
    leaving.date_of_birth = years_ago(26) + timedelta(days=30)
    dbsession.commit()
    log_in(testapp, leaving.account.email)
    home = testapp.get("/youth/forum")
    birthday = rules.leaves_on(leaving.date_of_birth, Constitution().youth)
    assert f"You leave the Youth Forum on {birthday:%-d %B %Y}" in home.text
    # Each request's session ends with it: change the member as read afresh.
    dbsession.get(YouthMember, leaving.id).date_of_birth = years_ago(26)
    dbsession.commit()
    assert "You left the Youth Forum on" in testapp.get("/youth/forum").text
    refused = propose(testapp)
    assert f"You left the Youth Forum on {TODAY:%-d %B %Y}." in refused.text
    assert dbsession.scalar(select(func.count()).select_from(YouthProposal)) == 0


def test_the_forum_elects_a_chair_who_takes_the_board_seat(testapp, dbsession, logged_in):
    chair = member(dbsession, "Maya", age=19, surname="Hussain")
    other = member(dbsession, "Leo", age=17, surname="Grant")
    worker = logged_in(Role.YOUTH_WORKER)
    form = testapp.get("/youth/chair/open").forms["form"]
    form.get("checkbox", index=0).checked = True
    form.get("checkbox", index=1).checked = True
    assert "The vote for the chair is open" in form.submit("submit").follow().text
    maya_candidacy = dbsession.scalar(
        select(YouthChairCandidate.id).where(YouthChairCandidate.member_id == chair.id)
    )
    for person in (chair, other):
        testapp.reset()
        log_in(testapp, person.account.email)
        form = testapp.get("/youth/chair/vote").forms["form"]
        choose(form, str(maya_candidacy))
        assert "Your vote is in" in form.submit("submit").follow().text
    testapp.reset()
    log_in(testapp, worker.email)
    counted = testapp.get("/youth/chair/count").forms["form"].submit("submit").follow()
    assert "Maya Hussain chairs the Youth Forum" in counted.text
    seat = dbsession.scalar(select(Directorship).where(Directorship.seat_category == "youth_chair"))
    assert seat.director.name == "Maya Hussain"
    assert seat.ended_on == rules.leaves_on(chair.date_of_birth, Constitution().youth)
    roster = testapp.get("/board")
    assert roster.html.find("td", string="Maya Hussain") is not None


def test_a_new_chair_ends_the_last_chairs_board_seat(dbsession):
    rules_ = Constitution()
    first = member(dbsession, "Maya", age=19, surname="Hussain")
    second = member(dbsession, "Ola", age=21, surname="Ade")
    youth.become_chair(dbsession, rules_, first, election=None, actor_id=None, today=TODAY)
    later = TODAY + timedelta(days=100)
    notes = youth.become_chair(dbsession, rules_, second, election=None, actor_id=None, today=later)
    assert "They hold the Youth Forum chair's seat on the board while they chair." in notes
    seats = dbsession.scalars(
        select(Directorship)
        .where(Directorship.seat_category == "youth_chair")
        .order_by(Directorship.start_date)
    ).all()
    assert [s.director.name for s in seats] == ["Maya Hussain", "Ola Ade"]
    assert seats[0].ended_on == later
    assert youth.chair_on(dbsession, later).member is second


def test_a_chair_too_young_for_the_board_chairs_the_forum_without_the_seat(dbsession):
    young = member(dbsession, "Leo", age=16, surname="Grant")
    notes = youth.become_chair(
        dbsession, Constitution(), young, election=None, actor_id=None, today=TODAY
    )
    assert any("at least 18 years old" in note for note in notes)
    assert youth.chair_on(dbsession, TODAY).directorship is None


def test_the_demo_forum_has_members_a_budget_in_use_and_proposals_in_every_state(
    testapp, dbsession
):
    from tmo.demo import DEMO_PASSWORD, load_demo

    assert load_demo(dbsession, TODAY, secret=TEST_SECRET) is True
    dbsession.commit()
    statuses = set(dbsession.scalars(select(YouthProposal.status)))
    assert statuses == set(rules.STATUSES)
    constitution = Constitution(organisation_name="Golborne Estates TMO (demo)")
    year = youth.year_for(dbsession, constitution, TODAY)
    money = youth.year_balances(dbsession, year)
    assert money.allocated == 1_500_000
    assert 0 < money.spent < money.spent + money.committed < money.allocated
    assert len(youth.forum_members(dbsession, constitution, TODAY)) == 5
    assert youth.chair_on(dbsession, TODAY).member.first_name == "Yusuf"

    log_in(testapp, "youth.worker@example.org", DEMO_PASSWORD)
    assert "Noah Evans" in testapp.get("/youth/members").text
    dashboard = testapp.get("/youth/budget")
    assert f"{rules.format_pounds(money.remaining)} is left to spend this year" in dashboard.text
    for proposal in dbsession.scalars(select(YouthProposal)):
        page = testapp.get(f"/youth/proposals/{proposal.id}", expect_errors=True)
        # A draft is its proposer's own until they send it.
        assert page.status_int == (404 if proposal.status == ProposalStatus.DRAFT else 200)
    assert testapp.get("/youth/budget/board-report.pdf").body.startswith(b"%PDF-")
    assert "Yusuf Ali chairs the forum" in testapp.get("/youth/chair").text


def test_a_draft_is_private_until_sent_and_can_be_withdrawn(testapp, dbsession):
    amara, ben = member(dbsession, "Amara"), member(dbsession, "Ben")
    draft = youth.draft_proposal(
        dbsession,
        amara,
        youth.ProposalFields("Secret idea", "Play", "Everyone", "sport", 10_000, "A ball"),
        actor_id=None,
    )
    dbsession.commit()
    log_in(testapp, ben.account.email)
    assert "Secret idea" not in testapp.get("/youth/proposals").text
    assert testapp.get(f"/youth/proposals/{draft.id}", expect_errors=True).status_int == 404
    testapp.reset()
    log_in(testapp, amara.account.email)
    assert "Secret idea" in testapp.get("/youth/proposals").text
    done = act(testapp, draft.id, "withdraw").follow()
    assert "Your proposal is withdrawn." in done.text
    assert dbsession.get(YouthProposal, draft.id).status == ProposalStatus.WITHDRAWN


def test_a_chair_who_leaves_the_forum_leaves_the_board_seat(testapp, dbsession):
    maya = member(dbsession, "Maya", age=19, surname="Hussain")
    youth.become_chair(dbsession, Constitution(), maya, election=None, actor_id=None, today=TODAY)
    dbsession.commit()
    log_in(testapp, maya.account.email)
    left = testapp.get("/youth/forum/leave").forms["form"].submit("submit").follow()
    assert "You have left the Youth Forum" in left.text
    seat = dbsession.scalar(select(Directorship).where(Directorship.seat_category == "youth_chair"))
    assert seat.ended_on == TODAY
    assert youth.chair_on(dbsession, TODAY) is None
    assert "Maya Hussain" not in testapp.get("/board").text


def test_last_years_budget_is_still_there_to_read(testapp, dbsession, logged_in):
    last_year = rules.year_start(TODAY, Constitution().youth) - timedelta(days=1)
    youth.open_year(dbsession, Constitution(), day=last_year, actor_id=None)
    open_budget(dbsession)
    logged_in(Role.YOUTH_WORKER)
    start = rules.year_start(last_year, Constitution().youth)
    label = rules.year_label(start)
    dashboard = testapp.get("/youth/budget")
    link = dashboard.html.find("a", string=f"The budget for {label}")
    old = testapp.get(link["href"])
    assert f"The Youth Forum's budget, {label}" in old.text
    rows = list(
        csv.DictReader(io.StringIO(testapp.get(f"/youth/budget/ledger.csv?year={start}").text))
    )
    # Its money lapsed when this year's budget opened.
    assert [(r["kind"], r["reason"]) for r in rows] == [
        ("allocation", f"Devolved budget for {label}"),
        ("lapse", "Lapsed"),
    ]


def test_a_tied_vote_for_chair_elects_nobody(dbsession):
    rules_ = Constitution()
    maya, ola = member(dbsession, "Maya", age=19), member(dbsession, "Ola", age=20)
    election = youth.open_chair_election(
        dbsession, rules_, candidates=[maya, ola], actor_id=None, today=TODAY
    )
    for voter, candidate in ((maya, 0), (ola, 1)):
        youth.cast_chair_vote(
            dbsession,
            election,
            voter,
            candidate_id=election.candidates[candidate].id,
            actor_id=None,
            today=TODAY,
        )
    with pytest.raises(youth.YouthError, match="already voted for the chair"):
        youth.cast_chair_vote(
            dbsession,
            election,
            maya,
            candidate_id=election.candidates[1].id,
            actor_id=None,
            today=TODAY,
        )
    notes = youth.count_chair_election(dbsession, rules_, election, actor_id=None, today=TODAY)
    assert notes == ["No candidate won outright (a tie, or no votes): open a new vote."]
    assert youth.chair_on(dbsession, TODAY) is None


def test_a_drafts_quote_is_its_proposers_alone_until_it_is_sent(testapp, dbsession, logged_in):
    amara, ben = member(dbsession, "Amara"), member(dbsession, "Ben")
    draft = youth.draft_proposal(
        dbsession,
        amara,
        youth.ProposalFields("Secret idea", "Play", "Everyone", "sport", 10_000, "A ball"),
        quote=(PDF, "quote.pdf"),
        actor_id=None,
    )
    dbsession.commit()
    quote = f"/youth/files/{draft.quote_file_id}"
    log_in(testapp, ben.account.email)
    assert testapp.get(quote, expect_errors=True).status_int == 404
    testapp.reset()
    logged_in(Role.YOUTH_WORKER)
    assert testapp.get(quote, expect_errors=True).status_int == 404
    testapp.reset()
    log_in(testapp, amara.account.email)
    assert testapp.get(quote).body == PDF

    # Each request's session ends with it: send the proposal as read afresh.
    sent = dbsession.get(YouthProposal, draft.id)
    youth.submit_proposal(dbsession, sent, sent.proposer, actor_id=None, now=now())
    dbsession.commit()
    testapp.reset()
    log_in(testapp, ben.account.email)
    assert testapp.get(quote).body == PDF


def test_a_vote_closes_by_the_apps_clock(testapp, dbsession, clock):
    amara, ben = member(dbsession, "Amara"), member(dbsession, "Ben")
    proposal = youth.draft_proposal(
        dbsession,
        amara,
        youth.ProposalFields("Goals", "Play", "Everyone", "sport", 50_000, "2 goals"),
        quote=(PDF, "quote.pdf"),
        actor_id=None,
    )
    youth.submit_proposal(dbsession, proposal, amara, actor_id=None, now=now())
    # Opened eight days ago: a week's vote, closed since yesterday.
    opened = TODAY - timedelta(days=8)
    youth.open_vote(dbsession, Constitution(), proposal, comments="", actor_id=None, today=opened)
    dbsession.commit()
    page = f"/youth/proposals/{proposal.id}"
    log_in(testapp, ben.account.email)
    assert "Vote on this proposal" not in testapp.get(page).text

    clock.advance(days=-5)  # back to while the vote was open
    assert "Vote on this proposal" in testapp.get(page).text
    form = testapp.get(f"{page}/vote").forms["form"]
    choose(form, "for")

    clock.advance(days=5)  # and on again, past its last day
    refused = form.submit("submit")
    assert "Voting on this proposal has closed." in refused.text
    assert dbsession.scalar(select(func.count()).select_from(YouthVote)) == 0
