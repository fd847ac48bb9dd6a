"""Elections through the whole stack: setting one up, nominations, the frozen roll and its notice,
the ballot and its review, receipts, one member one vote, the close by the clock, the count, the
published ballots and their export, verification, paper ballots and the declaration."""

import base64
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, inspect, select
from webtest import Upload

from tests.conftest import choose, fill_date, log_in
from tests.elections_setup import (
    KEY,
    RULES,
    SEALING_KEY,
    TEST_SECRET,
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
from tmo.clock import london_day
from tmo.models.audit import AuditEntry
from tmo.models.board import Directorship
from tmo.models.elections import CountedBallot, Election, RollEntry, SealedBallot
from tmo.models.notices import Notice
from tmo.permissions import Role
from tmo.rules import sealing
from tmo.rules.elections import Status
from tmo.scripts import count as count_script
from tmo.services import elections


@pytest.fixture
def request_(app, dbsession):
    return web_request(app, dbsession)


def close_poll(election):
    shift(election, RULES.elections.poll_days + 1)


def vote(testapp, election, **fields):
    """Fill in the ballot, check it, cast it; returns the receipt page."""
    form = testapp.get(f"/elections/{election.id}/ballot").forms["ballot"]
    for name, value in fields.items():
        form[name] = value
    review = form.submit()
    assert "Check your vote" in review.text, review.text
    return review.forms["cast"].submit()


def rank_fields(election, *names):
    by_name = {c.name: c for c in elections.accepted(election)}
    return {f"rank-{by_name[name].id}": str(number) for number, name in enumerate(names, 1)}


# Setting up ---------------------------------------------------------------------------------------


def test_the_returning_officer_sets_up_an_election_dated_by_the_constitution(
    testapp, dbsession, logged_in
):
    officer = logged_in(Role.RETURNING_OFFICER, display_name="Rita Officer")
    form = testapp.get("/returning-officer/elections/new").forms["form"]
    form["title"] = "Board election 2027"
    form["seats"] = "3"
    form["notice_on"] = "2027-03-01"
    choose(form, "block")
    page = form.submit("submit").follow()
    assert "The election is set up." in page.text
    election = dbsession.scalars(select(Election)).one()
    assert election.returning_officer_id == officer.id
    assert election.method == "block" and election.seats == 3
    # 7 days' notice, 14 of nominations, 7 for statements, 14 of poll (the model constitution).
    assert london_day(election.nominations_open_at) == date(2027, 3, 8)
    assert london_day(election.nominations_close_at) == date(2027, 3, 22)
    assert london_day(election.poll_opens_at) == date(2027, 3, 29)
    assert london_day(election.poll_closes_at) == date(2027, 4, 12)
    assert dbsession.scalar(select(AuditEntry).where(AuditEntry.action == "election.created"))


def test_more_seats_than_the_category_has_are_refused(testapp, logged_in):
    logged_in(Role.RETURNING_OFFICER)
    form = testapp.get("/returning-officer/elections/new").forms["form"]
    form["title"] = "Too many"
    form["seats"] = "9"
    form["notice_on"] = "2027-03-01"
    page = form.submit("submit")
    assert "There is a problem" in page.text
    assert "The constitution has 8" in page.text
    assert page.forms["form"]["title"].value == "Too many"


def test_only_a_returning_officer_sets_up_elections(testapp, logged_in):
    logged_in(Role.SECRETARY, Role.ADMINISTRATOR)
    assert testapp.get("/returning-officer/elections/new", status=403)


# Nominations --------------------------------------------------------------------------------------


def test_a_member_nominates_another_the_supporters_confirm_and_the_candidate_consents(
    testapp, dbsession, mailer
):
    election = new_election(dbsession)
    nominator = member("Nadia Nominator")
    candidate = member("Carl Candidate")
    seconder = member("Sue Seconder")
    dbsession.commit()

    log_in(testapp, nominator.account.email)
    form = testapp.get(f"/elections/{election.id}/nominate").forms["form"]
    form["candidate"] = candidate.number_label
    form["proposer_1"] = str(nominator.member_number)
    form["seconder_1"] = seconder.number_label
    page = form.submit("submit").follow()
    assert "The nomination of Carl Candidate is sent" in page.text
    assert {m.recipients[0] for m in mailer.outbox} == {
        candidate.account.email,
        seconder.account.email,
    }
    nomination = fresh(dbsession, election).candidates[0]
    assert elections.complete(nomination) == [
        "Carl Candidate has not yet consented",
        "Sue Seconder has not confirmed as seconder",
    ]

    testapp.reset()
    log_in(testapp, seconder.account.email)
    page = testapp.get(f"/elections/{election.id}/nominations/{nomination.id}")
    page = page.forms["support"].submit().follow()
    assert "You have confirmed that you second Carl Candidate's nomination." in page.html.get_text()

    testapp.reset()
    log_in(testapp, candidate.account.email)
    form = testapp.get(f"/elections/{election.id}/nominations/{nomination.id}/consent").forms[
        "form"
    ]
    form["statement"] = "word " * (RULES.elections.statement_word_limit + 3)
    form["consent"] = True
    page = form.submit("submit")
    assert "Your statement has 253 words: the limit is 250. Shorten it by 3." in page.text
    assert page.forms["form"]["statement"].value.startswith("word word")
    form = page.forms["form"]
    form["statement"] = "I will fix the lifts."
    form["upload"] = Upload("me.png", b"GIF89a not a png at all")
    page = form.submit("submit")
    assert "The file must be PNG, JPEG or WebP" in page.text
    form = page.forms["form"]
    form["consent"] = True
    page = form.submit("submit").follow()
    assert "Your consent and statement are saved." in page.text
    assert elections.complete(fresh(dbsession, nomination)) == []


def test_the_returning_officer_accepts_or_rejects_with_a_reason(testapp, dbsession):
    officer = AccountFactory(roles=[Role.RETURNING_OFFICER])
    election = new_election(dbsession, returning_officer=officer)
    a, b, c = member("Amy Able"), member("Bob Baker"), member("Cat Cole")
    nomination = stand(dbsession, election, a, b, c, accept=None)
    dbsession.commit()
    log_in(testapp, officer.email)
    form = testapp.get(
        f"/returning-officer/elections/{election.id}/nominations/{nomination.id}"
    ).forms["form"]
    choose(form, "reject")
    page = form.submit("submit")
    assert "Give the reason for rejecting the nomination." in page.text
    form = page.forms["form"]
    choose(form, "reject")
    form["reason"] = "Not a member on the day of nomination"
    page = form.submit("submit").follow()
    assert "is rejected" in page.text
    assert fresh(dbsession, nomination).status == "rejected"
    entry = dbsession.scalars(
        select(AuditEntry).where(AuditEntry.action == "election.nomination_rejected")
    ).one()
    assert entry.actor_id == officer.id


def test_the_returning_officer_cannot_stand(dbsession):
    officer = AccountFactory(roles=[Role.RETURNING_OFFICER, Role.MEMBER])
    election = new_election(dbsession, returning_officer=officer)
    officer_member = member("Olive Officer")
    officer_member.account = officer
    b, c = member("Bob Baker"), member("Cat Cole")
    with pytest.raises(elections.ElectionError, match="scrutineer cannot stand"):
        stand(dbsession, election, officer_member, b, c)


def test_a_candidate_withdraws_before_nominations_close(testapp, dbsession):
    election = new_election(dbsession)
    a, b, c = member("Amy Able"), member("Bob Baker"), member("Cat Cole")
    nomination = stand(dbsession, election, a, b, c, accept=None)
    dbsession.commit()
    log_in(testapp, a.account.email)
    page = testapp.get(f"/elections/{election.id}/nominations/{nomination.id}")
    page = page.forms["withdraw"].submit().follow()
    assert "You have withdrawn as a candidate." in page.text
    assert fresh(dbsession, nomination).status == "withdrawn"


def test_nominations_close_only_at_their_time_and_with_every_nomination_decided(dbsession):
    election = new_election(dbsession)
    a, b, c = member("Amy Able"), member("Bob Baker"), member("Cat Cole")
    stand(dbsession, election, a, b, c, accept=None)
    with pytest.raises(elections.ElectionError, match="stay open until their closing time"):
        elections.close_nominations(dbsession, election, election.returning_officer_id, now())
    shift(election, RULES.elections.nomination_days)
    with pytest.raises(elections.ElectionError, match="Accept or reject every nomination first"):
        elections.close_nominations(dbsession, election, election.returning_officer_id, now())


def test_an_uncontested_election_is_declared_without_a_poll(testapp, dbsession, mailer, request_):
    officer = AccountFactory(roles=[Role.RETURNING_OFFICER])
    election = new_election(dbsession, seats=2, returning_officer=officer)
    a, b, c = member("Amy Able"), member("Bob Baker"), member("Cat Cole")
    stand(dbsession, election, a, b, c)
    stand(dbsession, election, b, c, a)
    shift(election, RULES.elections.nomination_days)
    elections.close_nominations(dbsession, election, officer.id, now())
    dbsession.commit()
    log_in(testapp, officer.email)
    page = testapp.get(f"/returning-officer/elections/{election.id}")
    assert "Freeze the roll and open the poll" not in page.text
    page = page.forms["move-count"].submit().follow()
    assert "The votes are counted" in page.text
    page = page.forms["move-declare"].submit().follow()
    assert "Amy Able, Bob Baker elected" in page.text or "Bob Baker, Amy Able elected" in page.text
    assert fresh(dbsession, election).status is Status.DECLARED
    result = testapp.get(f"/elections/{election.id}/result")
    assert "Uncontested" in result.text


# The roll and the ballot --------------------------------------------------------------------------


def test_opening_the_poll_freezes_the_roll_of_voting_members_and_sends_the_notice(
    dbsession, mailer, request_
):
    associate = member("Anna Associate")
    associate.associate = True
    former = member("Fred Former")
    former.ceased_on = date(2024, 1, 1)
    election, people = poll_open(dbsession, request_)
    roll = dbsession.scalars(select(RollEntry).where(RollEntry.election_id == election.id)).all()
    on_roll = {entry.member_id for entry in roll}
    assert {person.id for person in people} <= on_roll
    assert associate.id not in on_roll and former.id not in on_roll
    notices = [m for m in mailer.outbox if m.subject.startswith("Notice of poll")]
    assert len(notices) == len(roll)
    assert f"/elections/{election.id}" in notices[0].body
    assert election.roll_frozen_on is not None and election.paper_key and not election.seed


def test_a_block_vote_ballot_refuses_too_many_ticks_and_keeps_them(testapp, dbsession, request_):
    election, people = poll_open(dbsession, request_, method="block", seats=2)
    dbsession.commit()
    log_in(testapp, people[3].account.email)
    form = testapp.get(f"/elections/{election.id}/ballot").forms["ballot"]
    boxes = form.fields["candidate"]
    for box in boxes:
        box.checked = True
    page = form.submit()
    assert "You ticked 3 candidates. You can vote for up to 2: untick 1." in page.text
    assert "There is a problem" in page.text
    assert len(page.forms["ballot"].fields["candidate"]) == 3
    assert all(box.checked for box in page.forms["ballot"].fields["candidate"])


def test_an_stv_ballot_is_numbered_reviewed_cast_and_receipted(
    testapp, dbsession, mailer, request_
):
    election, people = poll_open(dbsession, request_)
    voter = people[3]
    by_name = {c.name: c for c in elections.accepted(election)}
    dbsession.commit()
    log_in(testapp, voter.account.email)
    form = testapp.get(f"/elections/{election.id}/ballot").forms["ballot"]
    form[f"rank-{by_name['Cy Dunn'].id}"] = "1"
    form[f"rank-{by_name['Ada Brown'].id}"] = "3"
    page = form.submit()
    assert "Number your choices 1, 2, 3 without gaps: there is no 2." in page.text
    assert page.forms["ballot"][f"rank-{by_name['Ada Brown'].id}"].value == "3"
    form = page.forms["ballot"]
    form[f"rank-{by_name['Ada Brown'].id}"] = "2"
    review = form.submit()
    assert [li.get_text() for li in review.html.select("main ol li")] == ["Cy Dunn", "Ada Brown"]
    entries_before = dbsession.scalar(select(func.count()).select_from(AuditEntry))
    receipt_page = review.forms["cast"].submit()
    receipt = receipt_page.html.select_one("#receipt").get_text()
    assert re.fullmatch(r"[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}", receipt)
    election = fresh(dbsession, election)
    receipt_mail = [m for m in mailer.outbox if receipt in m.body]
    assert [m.recipients for m in receipt_mail] == [[voter.account.email]]
    # Stored sealed: the tracker is its ciphertext's, and only the key opens it.
    stored = dbsession.scalars(
        select(SealedBallot).where(SealedBallot.election_id == election.id)
    ).one()
    assert stored.tracker == receipt == sealing.tracker(stored.ciphertext)
    plain = f"{by_name['Cy Dunn'].id} {by_name['Ada Brown'].id}"
    assert plain not in base64.b64decode(stored.ciphertext).decode("latin-1")
    opened = sealing.unseal(sealing.opener(SEALING_KEY), stored.ciphertext)
    assert opened == (by_name["Cy Dunn"].id, by_name["Ada Brown"].id)
    # One member, one vote: the ballot page and a second cast both say so.
    assert (
        "You have already voted" in testapp.get(f"/elections/{election.id}/ballot", status=409).text
    )
    again = review.forms["cast"].submit(status=409)
    assert "You have already voted" in again.text
    assert dbsession.scalar(select(Election.ballots_cast).where(Election.id == election.id)) == 1
    # Casting writes nothing to the audit log: an entry's time would undo the secret ballot.
    assert dbsession.scalar(select(func.count()).select_from(AuditEntry)) == entries_before


def test_no_ballot_is_taken_after_the_closing_time(testapp, dbsession, request_):
    election, people = poll_open(dbsession, request_)
    fields = rank_fields(election, "Ada Brown")
    dbsession.commit()
    log_in(testapp, people[3].account.email)
    form = testapp.get(f"/elections/{election.id}/ballot").forms["ballot"]
    for name, value in fields.items():
        form[name] = value
    review = form.submit()
    election = fresh(dbsession, election)
    close_poll(election)
    dbsession.commit()
    closed = review.forms["cast"].submit(status=409)
    assert "The poll is not open." in closed.text
    election = fresh(dbsession, election)
    assert elections.status_of(election, now()) is Status.POLL_CLOSED
    assert (
        dbsession.scalars(select(SealedBallot).where(SealedBallot.election_id == election.id)).all()
        == []
    )
    with pytest.raises(elections.ElectionError, match="The poll is not open"):
        elections.cast(dbsession, election.id, people[4].id, (1,), key=KEY, now=now())


def test_the_poll_closes_when_the_application_s_clock_passes_its_closing_time(
    testapp, dbsession, request_, clock
):
    """Nothing in the database moves: the one clock every request reads passes the close."""
    election, people = poll_open(dbsession, request_)
    dbsession.commit()
    log_in(testapp, people[3].account.email)
    page = testapp.get(f"/elections/{election.id}")
    assert "Poll open" in page.text and "Vote now" in page.text
    clock.set(election.poll_closes_at)
    # A log-in lasts its hours by the same clock: days later, the voter logs in again.
    log_in(testapp, people[3].account.email)
    page = testapp.get(f"/elections/{election.id}")
    assert "Poll closed" in page.text and "Vote now" not in page.text
    closed = testapp.get(f"/elections/{election.id}/ballot", status=409)
    assert "The poll is not open." in closed.text
    clock.set(election.poll_closes_at - timedelta(seconds=1))
    testapp.get(f"/elections/{election.id}/ballot", status=200)


def test_a_member_not_on_the_roll_cannot_vote(testapp, dbsession, request_):
    election, _ = poll_open(dbsession, request_)
    latecomer = member("Lee Latecomer")
    dbsession.commit()
    log_in(testapp, latecomer.account.email)
    testapp.get(f"/elections/{election.id}/ballot", status=403)


def test_the_ballot_tables_have_no_way_back_to_a_voter(engine):
    """Secrecy is in the schema: no column of a sealed or counted ballot or a tracker refers to
    a member, an account or the roll; ids are random text; nothing holds a date; and no table
    holds a tracker beside a ballot's choices."""
    inspector = inspect(engine)
    tables = {
        "sealed_ballot": {"id", "election_id", "ciphertext", "tracker", "previous_hash", "hash"},
        "counted_ballot": {"id", "election_id", "preferences"},
        "ballot_tracker": {"election_id", "tracker"},
    }
    for table, expected in tables.items():
        referred = {fk["referred_table"] for fk in inspector.get_foreign_keys(table)}
        assert referred == {"election"}
        columns = {column["name"]: column for column in inspector.get_columns(table)}
        assert set(columns) == expected, table
        for column in columns.values():
            kind = str(column["type"]).upper()
            assert "DATE" not in kind and "TIME" not in kind, (table, column["name"])
    assert "ballot" not in inspector.get_table_names()
    assert "CHAR" in str(inspector.get_columns("counted_ballot")[0]["type"]).upper()


def test_ballot_ids_are_random_and_the_roll_mark_has_no_date(dbsession, request_):
    election, people = poll_open(dbsession, request_, voters=6)
    for person in people:
        elections.cast(
            dbsession,
            election.id,
            person.id,
            (elections.accepted(election)[0].id,),
            key=KEY,
            now=now(),
        )
    ballots = dbsession.scalars(
        select(SealedBallot).where(SealedBallot.election_id == election.id)
    ).all()
    assert len({ballot.id for ballot in ballots}) == len(people)
    assert all(re.fullmatch(r"[0-9a-f]{32}", ballot.id) for ballot in ballots)
    # A date on the roll mark would name the voter of a day when only one member voted.
    columns = inspect(dbsession.connection()).get_columns("roll_entry")
    roll_types = [str(column["type"]).upper() for column in columns]
    assert not any("DATE" in kind or "TIME" in kind for kind in roll_types)


# After the close ----------------------------------------------------------------------------------


def cast_all(dbsession, election, people, ballots):
    by_name = {c.name: c.id for c in elections.accepted(election)}
    receipts = []
    for person, names in zip(people, ballots, strict=False):
        receipts.append(
            elections.cast(
                dbsession,
                election.id,
                person.id,
                tuple(by_name[n] for n in names),
                key=KEY,
                now=now(),
            )
        )
    return receipts


def test_an_email_voter_is_receipted_and_nothing_but_the_ballot_is_written_under_the_lock(
    testapp, dbsession, mailer, request_, statements
):
    """The receipt email is written, subject and all, before the election's lock is taken: under
    the lock (from the read of the election's row to the end of the cast) go only the ballot's
    own writes, which other voters' casts wait on."""
    election, people = poll_open(dbsession, request_)
    voter = people[3]
    ranks = rank_fields(election, "Ben Carter", "Cy Dunn")
    dbsession.commit()
    log_in(testapp, voter.account.email)
    form = testapp.get(f"/elections/{election.id}/ballot").forms["ballot"]
    for name, value in ranks.items():
        form[name] = value
    review = form.submit()
    with statements as sent:
        page = review.forms["cast"].submit()
    assert "We have also emailed it to you." in page.text
    receipt = page.html.select_one("#receipt").get_text()
    [mail] = [m for m in mailer.outbox if receipt in m.body]
    assert mail.recipients == [voter.account.email]
    notice = dbsession.scalars(select(Notice).where(Notice.kind == "election_receipt")).one()
    assert notice.subject == mail.subject != ""

    # The cast's first statement: the election's row, locked (on SQLite the whole transaction
    # holds the write lock; what follows it is the cast's time under it too).
    lock = "SELECT election.status, election.poll_opens_at, election.poll_closes_at"
    locked = next(n for n, statement in enumerate(sent.sent) if statement.startswith(lock))
    under_lock = [" ".join(statement.split()[:3]) for statement in sent.sent[locked + 1 :]]
    if dbsession.get_bind().dialect.name == "postgresql":
        # One statement: the mark, the ballot, the head and the data version's token.
        assert under_lock == ["WITH mark AS"]
    else:
        assert under_lock == [
            "UPDATE roll_entry SET",
            "INSERT INTO sealed_ballot",
            "UPDATE election SET",
            "UPDATE data_version SET",
        ]


def test_counting_publishing_recounting_and_declaring(
    testapp, dbsession, mailer, request_, tmp_path, capsys
):
    officer = AccountFactory(roles=[Role.RETURNING_OFFICER])
    election, people = poll_open(dbsession, request_, voters=5, returning_officer=officer)
    receipts = cast_all(
        dbsession,
        election,
        people,
        [
            ("Ada Brown", "Ben Carter"),
            ("Ada Brown", "Cy Dunn"),
            ("Ada Brown",),
            ("Ben Carter", "Ada Brown"),
            ("Ben Carter",),
            ("Cy Dunn", "Ben Carter"),
            ("Cy Dunn",),
            ("Ada Brown", "Cy Dunn"),
        ],
    )
    # Before the close: no result, no ballots, no export, for anyone.
    dbsession.commit()
    log_in(testapp, officer.email)
    testapp.get(f"/elections/{election.id}/result", status=404)
    testapp.get(f"/elections/{election.id}/ballots", status=404)
    testapp.get(f"/elections/{election.id}/ballots.blt", status=404)
    assert (
        "8 of 8 voters on the roll have voted"
        in testapp.get(f"/returning-officer/elections/{election.id}").text
    )

    election = fresh(dbsession, election)
    close_poll(election)
    dbsession.commit()
    page = testapp.get(f"/returning-officer/elections/{election.id}")
    assert "The ballot log verifies" in page.text
    # The returning officer holds the key (there is no scrutineer) and opens the box with it.
    form = page.click("Open the ballot box and count the votes").forms["form"]
    form["phrase"] = sealing.recovery_phrase(SEALING_KEY)
    page = form.submit("submit").follow()
    assert "The ballot box is opened and the votes are counted" in page.text
    election = fresh(dbsession, election)
    sheet = election.result_sheet
    assert sheet.rstrip().splitlines()[-2:] == ["Elected: Ada Brown", "Elected: Cy Dunn"]

    # Counted but not declared: the returning officer sees it, the public does not.
    assert "Counted, not yet declared" in testapp.get(f"/elections/{election.id}/result").text
    public = testapp.__class__(testapp.app, extra_environ=testapp.extra_environ)
    public.get(f"/elections/{election.id}/result", status=404)

    # The trackers are published sorted; anyone finds theirs.
    listed = public.get(f"/elections/{election.id}/ballots")
    shown = [li.get_text() for li in listed.html.select("ul.receipts li")]
    assert shown == sorted(receipts)
    assert election.chain_head in listed.text
    typed = receipts[0].upper().replace("-", " ")
    found = public.get(f"/elections/{election.id}/ballots", {"receipt": typed})
    assert f"{receipts[0]} is in the box." in found.text

    # The anonymised ballots recount to the same sheet with tmo-count.
    export = public.get(f"/elections/{election.id}/ballots.blt")
    assert export.content_disposition == f'attachment; filename="election-{election.id}.blt"'
    blt = tmp_path / "election.blt"
    blt.write_bytes(export.body)
    assert count_script.main([str(blt), "--seed", election.seed]) == 0
    assert capsys.readouterr().out == sheet

    # Declaration: the winners take resident seats from today; the result is public; mail.
    mailer.outbox.clear()
    manage = testapp.get(f"/returning-officer/elections/{election.id}")
    page = manage.forms["move-declare"].submit().follow()
    assert "The result is declared" in page.text
    assert re.search(r"Telling the members: \d+ emails? on their way", page.text)
    terms = dbsession.scalars(
        select(Directorship).where(Directorship.decision_reference.like("Election %"))
    ).all()
    assert sorted(t.director.name for t in terms) == ["Ada Brown", "Cy Dunn"]
    assert {t.start_date for t in terms} == {date.today()}
    assert {t.seat_category for t in terms} == {"resident"}
    result = public.get(f"/elections/{election.id}/result")
    assert "Declared on" in result.text and "Stage 1" in result.text
    assert public.get(f"/elections/{election.id}/result.pdf").body.startswith(b"%PDF")
    assert len([m for m in mailer.outbox if m.subject.startswith("Result declared")]) >= 8
    assert "Ada Brown" in public.get("/board").html.get_text()


def test_paper_ballots_mark_the_roll_so_nobody_votes_twice(testapp, dbsession, request_):
    officer = AccountFactory(roles=[Role.RETURNING_OFFICER])
    election, people = poll_open(dbsession, request_, voters=4, returning_officer=officer)
    online = people[3]
    cast_all(dbsession, election, [online], [("Cy Dunn",)])
    dbsession.commit()
    log_in(testapp, officer.email)
    form = testapp.get(f"/returning-officer/elections/{election.id}/paper").forms["form"]
    form["voters"] = f"{people[4].number_label}\n{online.member_number}"
    form["papers"] = "1 2\n3"
    page = form.submit("submit")
    assert f"Already voted (online or on paper): member numbers {online.member_number}." in (
        page.text
    )
    assert fresh(dbsession, election).ballots_cast == 1
    form = page.forms["form"]
    form["voters"] = f"{people[4].number_label}\n{people[5].number_label}"
    form["papers"] = "1 2\n3 9"
    assert "use the ballot numbers 1 to 3" in form.submit("submit").text
    form["papers"] = "1 2\n3"
    page = form.submit("submit").follow()
    assert "2 paper ballots entered" in page.text
    channels = dict(
        dbsession.execute(
            select(RollEntry.member_id, RollEntry.channel).where(
                RollEntry.election_id == election.id, RollEntry.voted
            )
        ).all()
    )
    assert channels == {online.id: "online", people[4].id: "paper", people[5].id: "paper"}
    election = fresh(dbsession, election)
    with pytest.raises(elections.AlreadyVoted):
        elections.cast(
            dbsession,
            election.id,
            people[4].id,
            (elections.accepted(election)[0].id,),
            key=KEY,
            now=now(),
        )
    assert elections.verify(dbsession, election, key=KEY) == []


def test_the_scrutineer_reads_everything_and_changes_nothing(testapp, dbsession, request_):
    scrutineer = AccountFactory(roles=[Role.SCRUTINEER])
    election, _ = poll_open(dbsession, request_, scrutineer=scrutineer)
    close_poll(election)
    dbsession.commit()
    log_in(testapp, scrutineer.email)
    page = testapp.get(f"/returning-officer/elections/{election.id}")
    assert "independent scrutineer" in page.text
    assert "Count the votes" not in page.text
    token = testapp.cookies["tmo_csrf"]
    testapp.post(
        f"/returning-officer/elections/{election.id}/move",
        {"action": "count", "csrf_token": token},
        status=403,
    )
    testapp.get(f"/returning-officer/elections/{election.id}/cancel", status=403)
    assert fresh(dbsession, election).status is Status.POLL_OPEN


def test_a_wrong_step_is_refused_with_the_reason(testapp, dbsession, request_):
    officer = AccountFactory(roles=[Role.RETURNING_OFFICER])
    election, _ = poll_open(dbsession, request_, returning_officer=officer)
    dbsession.commit()
    log_in(testapp, officer.email)
    token = testapp.cookies["tmo_csrf"]
    page = testapp.post(
        f"/returning-officer/elections/{election.id}/move",
        {"action": "count", "csrf_token": token},
    ).follow()
    assert "That step cannot be taken now." in page.text
    assert fresh(dbsession, election).status is Status.POLL_OPEN
    form = testapp.get(f"/returning-officer/elections/{election.id}/cancel").forms["form"]
    page = form.submit("submit")
    assert "Give the reason for cancelling." in page.text
    form = page.forms["form"]
    form["reason"] = "The notice went to the wrong estate"
    form.submit("submit").follow()
    assert fresh(dbsession, election).status is Status.CANCELLED
    assert "The notice went to the wrong estate" in testapp.get(f"/elections/{election.id}").text


def test_the_demo_election_s_poll_has_closed_with_its_ballots_sealed(testapp, dbsession):
    from tmo.demo import DEMO_PASSWORD, load_demo

    assert load_demo(dbsession, date.today(), secret=TEST_SECRET) is True
    dbsession.commit()
    election = dbsession.scalars(select(Election)).one()
    assert elections.status_of(election, now()) is Status.POLL_CLOSED
    assert len(elections.accepted(election)) == 5 and election.seats == 3
    assert elections.verify(dbsession, election, key=KEY) == []
    home = testapp.get("/")
    assert f"The poll is open: {election.title}" not in home.html.get_text(" ", strip=True)
    # A demo member finds no ballot: the count is next (tests/functional/test_demo_story.py
    # walks it to the declaration).
    log_in(testapp, "member@example.org", DEMO_PASSWORD)
    page = testapp.get(f"/elections/{election.id}")
    assert "Vote now" not in page.text
    assert "Poll closed" in page.text


def test_the_new_election_offers_the_seats_falling_due(testapp, dbsession, logged_in):
    from tmo.demo import load_demo

    load_demo(dbsession, date.today(), secret=TEST_SECRET)
    dbsession.commit()
    logged_in(Role.RETURNING_OFFICER)
    form = testapp.get("/returning-officer/elections/new").forms["form"]
    assert int(form["seats"].value) >= 2
    assert "retiring by rotation on" in form["seats_description"].value


def test_a_candidate_the_register_has_no_birth_date_for_gives_it_when_consenting(
    testapp, dbsession
):
    election = new_election(dbsession)
    a, b, c = member("Amy Able"), member("Bob Baker"), member("Cat Cole")
    a.date_of_birth = None
    nomination = elections.nominate(
        dbsession,
        RULES,
        election,
        nominator=b,
        candidate=a,
        proposers=[b],
        seconders=[c],
        now=now(),
    )
    dbsession.commit()
    log_in(testapp, a.account.email)
    path = f"/elections/{election.id}/nominations/{nomination.id}/consent"
    form = testapp.get(path).forms["form"]
    form["statement"] = "Lifts first."
    form["consent"] = True
    page = form.submit("submit")
    assert "Enter your date of birth." in page.text
    form = page.forms["form"]
    fill_date(form, "date_of_birth", "1990-02-03")
    form["consent"] = True
    form.submit("submit").follow()
    assert fresh(dbsession, a).date_of_birth == date(1990, 2, 3)
    assert elections.eligibility(RULES, fresh(dbsession, nomination), date.today()) == []


def test_an_associate_member_cannot_stand(dbsession):
    election = new_election(dbsession)
    a, b, c = member("Amy Able"), member("Bob Baker"), member("Cat Cole")
    a.associate = True
    with pytest.raises(elections.ElectionError, match="not a voting member, so cannot stand"):
        stand(dbsession, election, a, b, c)


def test_a_block_vote_exported_as_csv_recounts_to_the_same_sheet(
    testapp, dbsession, request_, tmp_path, capsys
):
    officer = AccountFactory(roles=[Role.RETURNING_OFFICER])
    election, people = poll_open(
        dbsession,
        request_,
        names=('Ada "Lifts" Brown', "Ben Carter", "Ben Carter"),
        voters=4,
        method="block",
        seats=2,
        returning_officer=officer,
    )
    accepted = sorted(elections.accepted(election), key=lambda c: c.id)
    for number, person in enumerate(people):
        marked = sorted({accepted[number % 3].id, accepted[(number + 1) % 3].id})
        elections.cast(dbsession, election.id, person.id, marked, key=KEY, now=now())
    shift(election, 30)
    count(dbsession, election, officer.id)
    sheet, seed, title = election.result_sheet, election.seed, election.title
    dbsession.commit()
    page = testapp.get(f"/elections/{election.id}/ballots")
    csv_file = tmp_path / "ballots.csv"
    csv_file.write_bytes(page.click("Download the anonymised ballots").body)
    assert "Ada 'Lifts' Brown" in csv_file.read_text()
    assert "Ben Carter (M" in csv_file.read_text()  # two of one name, told apart
    args = [str(csv_file), "--seats", "2", "--seed", seed, "--title", title]
    assert count_script.main(args) == 0
    assert capsys.readouterr().out == sheet


def test_the_result_page_shows_the_count_as_recorded_not_a_fresh_one(testapp, dbsession, request_):
    officer = AccountFactory(roles=[Role.RETURNING_OFFICER])
    election, people = poll_open(dbsession, request_, voters=3, returning_officer=officer)
    ada = next(c for c in elections.accepted(election) if c.name == "Ada Brown")
    for person in people:
        elections.cast(dbsession, election.id, person.id, (ada.id,), key=KEY, now=now())
    shift(election, 30)
    count(dbsession, election, officer.id)
    # Someone edits a counted ballot after the count: the page still shows what was counted,
    # and verification names the edit.
    ballot = dbsession.scalars(
        select(CountedBallot).where(CountedBallot.election_id == election.id)
    ).first()
    ballot.preferences = str(elections.accepted(election)[1].id)
    dbsession.commit()
    log_in(testapp, officer.email)
    page = testapp.get(f"/elections/{election.id}/result")
    assert "6.00000" in page.text
    manage = testapp.get(f"/returning-officer/elections/{election.id}")
    assert "recounting the ballots gives a different result sheet" in manage.text


def test_nominations_reopened_run_again_for_the_constitutions_period(dbsession):
    election = new_election(dbsession)
    shift(election, RULES.elections.nomination_days)
    elections.close_nominations(dbsession, election, election.returning_officer_id, now())
    elections.reopen_nominations(dbsession, RULES, election, election.returning_officer_id, now())
    moment = now()
    assert elections.nominations_open(election, moment)
    days_left = london_day(election.nominations_close_at) - london_day(moment)
    assert days_left.days == RULES.elections.nomination_days
    assert election.poll_opens_at > election.nominations_close_at
    a, b, c = member("Amy Able"), member("Bob Baker"), member("Cat Cole")
    assert stand(dbsession, election, a, b, c).status == "accepted"


def test_a_poll_whose_closing_time_has_passed_cannot_be_opened_and_an_empty_one_not_counted(
    dbsession, request_
):
    election, _ = poll_open(dbsession, request_)
    close_poll(election)
    with pytest.raises(elections.ElectionError, match="No ballots were cast"):
        count(dbsession, election, election.returning_officer_id)
    late = new_election(dbsession)
    a, b, c = member("Amy Able"), member("Bob Baker"), member("Cat Cole")
    stand(dbsession, late, a, b, c)
    stand(dbsession, late, b, c, a)
    stand(dbsession, late, c, a, b)
    shift(late, 60)
    elections.close_nominations(dbsession, late, late.returning_officer_id, now())
    with pytest.raises(elections.ElectionError, match="closing time has passed"):
        elections.open_poll(request_, late, late.returning_officer_id)


def test_the_scrutineer_cannot_stand_and_officials_cannot_support(dbsession):
    scrutineer = AccountFactory(roles=[Role.SCRUTINEER])
    election = new_election(dbsession, scrutineer=scrutineer)
    official = member("Sam Scrutineer")
    official.account = scrutineer
    a, b = member("Amy Able"), member("Bob Baker")
    with pytest.raises(elections.ElectionError, match="scrutineer cannot stand"):
        stand(dbsession, election, official, a, b)
    with pytest.raises(elections.ElectionError, match="cannot propose or second"):
        stand(dbsession, election, a, official, b)


@pytest.mark.parametrize("odd", ["¹", "1" * 5000, "-1", "1.5", "٣"])
def test_odd_numbers_on_a_ballot_are_refused_with_a_message(testapp, dbsession, request_, odd):
    election, people = poll_open(dbsession, request_)
    first = elections.accepted(election)[0]
    dbsession.commit()
    log_in(testapp, people[3].account.email)
    form = testapp.get(f"/elections/{election.id}/ballot").forms["ballot"]
    form[f"rank-{first.id}"] = odd
    page = form.submit()
    assert "is not a number: use 1, 2, 3 and so on." in page.text
