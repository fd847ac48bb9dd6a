"""An election walked as its members, returning officer and scrutineer would: what happens
next at every stage, deadlines at midnight that nobody misreads, the receipt that says when the
trackers appear, the cast address asked for as a page, the set-up form's seats."""

import re
from datetime import date, datetime, timedelta

import pytest
import webtest
from sqlalchemy import select

from tests.conftest import log_in
from tests.elections_setup import (
    RULES,
    count,
    fresh,
    member,
    new_election,
    now,
    poll_open,
    shift,
    stand,
    web_request,
)
from tests.factories import AccountFactory
from tests.functional.test_voting_codes import cards_by_name, tick_first_and_cast, vote_page
from tmo.clock import LONDON, london_day, london_midnight
from tmo.models.elections import Election
from tmo.permissions import Role
from tmo.presenters import closing, day, opening
from tmo.services import elections


@pytest.fixture
def request_(app, dbsession):
    return web_request(app, dbsession)


def next_step(page) -> str:
    return page.html.find(id="next-step").get_text(" ", strip=True)


def end_of(day_after: date) -> str:
    return f"midnight at the end of {day(day_after - timedelta(days=1))}"


# Deadlines at midnight ----------------------------------------------------------------------------


def test_a_close_at_midnight_reads_as_the_end_of_the_day_before_in_winter_and_summer():
    winter = london_midnight(date(2026, 12, 17))
    summer = london_midnight(date(2027, 7, 1))
    assert closing(winter) == "midnight at the end of 16 December 2026"
    assert closing(summer) == "midnight at the end of 30 June 2027"
    assert opening(winter) == "midnight at the start of 17 December 2026"
    afternoon = datetime(2026, 12, 17, 14, 5, tzinfo=LONDON)
    assert closing(afternoon) == opening(afternoon) == "17 December 2026, 14:05"
    assert closing(None) == opening(None) == ""


def test_every_page_and_mail_gives_the_polls_close_as_the_end_of_the_day_before(
    testapp, dbsession, mailer, request_
):
    election, people = poll_open(dbsession, request_)
    closes = london_day(election.poll_closes_at)
    dbsession.commit()
    pages = [
        testapp.get("/"),
        testapp.get("/elections"),
        testapp.get(f"/elections/{election.id}"),
    ]
    log_in(testapp, people[3].account.email)
    pages.append(testapp.get(f"/elections/{election.id}/ballot"))
    for page in pages:
        assert end_of(closes) in page.html.get_text(" "), page.request.path
        assert ", 00:00" not in page.text, page.request.path
    # The notice went before the test moved the poll's dates: the same words, another day.
    notice = next(m for m in mailer.outbox if m.subject.startswith("Notice of poll"))
    assert "closes at midnight at the end of" in " ".join(notice.body.split())
    assert ", 00:00" not in notice.body


# What happens next --------------------------------------------------------------------------------


def test_the_election_page_says_the_next_step_and_its_date_at_every_stage(
    testapp, dbsession, request_
):
    officer = AccountFactory(roles=[Role.RETURNING_OFFICER])
    election = new_election(dbsession, seats=1, returning_officer=officer)
    dbsession.commit()
    page = testapp.get(f"/elections/{election.id}")
    assert next_step(page) == (
        f"What happens next: Nominations close at {closing(election.nominations_close_at)}. "
        f"The poll opens at {opening(election.poll_opens_at)}."
    )
    assert "midnight at the end of" in next_step(page)

    a, b, c = member("Amy Able"), member("Bob Baker"), member("Cat Cole")
    election = fresh(dbsession, election)
    stand(dbsession, election, a, b, c)
    stand(dbsession, election, b, c, a)
    shift(election, RULES.elections.nomination_days)
    elections.close_nominations(dbsession, election, officer.id, now())
    dbsession.commit()
    page = testapp.get(f"/elections/{election.id}")
    assert next_step(page) == (
        f"What happens next: The poll opens at {opening(election.poll_opens_at)}."
    )
    election = fresh(dbsession, election)
    shift(election, RULES.elections.statements_days)
    dbsession.commit()
    page = testapp.get(f"/elections/{election.id}")
    election = fresh(dbsession, election)
    assert next_step(page) == (
        "What happens next: The returning officer opens the poll next: it was due to open at "
        f"{opening(election.poll_opens_at)}."
    )

    election, people = poll_open(dbsession, request_, returning_officer=officer)
    dbsession.commit()
    voter = webtest.TestApp(testapp.app, extra_environ=testapp.extra_environ)
    log_in(voter, people[3].account.email)
    tick_first_and_cast(voter.get(f"/elections/{election.id}/ballot"))
    page = testapp.get(f"/elections/{election.id}")
    assert next_step(page) == (
        f"What happens next: The poll is open until {closing(election.poll_closes_at)}. "
        "The votes are counted after it closes."
    )

    election = fresh(dbsession, election)
    shift(election, RULES.elections.poll_days + 1)
    dbsession.commit()
    page = testapp.get(f"/elections/{election.id}")
    election = fresh(dbsession, election)
    assert next_step(page).startswith(
        f"What happens next: The poll closed at {closing(election.poll_closes_at)}. Next, the "
        "ballot box is opened and the votes are counted"
    )
    # The returning officer's own page says it too.
    log_in(testapp, officer.email)
    manage = testapp.get(f"/returning-officer/elections/{election.id}")
    assert next_step(manage) == next_step(page)

    count(dbsession, fresh(dbsession, election))
    dbsession.commit()
    page = testapp.get(f"/elections/{election.id}")
    assert "The returning officer declares the result next." in next_step(page)

    elections.declare(request_, fresh(dbsession, election), officer.id, date.today())
    dbsession.commit()
    page = testapp.get(f"/elections/{election.id}")
    assert next_step(page) == (
        f"What happens next: The result was declared on {day(date.today())}."
    )


# The receipt and the trackers ---------------------------------------------------------------------


def test_the_receipt_says_when_the_trackers_appear_and_its_link_never_answers_404(
    testapp, dbsession, mailer, request_
):
    election, people = poll_open(dbsession, request_)
    dbsession.commit()
    voter = people[3]
    log_in(testapp, voter.account.email)
    ballot = testapp.get(f"/elections/{election.id}/ballot")
    receipt = tick_first_and_cast(ballot)
    tracker = receipt.html.find(id="receipt").get_text()
    assert "We have also emailed it to you" in receipt.text
    link = receipt.html.find("a", string="Where the trackers are published")
    assert link["href"].endswith(f"/elections/{election.id}#trackers")
    assert closing(election.poll_closes_at) in receipt.html.get_text(" ")

    mail = next(m for m in mailer.outbox if tracker in m.body)
    emailed = re.search(r"https?://[^/\s]+(/\S+)", mail.body.split(tracker, 1)[1]).group(1)
    assert emailed == f"/elections/{election.id}#trackers"
    before = testapp.get(emailed.split("#")[0])
    trackers = before.html.find(id="trackers").get_text(" ", strip=True)
    assert "published here when the poll closes" in trackers
    assert closing(election.poll_closes_at) in trackers

    shift(fresh(dbsession, election), RULES.elections.poll_days + 1)
    dbsession.commit()
    after = testapp.get(f"/elections/{election.id}")
    listing = after.click("The trackers of the ballots in the box")
    assert tracker in listing.text


def test_the_receipt_does_not_say_it_was_emailed_to_a_voter_by_post(
    testapp, dbsession, mailer, request_
):
    election, people = poll_open(dbsession, request_)
    voter = people[3]
    voter.contact_by = "post"
    dbsession.commit()
    log_in(testapp, voter.account.email)
    receipt = tick_first_and_cast(testapp.get(f"/elections/{election.id}/ballot"))
    assert "Your vote is cast" in receipt.text
    assert "emailed" not in receipt.text


# The cast address asked for as a page -------------------------------------------------------------


def test_a_get_of_the_cast_address_goes_back_to_the_ballot_or_says_the_vote_is_cast(
    testapp, dbsession, request_
):
    election, people = poll_open(dbsession, request_)
    dbsession.commit()
    log_in(testapp, people[3].account.email)
    cast_url = f"/elections/{election.id}/ballot/cast"
    back = testapp.get(cast_url)
    assert back.status_int == 303
    assert back.location.endswith(f"/elections/{election.id}/ballot")
    assert "ballot" in back.follow().forms

    tick_first_and_cast(testapp.get(f"/elections/{election.id}/ballot"))
    again = testapp.get(cast_url).follow(status=409)
    assert "You have already voted" in again.text


def test_a_get_of_the_code_voters_cast_address_goes_back_to_their_ballot(
    testapp, dbsession, mailer, request_
):
    _, people = poll_open(dbsession, request_)
    dbsession.commit()
    code = cards_by_name(mailer)[people[-1].name]
    vote_page(testapp, code).follow()
    back = testapp.get("/vote/ballot/cast")
    assert back.status_int == 303 and back.location.endswith("/vote/ballot")
    assert "ballot" in back.follow().forms


# Setting up: the seats ----------------------------------------------------------------------------


def setup_form(testapp):
    return testapp.get("/returning-officer/elections/new").forms["form"]


def test_the_seats_are_limited_by_the_chosen_category_with_every_other_error(testapp, logged_in):
    logged_in(Role.RETURNING_OFFICER)
    form = setup_form(testapp)
    box = form.response.html.find("input", attrs={"name": "seats"})
    hint = form.response.html.find(id=box["aria-describedby"]).get_text()
    resident = RULES.seat_category("resident")
    seats, name = resident.seats, resident.name.lower()
    assert hint == f"The constitution has {seats} {name} seats."
    form["title"] = ""
    form["seats"] = str(seats + 1)
    page = form.submit("submit")
    summary = page.html.select_one(".error-summary").get_text(" ", strip=True)
    assert "Enter the election's title." in summary
    assert f"The constitution has {seats} {name} seats: fill at most {seats}." in summary
    assert "${" not in page.text

    form = page.forms["form"]
    form["title"] = "Board election"
    form["seats"] = "lots"
    page = form.submit("submit")
    assert "Enter a whole number, like 3." in page.text
    assert "${" not in page.text


def test_which_seats_follows_the_number_of_seats(testapp, logged_in):
    logged_in(Role.RETURNING_OFFICER)
    names = [name for name in setup_form(testapp).fields if name not in ("_charset_",)]
    assert names.index("seats_description") == names.index("seats") + 1


# The scrutineer -----------------------------------------------------------------------------------


def test_the_scrutineers_pages_say_scrutineer(testapp, dbsession, request_):
    scrutineer = AccountFactory(roles=[Role.SCRUTINEER])
    officer = AccountFactory(roles=[Role.RETURNING_OFFICER])
    election, _ = poll_open(dbsession, request_, returning_officer=officer, scrutineer=scrutineer)
    dbsession.commit()
    log_in(testapp, scrutineer.email)
    public = testapp.get(f"/elections/{election.id}")
    assert "The returning officer's page" not in public.text
    page = public.click("The scrutineer's page")
    assert page.html.title.get_text().startswith("Scrutineer \N{EN DASH} ")
    assert "independent scrutineer" in page.text

    testapp.post("/logout", {"csrf_token": testapp.cookies["tmo_csrf"]})
    log_in(testapp, officer.email)
    page = testapp.get(f"/elections/{election.id}").click("The returning officer's page")
    assert page.html.title.get_text().startswith("Returning officer \N{EN DASH} ")
    assert dbsession.scalar(select(Election.id)) is not None
