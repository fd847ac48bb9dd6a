"""Anchored outside the database (issue 13): the audit log keyed with the server's secret, the
signed checkpoints of a poll's ballot log and of the audit log emailed to the returning officer
and the scrutineer, and what each finds that the database alone cannot show."""

from datetime import timedelta

import pytest
from sqlalchemy import delete, select, update

from tests.conftest import log_in
from tests.elections_setup import KEY, SEALING_KEY, fresh, now, poll_open, shift, web_request
from tests.factories import AccountFactory
from tmo.models.audit import AuditEntry
from tmo.models.checkpoints import Checkpoint
from tmo.models.elections import Election
from tmo.permissions import Role
from tmo.rules import checkpoints as rules
from tmo.rules import sealing
from tmo.rules.chains import derive_key
from tmo.services import audit, checkpoints, elections


def record_three(dbsession):
    for action in ("first.thing", "second.thing", "third.thing"):
        audit.record(dbsession, action, actor_id=None, note=action)
    dbsession.flush()
    return dbsession.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()


def rechain(dbsession, entries, *, key, scheme):
    """What an editor of the database does after changing an entry: recompute every hash from
    the first entry given, with ``key`` (None: plain SHA-256), and write them back."""
    previous = entries[0].previous_hash
    for entry in entries:
        hashed = audit.entry_hash(
            previous,
            entry.occurred_at,
            entry.actor_id,
            entry.action,
            entry.target_type,
            entry.target_id,
            entry.detail,
            key=key,
        )
        dbsession.execute(
            update(AuditEntry)
            .where(AuditEntry.id == entry.id)
            .values(previous_hash=previous, entry_hash=hashed, scheme=scheme)
        )
        previous = hashed
    dbsession.expire_all()


def edit_second(dbsession, entries):
    dbsession.execute(
        update(AuditEntry).where(AuditEntry.id == entries[1].id).values(action="harmless.thing")
    )
    dbsession.expire_all()
    return dbsession.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()


def anchor_now(dbsession) -> rules.Anchor:
    head, count = audit.head(dbsession)
    return rules.Anchor(head, count, "the checkpoint")


# The keyed audit log ------------------------------------------------------------------------------


def test_each_new_entry_is_an_hmac_under_the_servers_secret(dbsession, app_settings):
    entries = record_three(dbsession)
    assert {entry.scheme for entry in entries} == {"hmac"}
    first = entries[0]
    values = (
        first.previous_hash,
        first.occurred_at,
        None,
        first.action,
        None,
        None,
        first.detail,
    )
    key = derive_key(app_settings["tmo.secret"], "audit")
    assert first.entry_hash == audit.entry_hash(*values, key=key)
    assert first.entry_hash != audit.entry_hash(*values, key=None)
    assert audit.verify_chain(dbsession).intact


def test_an_entry_edited_and_rechained_with_plain_sha256_is_found(dbsession):
    entries = edit_second(dbsession, record_three(dbsession))
    # Marked as plain entries from before the key: a downgrade, refused after a keyed entry.
    rechain(dbsession, entries[1:], key=None, scheme="sha256")
    report = audit.verify_chain(dbsession)
    assert report.problems == [
        f"entry {entries[1].id}: hashed without the key after keyed entries "
        "(its hash was recomputed by someone without the server's secret)",
        f"entry {entries[2].id}: hashed without the key after keyed entries "
        "(its hash was recomputed by someone without the server's secret)",
    ]
    # Left marked as keyed: the plain hashes are not the keyed ones.
    rechain(dbsession, entries[1:], key=None, scheme="hmac")
    assert audit.verify_chain(dbsession).problems == [
        f"entry {entries[1].id}: its content was changed after it was written",
        f"entry {entries[2].id}: its content was changed after it was written",
    ]


def test_without_the_servers_secret_no_key_rechains_the_log(dbsession):
    entries = edit_second(dbsession, record_three(dbsession))
    for guess in ("", "tmo", "test-secret", "development"):
        rechain(dbsession, entries[1:], key=derive_key(guess, "audit"), scheme="hmac")
        assert audit.verify_chain(dbsession).problems == [
            f"entry {entries[1].id}: its content was changed after it was written",
            f"entry {entries[2].id}: its content was changed after it was written",
        ]


def test_entries_from_before_the_key_verify_by_plain_sha256_and_are_counted(dbsession):
    entries = record_three(dbsession)
    rechain(dbsession, entries, key=None, scheme="sha256")
    audit.record(dbsession, "fourth.thing", actor_id=None)
    report = audit.verify_chain(dbsession)
    assert report.intact, report.problems
    assert (report.entries, report.unkeyed) == (4, 3)


def test_the_newest_entries_deleted_are_found_given_a_checkpoints_head(dbsession):
    entries = record_three(dbsession)
    anchor = anchor_now(dbsession)
    dbsession.execute(delete(AuditEntry).where(AuditEntry.id >= entries[1].id))
    # The log alone cannot tell: what remains is a chain that checks out.
    assert audit.verify_chain(dbsession).intact
    assert audit.verify_chain(dbsession, anchor).problems == [
        "the log has 1 entries, but the checkpoint counted 3: entries were removed from its end"
    ]


def test_entries_written_after_a_checkpoint_chain_on_from_its_head(dbsession):
    record_three(dbsession)
    anchor = anchor_now(dbsession)
    audit.record(dbsession, "later.thing", actor_id=None)
    assert audit.verify_chain(dbsession, anchor).intact


def test_a_log_rewritten_from_its_start_is_found_only_against_a_checkpoint(dbsession):
    """Every entry rewritten as a plain one from before the key: no downgrade shows, and only
    the head kept outside the database finds it."""
    entries = record_three(dbsession)
    anchor = anchor_now(dbsession)
    rechain(dbsession, edit_second(dbsession, entries), key=None, scheme="sha256")
    assert audit.verify_chain(dbsession).intact
    problems = audit.verify_chain(dbsession, anchor).problems
    assert len(problems) == 1
    assert problems[0].startswith(f"entry {entries[2].id}: is entry number 3, whose hash")
    assert problems[0].endswith("(the log was rewritten up to it)")


# Checkpoints by email -----------------------------------------------------------------------------


@pytest.fixture
def officials():
    return (
        AccountFactory(roles=[Role.RETURNING_OFFICER], email="ro@example.org"),
        AccountFactory(roles=[Role.SCRUTINEER], email="scrutineer@example.org"),
    )


def checkpoint_mail(mailer):
    return [m for m in mailer.outbox if "checkpoint" in m.subject or "has closed" in m.subject]


def test_checkpoints_are_emailed_daily_during_the_poll_to_the_officer_and_scrutineer(
    app, dbsession, mailer, officials, app_settings
):
    officer, scrutineer = officials
    request = web_request(app, dbsession)
    election, people = poll_open(
        dbsession, request, voters=2, returning_officer=officer, scrutineer=scrutineer
    )
    accepted = elections.accepted(election)
    elections.cast(dbsession, election.id, people[0].id, (accepted[0].id,), key=KEY, now=now())
    start = now()

    assert checkpoints.send_due(request, start) == 1
    sent = checkpoint_mail(mailer)
    assert sorted(m.recipients[0] for m in sent) == ["ro@example.org", "scrutineer@example.org"]
    body = sent[0].body
    assert sent[0].subject == "Daily checkpoint: Board election"
    key = checkpoints.verify_key(dbsession)
    found = rules.read_all(body, key)
    assert [(c.kind, c.count) for c in found] == [
        ("ballots", 1),
        ("audit", audit.head(dbsession)[1]),
    ]
    assert found[0].head == fresh(dbsession, election).chain_head
    assert found[0].election_id == election.id
    assert found[1].head == audit.head(dbsession)[0]
    # Public information and a signature: no secret travels in it.
    assert app_settings["tmo.secret"] not in body
    assert derive_key(app_settings["tmo.secret"], "audit").hex() not in body
    assert bytes(checkpoints.signing_key(dbsession)).hex() not in body

    # Within the day, nothing more; a day and an hour on, the next one.
    assert checkpoints.send_due(request, start + timedelta(hours=23)) == 0
    assert checkpoints.send_due(request, start + timedelta(hours=25)) == 1
    assert len(checkpoint_mail(mailer)) == 4


def test_the_officers_page_says_when_the_last_checkpoint_went(testapp, app, dbsession, officials):
    officer, scrutineer = officials
    request = web_request(app, dbsession)
    election, _ = poll_open(
        dbsession, request, voters=1, returning_officer=officer, scrutineer=scrutineer
    )
    checkpoints.send_due(request, now())
    dbsession.commit()
    log_in(testapp, officer.email)
    page = testapp.get(f"/returning-officer/elections/{election.id}")
    assert "The last checkpoint (daily) was signed and emailed" in page.text
    assert f"tmo-election verify {election.id} --checkpoint FILE" in page.text


def test_at_the_close_the_count_sends_the_checkpoint_and_the_result_sheet_prints_its_head(
    testapp, app, dbsession, mailer, officials
):
    officer, scrutineer = officials
    request = web_request(app, dbsession)
    election, people = poll_open(
        dbsession, request, voters=3, returning_officer=officer, scrutineer=scrutineer
    )
    accepted = elections.accepted(election)
    for person in people[:4]:
        elections.cast(dbsession, election.id, person.id, (accepted[0].id,), key=KEY, now=now())
    shift(election, 30)
    dbsession.commit()

    # The key holder opens the box with the recovery phrase: the count.
    log_in(testapp, scrutineer.email)
    form = testapp.get(f"/returning-officer/elections/{election.id}/open-box").forms["form"]
    form["phrase"] = sealing.recovery_phrase(SEALING_KEY)
    form.submit("submit").follow()
    election = fresh(dbsession, election)
    close = checkpoints.at_close(dbsession, election)
    assert (close.head, close.count) == (election.chain_head, 4)
    sent = checkpoint_mail(mailer)
    assert [m.subject for m in sent] == ["The poll has closed: Board election"] * 2
    assert close.text in sent[0].body

    result = testapp.get(f"/elections/{election.id}/result")
    assert "Ballot log head at the close" in result.text
    assert f"{close.head}, 4 ballots" in result.text


def test_the_mail_worker_sends_the_close_when_the_clock_closes_the_poll(
    app, dbsession, mailer, officials
):
    officer, scrutineer = officials
    request = web_request(app, dbsession)
    election, people = poll_open(
        dbsession, request, voters=1, returning_officer=officer, scrutineer=scrutineer
    )
    assert checkpoints.send_due(request, now()) == 1
    accepted = elections.accepted(election)
    elections.cast(dbsession, election.id, people[0].id, (accepted[0].id,), key=KEY, now=now())
    shift(election, 30)
    assert checkpoints.send_due(request, now()) == 1
    assert checkpoints.at_close(dbsession, election).count == 1
    assert checkpoints.send_due(request, now() + timedelta(days=3)) == 0
    # The count finds the close already sent with the same head, and sends nothing more.
    elections.count(dbsession, election, scrutineer.id, now(), key=KEY, private_key=SEALING_KEY)
    assert len(dbsession.scalars(select(Checkpoint).where(Checkpoint.kind == "ballots")).all()) == 2


def test_the_count_stops_if_the_log_changed_since_the_close_was_sent(app, dbsession, officials):
    officer, scrutineer = officials
    request = web_request(app, dbsession)
    election, people = poll_open(
        dbsession, request, voters=2, returning_officer=officer, scrutineer=scrutineer
    )
    accepted = elections.accepted(election)
    for person in people[:2]:
        elections.cast(dbsession, election.id, person.id, (accepted[0].id,), key=KEY, now=now())
    shift(election, 30)
    checkpoints.send_due(request, now())
    dbsession.execute(
        update(Election).where(Election.id == election.id).values(chain_head="0" * 64)
    )
    dbsession.expire_all()
    with pytest.raises(checkpoints.ChangedSinceTheClose, match="changed since the close"):
        checkpoints.send_for_election(dbsession, fresh(dbsession, election), now())
