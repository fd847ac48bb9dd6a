"""Voting codes on poll cards: what a code is, that only its keyed hash is kept, voting at /vote
with it and a postcode or date of birth without logging in, the same words for every mismatch,
throttling, used and reissued codes, reminders, and one member one vote across account, code
and paper when all three race against the real database."""

import re
import threading
from datetime import date

import pytest
import webtest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import delete, func, select, update

from tests.conftest import fill_date, log_in
from tests.elections_setup import KEY, fresh, now, poll_open, web_request
from tests.factories import AccountFactory
from tests.functional.test_election_integrity import committed_poll  # noqa: F401 (a fixture)
from tmo.models import get_session_factory
from tmo.models.accounts import ThrottleAttempt
from tmo.models.audit import AuditEntry
from tmo.models.elections import Election, RollEntry, SealedBallot
from tmo.models.membership import Member
from tmo.models.notices import Delivery
from tmo.permissions import Role
from tmo.rules.notices import DeliveryStatus
from tmo.services import elections, throttle
from tmo.services.elections import codes

CODE = re.compile(r"\b[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]\b")
POSTCODE = "W10 5PA"


@pytest.fixture
def request_(app, dbsession):
    return web_request(app, dbsession)


def code_in(message) -> str:
    found = CODE.search(message.body)
    assert found, message.body
    return found.group(0)


def cards_by_name(mailer) -> dict:
    """Each voter's voting code, from the poll cards emailed to them."""
    return {
        message.body.split("Hello ", 1)[1].split(",", 1)[0]: code_in(message)
        for message in mailer.outbox
        if message.subject.startswith("Notice of poll")
    }


def vote_page(testapp, code: str, fact: str = POSTCODE, **kw):
    form = testapp.get("/vote").forms["form"]
    form["code"] = code
    if "fact-day" in form.fields:
        fill_date(form, "fact", fact)
    else:
        form["fact"] = fact
    return form.submit("submit", **kw)


def tick_first_and_cast(page):
    """On a ballot page: number the first candidate 1, review, cast; returns the receipt page."""
    form = page.forms["ballot"]
    first = next(name for name in form.fields if name.startswith("rank-"))
    form[first] = "1"
    return form.submit().forms["cast"].submit()


# -- What a code is ------------------------------------------------------------------------------


def test_a_code_has_at_least_60_bits_from_an_alphabet_without_lookalikes():
    assert len(set(codes.ALPHABET)) == len(codes.ALPHABET) == 30
    assert not set("01OILU") & set(codes.ALPHABET)
    import math

    assert codes.LENGTH * math.log2(len(codes.ALPHABET)) >= 60
    code = codes.new_code()
    assert re.fullmatch(r"[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]", code)
    assert len({codes.new_code() for _ in range(1000)}) == 1000


@given(st.text(alphabet=codes.ALPHABET, min_size=13, max_size=13), st.data())
def test_a_code_is_read_back_however_it_is_spaced_and_cased(raw, data):
    typed = "".join(
        character.lower() if data.draw(st.booleans()) else character for character in raw
    )
    separators = data.draw(st.lists(st.sampled_from([" ", "-", ""]), min_size=13, max_size=13))
    typed = "".join(c + s for c, s in zip(typed, separators, strict=True))
    assert codes.normalise(typed) == raw
    assert codes.code_hash("k", 1, typed) == codes.code_hash("k", 1, raw)
    assert codes.code_hash("k", 1, raw) != codes.code_hash("k", 2, raw)
    assert codes.code_hash("k", 1, raw) != codes.code_hash("other key", 1, raw)


@given(st.text(max_size=20))
def test_anything_outside_the_alphabet_is_no_code(typed):
    raw = codes.normalise(typed)
    assert raw is None or (len(raw) == 13 and set(raw) <= set(codes.ALPHABET))


# -- Poll cards ----------------------------------------------------------------------------------


def test_each_voter_gets_a_poll_card_with_a_code_of_their_own_and_only_its_hash_is_kept(
    app, dbsession, mailer, request_
):
    election, people = poll_open(dbsession, request_, voters=4)
    dbsession.commit()
    cards = cards_by_name(mailer)
    assert len(cards) == len(people) and len(set(cards.values())) == len(people)
    card = next(m for m in mailer.outbox if m.subject.startswith("Notice of poll"))
    assert "/vote" in card.body and "postcode" in card.body
    assert "closes at" in card.body and "paper" in card.body
    secret = app.registry.settings["tmo.secret"]
    stored = set(
        dbsession.scalars(select(RollEntry.code_hash).where(RollEntry.election_id == election.id))
    )
    assert {codes.code_hash(secret, election.id, code) for code in cards.values()} == stored
    # No column of any table holds a code once the emails are sent.
    everything = dump_database(dbsession)
    for code in cards.values():
        assert code not in everything and code.replace("-", "") not in everything


def dump_database(dbsession) -> str:
    from tmo.models import Base

    texts = []
    for table in Base.metadata.sorted_tables:
        for row in dbsession.execute(select(table)).all():
            texts.append(" ".join(str(value) for value in row))
    return "\n".join(texts)


def test_a_poll_card_by_post_waits_to_be_printed(dbsession, request_, mailer):
    election, people = poll_open(dbsession, request_, voters=1)
    person = people[-1]
    person.contact_by = "post"
    person.email_agreed_at = None
    dbsession.flush()
    _, reach = elections.reissue(
        request_, election, str(person.member_number), election.returning_officer_id
    )
    assert (reach.emailed, reach.to_post) == (0, 1)
    letter = dbsession.scalars(
        select(Delivery).where(Delivery.member_id == person.id).order_by(Delivery.id.desc())
    ).first()
    assert letter.status == DeliveryStatus.TO_PRINT and CODE.search(letter.body)


# -- Voting at /vote -----------------------------------------------------------------------------


def test_a_member_votes_with_code_and_postcode_without_logging_in(
    testapp, dbsession, mailer, request_
):
    election, people = poll_open(dbsession, request_)
    dbsession.commit()
    voter = people[-1]
    code = cards_by_name(mailer)[voter.name]
    page = testapp.get(f"/elections/{election.id}").click("Vote with the code on your poll card")
    form = page.forms["form"]
    form["code"], form["fact"] = code.lower().replace("-", " "), "w105pa"
    ballot = form.submit("submit").follow()
    assert ballot.forms["ballot"].action.endswith("/vote/ballot")
    receipt = tick_first_and_cast(ballot)
    assert receipt.status_int == 200
    assert any(c.startswith("tmo_voting_pass=;") for c in receipt.headers.getall("Set-Cookie"))
    entry = dbsession.scalar(
        select(RollEntry).where(
            RollEntry.election_id == election.id, RollEntry.member_id == voter.id
        )
    )
    assert entry.voted and entry.channel == "code"
    assert fresh(dbsession, election).ballots_cast == 1
    # The pass is gone: the ballot sends them back to /vote.
    assert testapp.get("/vote/ballot").location.endswith("/vote")


def test_a_date_of_birth_is_asked_when_the_constitution_says_so(
    testapp, dbsession, mailer, request_
):
    from dataclasses import replace

    from tmo.constitution import Constitution
    from tmo.services import constitution as constitution_service

    rules = Constitution()
    adopted = replace(rules, elections=replace(rules.elections, code_check="date_of_birth"))
    constitution_service.adopt_constitution(
        dbsession, adopted, effective_from=date(2000, 1, 1), note="", actor_id=None
    )
    _, people = poll_open(dbsession, request_)
    dbsession.commit()
    code = cards_by_name(mailer)[people[-1].name]
    page = vote_page(testapp, code, "1980-01-02")
    assert "That code and date of birth do not match a voter in this election." in page.text
    assert vote_page(testapp, code, "1980-01-01").status_int == 303


def test_a_wrong_code_and_a_wrong_postcode_are_told_the_same_words(
    testapp, dbsession, mailer, request_
):
    _, people = poll_open(dbsession, request_)
    dbsession.commit()
    code = cards_by_name(mailer)[people[-1].name]
    wrong_fact = vote_page(testapp, code, "SW1A 1AA")
    wrong_code = vote_page(testapp, codes.new_code())
    not_a_code = vote_page(testapp, "hello")
    message = "That code and postcode do not match a voter in this election."
    for page in (wrong_fact, wrong_code, not_a_code):
        assert page.status_int == 200 and message in page.text
    assert error_of(wrong_fact) == error_of(wrong_code) == error_of(not_a_code)


def error_of(page) -> str:
    return page.html.select_one(".error-summary, [role=alert]").get_text(" ", strip=True)


def test_guessing_is_throttled_per_address_with_retry_after(testapp, dbsession, mailer, request_):
    poll_open(dbsession, request_)
    dbsession.commit()
    limit = throttle.limit_for({}, "vote_address").attempts
    for _ in range(limit):
        assert vote_page(testapp, codes.new_code()).status_int == 200
    refused = vote_page(testapp, codes.new_code(), status=429)
    assert int(refused.headers["Retry-After"]) > 0
    assert "Too many attempts" in refused.text
    # Another address is not held back.
    other = webtest.TestApp(
        testapp.app, extra_environ={**testapp.extra_environ, "REMOTE_ADDR": "192.0.2.99"}
    )
    assert vote_page(other, codes.new_code()).status_int == 200


def test_guessing_the_postcode_for_one_code_is_throttled_from_any_address(
    testapp, dbsession, mailer, request_
):
    _, people = poll_open(dbsession, request_)
    dbsession.commit()
    code = cards_by_name(mailer)[people[-1].name]
    limit = throttle.limit_for({}, "vote_code").attempts
    for n in range(limit):
        browser = webtest.TestApp(
            testapp.app, extra_environ={**testapp.extra_environ, "REMOTE_ADDR": f"192.0.2.{n}"}
        )
        assert vote_page(browser, code, "E1 1AA").status_int == 200
    # Even the right postcode now waits.
    assert vote_page(testapp, code, status=429).headers["Retry-After"]
    # Only hashed keys are kept.
    keys = dbsession.scalars(select(ThrottleAttempt.key)).all()
    assert keys and not any(code.replace("-", "") in key for key in keys)


def test_a_used_code_says_only_that_it_has_been_used(testapp, dbsession, mailer, request_):
    _, people = poll_open(dbsession, request_)
    dbsession.commit()
    code = cards_by_name(mailer)[people[-1].name]
    tick_first_and_cast(vote_page(testapp, code).follow())
    again = vote_page(testapp, code)
    assert "This code has been used." in error_of(again)
    assert people[-1].name not in again.text


def test_a_member_who_voted_by_code_is_told_so_when_they_log_in(
    testapp, dbsession, mailer, request_
):
    election, people = poll_open(dbsession, request_)
    dbsession.commit()
    voter = people[-1]
    tick_first_and_cast(vote_page(testapp, cards_by_name(mailer)[voter.name]).follow())
    log_in(testapp, voter.account.email)
    page = testapp.get(f"/elections/{election.id}/ballot", status=409)
    assert "You have already voted" in page.text


def test_a_member_who_voted_online_finds_their_code_used(testapp, dbsession, mailer, request_):
    election, people = poll_open(dbsession, request_)
    voter = people[-1]
    elections.cast(
        dbsession, election.id, voter.id, (elections.accepted(election)[0].id,), key=KEY, now=now()
    )
    dbsession.commit()
    assert "This code has been used." in error_of(
        vote_page(testapp, cards_by_name(mailer)[voter.name])
    )


# -- The returning officer: a new code, reminders ------------------------------------------------


def officer_and_poll(dbsession, request_, **kw):
    officer = AccountFactory(roles=[Role.RETURNING_OFFICER])
    election, people = poll_open(dbsession, request_, returning_officer=officer, **kw)
    dbsession.commit()
    return officer, election, people


def test_a_reissued_code_replaces_the_old_one_and_is_sent_not_shown(
    testapp, dbsession, mailer, request_
):
    officer, election, people = officer_and_poll(dbsession, request_)
    voter = people[-1]
    old = cards_by_name(mailer)[voter.name]
    # A pass the old code gave dies with it.
    holder = webtest.TestApp(testapp.app, extra_environ=testapp.extra_environ)
    assert vote_page(holder, old).status_int == 303
    mailer.outbox.clear()
    log_in(testapp, officer.email)
    manage = testapp.get(f"/returning-officer/elections/{election.id}")
    form = manage.click("Send a voter a new voting code").forms["form"]
    form["member"] = voter.number_label
    done = form.submit("submit").follow()
    assert f"A new poll card for {voter.name}: 1 email on their way" in done.text
    new = cards_by_name(mailer)[voter.name]
    assert new != old and new not in done.text and old not in done.text
    assert holder.get("/vote/ballot").location.endswith("/vote")
    assert "do not match" in error_of(vote_page(holder, old))
    assert vote_page(holder, new).status_int == 303
    entry = dbsession.scalars(
        select(AuditEntry).where(AuditEntry.action == "election.code_reissued")
    ).one()
    assert entry.actor_id == officer.id and new not in str(entry.detail)
    # Someone not on the roll is refused on the form.
    form["member"] = "99999"
    assert "No voter on this election's roll" in form.submit("submit").text


def test_reminders_go_to_those_who_have_not_voted_and_say_only_how_many(
    testapp, dbsession, mailer, request_
):
    officer, election, people = officer_and_poll(dbsession, request_, voters=3)
    first = elections.accepted(election)[0].id
    for voter in people[:2]:
        elections.cast(dbsession, election.id, voter.id, (first,), key=KEY, now=now())
    by_post = people[-1]
    by_post.contact_by = "post"
    by_post.email_agreed_at = None
    dbsession.commit()
    waiting = len(people) - 2
    mailer.outbox.clear()
    log_in(testapp, officer.email)
    page = testapp.get(f"/returning-officer/elections/{election.id}/remind")
    assert f"{waiting} of the {len(people)} voters on the roll have not voted" in page.text
    done = page.forms["form"].submit("submit").follow()
    assert f"Reminders sent to {waiting} voters" in done.text
    assert f"{waiting - 1} emails on their way; 1 letter to print" in done.text
    # No voter is named (the candidates are, in the list of nominations).
    for person in people[3:]:
        assert person.name not in done.text
    reminded = {m.body.split("Hello ", 1)[1].split(",", 1)[0] for m in mailer.outbox}
    assert reminded == {p.name for p in people[2:-1]}
    assert not any(CODE.search(m.body) for m in mailer.outbox)
    letter = dbsession.scalars(
        select(Delivery)
        .where(Delivery.member_id == by_post.id, Delivery.status == DeliveryStatus.TO_PRINT)
        .order_by(Delivery.id.desc())
    ).first()
    assert letter.body.startswith("Reminder: vote in")
    audit = dbsession.scalars(select(AuditEntry).where(AuditEntry.action == "election.reminded"))
    assert [entry.detail["reminded"] for entry in audit] == [waiting]
    # A second reminder the same day needs the box ticked.
    form = testapp.get(f"/returning-officer/elections/{election.id}/remind").forms["form"]
    assert "Tick the box to send another" in form.submit("submit").text
    form["confirm"] = True
    assert "Reminders sent" in form.submit("submit").follow().text


# -- Racing, against the real database ----------------------------------------------------------


@pytest.fixture
def racing_poll(engine, request):
    """The committed poll of the integrity tests, and the code attempts /vote commits cleared
    after."""
    yield request.getfixturevalue("committed_poll")
    with engine.begin() as connection:
        connection.execute(delete(ThrottleAttempt))


def browser(app, address="192.0.2.50"):
    return webtest.TestApp(app, extra_environ={"HTTP_HOST": "localhost", "REMOTE_ADDR": address})


def give_a_code(app, engine, election_id: int, member_id: int) -> str:
    """A fresh code for a voter, committed, and the code itself (as a poll card would carry)."""
    session = get_session_factory(engine)()
    try:
        code, hashed = codes.draw(app.registry.settings["tmo.secret"], election_id)
        session.execute(
            update(RollEntry)
            .where(RollEntry.election_id == election_id, RollEntry.member_id == member_id)
            .values(code_hash=hashed)
        )
        session.commit()
        return code
    finally:
        session.close()


def test_account_code_and_paper_racing_for_one_member_store_one_ballot(app, engine, racing_poll):
    election_id, people, candidates = racing_poll
    session = get_session_factory(engine)()
    election = session.get(Election, election_id)
    officer_email = election.returning_officer.email
    voters = [session.get(Member, person) for person in people[-4:]]
    labels = [(voter.id, voter.account.email, voter.number_label) for voter in voters]
    session.close()
    officer = browser(app)
    log_in(officer, officer_email)
    for member_id, email, number in labels:
        online = browser(app)
        log_in(online, email)
        form = online.get(f"/elections/{election_id}/ballot").forms["ballot"]
        form[f"rank-{candidates[0]}"] = "1"
        by_account = form.submit().forms["cast"]
        holder = browser(app, "192.0.2.51")
        code = give_a_code(app, engine, election_id, member_id)
        form = vote_page(holder, code, POSTCODE).follow().forms["ballot"]
        form[f"rank-{candidates[1]}"] = "1"
        by_code = form.submit().forms["cast"]
        by_paper = officer.get(f"/returning-officer/elections/{election_id}/paper").forms["form"]
        by_paper["voters"] = number
        by_paper["papers"] = "3"
        start = threading.Barrier(3)
        statuses = []

        def submit(form, start=start, statuses=statuses):
            start.wait()
            statuses.append(form.submit("submit", expect_errors=True).status_int)

        threads = [
            threading.Thread(target=submit, args=(form,))
            for form in (by_account, by_code, by_paper)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert 500 not in statuses, statuses
    session = get_session_factory(engine)()
    try:
        election = session.get(Election, election_id)
        marked = session.scalar(
            select(func.count())
            .select_from(RollEntry)
            .where(RollEntry.election_id == election_id, RollEntry.voted)
        )
        ballots = session.scalar(
            select(func.count())
            .select_from(SealedBallot)
            .where(SealedBallot.election_id == election_id)
        )
        # Exactly one ballot for each of the four members, however their three ways raced.
        assert marked == ballots == election.ballots_cast == len(labels)
        assert elections.verify(session, election, key=KEY) == []
    finally:
        session.close()


def test_guesses_at_the_same_moment_cannot_pass_the_limit(app, engine, racing_poll):
    limit = throttle.limit_for({}, "vote_address").attempts
    guessers = limit + 5
    forms = []
    for _ in range(guessers):
        form = browser(app, "192.0.2.77").get("/vote").forms["form"]
        form["code"] = codes.new_code()
        form["fact"] = POSTCODE
        forms.append(form)
    start = threading.Barrier(guessers)
    statuses = []

    def guess(form):
        start.wait()
        statuses.append(form.submit("submit", expect_errors=True).status_int)

    threads = [threading.Thread(target=guess, args=(form,)) for form in forms]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] * limit + [429] * (guessers - limit)
