"""The outbox against a real mail server (aiosmtpd on 127.0.0.1), down at first, then busy,
then refusing an address, hanging up at the goodbye: every queued email arrives exactly once in
the end, none twice, none for a transaction that rolled back, a poll card longer than SMTP's
1,000-byte line whole (its lines ended by CRLF); a refused address fails at once, a
busy server is tried again with longer waits until the last try, and an email a stopped worker
was sending is not sent again but shown as failed. The worker runs as ``send_due`` with the
clock moved on, and as the real ``tmo-mail-worker --once`` command (its emails then committed
for it to see): after a server outage, two at once, and one killed in the middle of its work.
The SMTP connections a refused message leaves are closed: the test run turns the
ResourceWarning of one left open into an error. A member who votes while the server is down sees
the receipt page, and the receipt email waits for the server."""

import asyncio
import email
import email.policy
import os
import socket
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
import transaction
from aiosmtpd.controller import Controller
from pyramid.request import Request
from pyramid.scripting import prepare
from pyramid_mailer.interfaces import IMailer
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from tests.conftest import log_in
from tests.elections_setup import fresh, poll_open, web_request
from tests.functional.test_elections import rank_fields, vote
from tmo.models.elections import SealedBallot
from tmo.models.notices import Delivery, Notice
from tmo.rules.notices import DeliveryStatus
from tmo.services.mail import mailer_for
from tmo.services.notices import address_recipient, give_up_interrupted, send_due, send_email
from tmo.services.notices.outbox import STUCK_AFTER, claim, take
from tmo.services.notices.outbox import Retries as RetriesAfter

ROOT = Path(__file__).resolve().parents[2]
TESTING_INI = str(ROOT / "ini" / "testing.ini")
WORKER = str(Path(sys.executable).parent / "tmo-mail-worker")
SENDER = "tmo <no-reply@localhost>"
T0 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
RETRIES = RetriesAfter(first=timedelta(minutes=1), longest=timedelta(minutes=3), attempts=4)


class Inbox:
    """What the mail server does with each recipient: refuses the ones in ``refused`` for good
    (550), tells the first ``busy`` to try later (451), and keeps the others as (Message-ID,
    recipient) in ``received``, each after ``delay`` seconds."""

    def __init__(self):
        self.received: list[tuple[str, str]] = []
        # Each message as it came over the wire, its dots unstuffed.
        self.raw: list[bytes] = []
        self.refused: set[str] = set()
        self.busy = 0
        self.delay = 0.0
        self.hang_up_at_quit = False
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return "550 5.1.1 No such mailbox here"
        if self.busy:
            self.busy -= 1
            return "451 4.3.2 Too busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        message = email.message_from_bytes(envelope.content)
        with self.lock:
            self.raw.append(envelope.original_content)
            self.received += [(message["Message-ID"], to) for to in envelope.rcpt_tos]
        return "250 Message accepted for delivery"

    async def handle_QUIT(self, server, session, envelope):
        if self.hang_up_at_quit:
            # Gone before its goodbye: the client's QUIT gets no answer.
            server.transport.abort()
        return "221 Bye"

    def recipients(self) -> list[str]:
        return sorted(to for _, to in self.received)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class MailServer:
    """A real SMTP server on a port of its own, which is closed until ``start``."""

    def __init__(self):
        self.port = free_port()
        self.inbox = Inbox()
        self.controller = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def mailer(self):
        """The mailer the worker makes for a deployment's settings."""
        settings = {"tmo.mail_mode": "smtp", "mail.host": "127.0.0.1", "mail.port": self.port}
        return mailer_for(settings)


@pytest.fixture
def server():
    running = MailServer()
    yield running
    running.stop()


def queue(dbsession: Session, addresses: list[str], now: datetime = T0) -> list[int]:
    """Emails to ``addresses`` waiting in the outbox, as ``notices.send`` leaves them."""
    notice = Notice(kind="test", subject="Test", created_at=now)
    dbsession.add(notice)
    dbsession.flush()
    rows = [
        {
            "notice_id": notice.id,
            "name": address.split("@")[0],
            "email": address,
            "channel": "email",
            "status": DeliveryStatus.QUEUED,
            "body": f"Test notice\nHello {address}\n",
            "queued_at": now,
            "attempts": 0,
            "next_attempt_at": now,
        }
        for address in addresses
    ]
    dbsession.execute(insert(Delivery), rows)
    queued = select(Delivery.id).where(Delivery.notice_id == notice.id).order_by(Delivery.id)
    ids = list(dbsession.scalars(queued))
    dbsession.commit()
    return ids


def deliveries(dbsession: Session, ids: list[int]) -> list[Delivery]:
    return list(
        dbsession.scalars(
            select(Delivery).where(Delivery.id.in_(ids)).order_by(Delivery.id),
            execution_options={"populate_existing": True},
        )
    )


def work(dbsession, server, now, retries=RETRIES):
    return send_due(dbsession, server.mailer(), sender=SENDER, now=now, retries=retries)


ADDRESSES = [f"member{n}@example.org" for n in range(5)]


def test_emails_wait_while_the_mail_server_is_down_and_each_arrives_once_when_it_is_up(
    dbsession, server
):
    ids = queue(dbsession, ADDRESSES)

    assert work(dbsession, server, T0) == (0, 5)
    for delivery in deliveries(dbsession, ids):
        assert delivery.status is DeliveryStatus.QUEUED
        assert delivery.attempts == 1
        assert delivery.next_attempt_at.replace(tzinfo=UTC) == T0 + timedelta(minutes=1)
        assert "ConnectionRefusedError" in delivery.last_error

    server.start()
    # Not yet due: the worker waits its minute even though the server is back.
    assert work(dbsession, server, T0 + timedelta(seconds=59)) == (0, 0)
    assert work(dbsession, server, T0 + timedelta(minutes=1)) == (5, 5)
    # Nothing left to send, however late the worker looks again.
    assert work(dbsession, server, T0 + timedelta(days=1)) == (0, 0)

    assert server.inbox.recipients() == sorted(ADDRESSES)
    assert len({message_id for message_id, _ in server.inbox.received}) == 5
    for delivery in deliveries(dbsession, ids):
        assert delivery.status is DeliveryStatus.SENT
        assert delivery.attempts == 2
        assert delivery.sent_at.replace(tzinfo=UTC) == T0 + timedelta(minutes=1)
        assert delivery.body == ""


def test_a_busy_server_is_tried_again_after_longer_waits_and_given_up_after_the_last_try(
    dbsession, server
):
    (delivery_id,) = queue(dbsession, ["busy@example.org"])
    server.start()
    server.inbox.busy = 1_000
    now, waits = T0, []
    for attempt in range(1, RETRIES.attempts):
        assert work(dbsession, server, now) == (0, 1)
        (delivery,) = deliveries(dbsession, [delivery_id])
        assert (delivery.status, delivery.attempts) == (DeliveryStatus.QUEUED, attempt)
        waits.append(delivery.next_attempt_at.replace(tzinfo=UTC) - now)
        now += waits[-1]
    assert waits == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=3)]

    assert work(dbsession, server, now) == (0, 1)
    (delivery,) = deliveries(dbsession, [delivery_id])
    assert delivery.status is DeliveryStatus.FAILED
    assert delivery.attempts == RETRIES.attempts
    assert delivery.failed_at.replace(tzinfo=UTC) == now
    assert "451" in delivery.last_error and "try again later" in delivery.last_error

    # Given up means given up: the server's recovery does not bring it back on its own.
    server.inbox.busy = 0
    assert work(dbsession, server, now + timedelta(days=1)) == (0, 0)
    assert server.inbox.received == []


def test_an_address_the_server_refuses_fails_at_once_without_another_try(dbsession, server):
    ids = queue(dbsession, ["one@example.org", "gone@example.org", "two@example.org"])
    server.start()
    server.inbox.refused = {"gone@example.org"}

    assert work(dbsession, server, T0) == (2, 3)

    one, gone, two = deliveries(dbsession, ids)
    assert (one.status, two.status) == (DeliveryStatus.SENT, DeliveryStatus.SENT)
    assert gone.status is DeliveryStatus.FAILED
    assert gone.attempts == 1
    assert gone.failed_at.replace(tzinfo=UTC) == T0
    assert "550" in gone.last_error and "No such mailbox" in gone.last_error
    assert work(dbsession, server, T0 + timedelta(days=1)) == (0, 0)
    assert server.inbox.recipients() == ["one@example.org", "two@example.org"]


def test_an_email_the_server_took_is_sent_even_if_it_hangs_up_before_saying_goodbye(
    dbsession, server
):
    (delivery_id,) = queue(dbsession, ["taken@example.org"])
    server.start()
    server.inbox.hang_up_at_quit = True

    assert work(dbsession, server, T0) == (1, 1)
    assert work(dbsession, server, T0 + timedelta(days=1)) == (0, 0)

    (delivery,) = deliveries(dbsession, [delivery_id])
    assert delivery.status is DeliveryStatus.SENT
    assert server.inbox.recipients() == ["taken@example.org"]


def test_an_email_a_stopped_worker_was_sending_is_not_sent_again_but_shown_as_failed(
    dbsession, server
):
    ids = queue(dbsession, ["first@example.org", "second@example.org"])
    server.start()
    # A worker takes the first email, then is killed before it has said what became of it.
    assert claim(dbsession, T0, SENDER).delivery_id == ids[0]

    # Another worker, meanwhile, sends only the other one.
    assert work(dbsession, server, T0 + timedelta(minutes=1)) == (1, 1)
    # Moments later the first may still be leaving: it is left alone...
    assert give_up_interrupted(dbsession, T0 + timedelta(minutes=5)) == 0
    # ... and once it has been "being sent" for longer than any send takes, it is failed.
    assert give_up_interrupted(dbsession, T0 + STUCK_AFTER + timedelta(seconds=1)) == 1
    assert work(dbsession, server, T0 + timedelta(days=1)) == (0, 0)

    stuck, other = deliveries(dbsession, ids)
    assert stuck.status is DeliveryStatus.FAILED
    assert stuck.attempts == 1
    assert "stopped while sending" in stuck.last_error
    assert other.status is DeliveryStatus.SENT
    assert server.inbox.recipients() == ["second@example.org"]


def test_an_email_taken_by_one_worker_cannot_be_taken_by_another(dbsession):
    (delivery_id,) = queue(dbsession, ["once@example.org"])

    assert take(dbsession, delivery_id, T0) is True
    assert take(dbsession, delivery_id, T0) is False
    dbsession.commit()
    (delivery,) = deliveries(dbsession, [delivery_id])
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENDING, 1)


def test_every_poll_card_arrives_whole_though_the_message_is_longer_than_an_smtp_line(
    dbsession, app, server
):
    """A poll card comes to some 1,500 characters once encoded. Its lines were handed to the
    mail server ended by LF alone (repoze.sendmail gives smtplib bytes, which it sends as they
    are), where SMTP ends each by CRLF: a server reading by the rule saw one line of 1,500
    characters, past SMTP's 1,000, and refused the card for good, and every poll card of a poll
    failed while shorter notices arrived."""
    election, people = poll_open(dbsession, web_request(app, dbsession), voters=4)
    cards = dbsession.scalars(
        select(Delivery)
        .join(Notice)
        .where(Notice.kind == "election_notice", Notice.about_id == str(election.id))
    ).all()
    addresses = sorted(card.email for card in cards)
    assert addresses == sorted(person.account.email for person in people)
    codes = {card.email: card.body.split("Your voting code: ")[1].split()[0] for card in cards}
    dbsession.commit()
    server.start()

    work(dbsession, server, datetime.now(UTC) + timedelta(minutes=1))

    statuses = {card.email: card.status for card in deliveries(dbsession, [c.id for c in cards])}
    assert statuses == dict.fromkeys(addresses, DeliveryStatus.SENT)
    assert sorted(server.inbox.recipients()) == addresses
    for raw in server.inbox.raw:
        assert len(raw) > 1_000
        lines = raw.split(b"\r\n")
        assert lines[-1] == b"" and b"\n" not in b"".join(lines) and b"\r" not in b"".join(lines)
        assert max(map(len, lines)) <= 998
        card = email.message_from_bytes(raw, policy=email.policy.default)
        assert "Notice of poll" in card["Subject"]
        assert f"Your voting code: {codes[card['To']]}" in card.get_content().splitlines()


# -- The command, against committed emails -------------------------------------------------------


@pytest.fixture
def committed(engine):
    """A session whose commits are real, for a worker in another process to see; everything it
    queued is deleted after."""
    session = Session(bind=engine, expire_on_commit=False)
    yield session
    session.rollback()
    tested = select(Notice.id).where(Notice.kind.in_(["test", "outbox_test"]))
    session.execute(delete(Delivery).where(Delivery.notice_id.in_(tested)))
    session.execute(delete(Notice).where(Notice.kind.in_(["test", "outbox_test"])))
    session.commit()
    session.close()


def run_worker(app_settings, server, *extra) -> subprocess.Popen:
    environment = {
        k: v for k, v in os.environ.items() if k not in ("PYTHONWARNINGS", "PYTHONDEVMODE")
    }
    environment.update(
        DATABASE_URL=app_settings["sqlalchemy.url"],
        TMO_MAIL_MODE="smtp",
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(server.port),
    )
    return subprocess.Popen(
        [WORKER, TESTING_INI, "--once", *extra],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finished(process: subprocess.Popen) -> str:
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr
    return stderr


def queue_in_a_request(app, address: str, *, commit: bool) -> None:
    """A request that queues an email to ``address`` with ``notices.send_email`` in its own
    transaction, then commits it or rolls it back (an error after the write, say)."""
    request = Request.blank("/", base_url="http://localhost")
    with prepare(request=request, registry=app.registry) as environment:
        request = environment["request"]
        request.tm = transaction.TransactionManager(explicit=True)
        request.tm.begin()
        send_email(
            request,
            kind="outbox_test",
            template="already_registered",
            to=address_recipient(address, "Someone"),
            account=SimpleNamespace(display_name="Someone"),
            login_url="http://localhost/login",
            reset_url="http://localhost/password",
        )
        request.dbsession.flush()
        if commit:
            request.tm.commit()
        else:
            request.tm.abort()


def test_the_worker_command_sends_once_the_server_is_up_and_nothing_for_a_rolled_back_request(
    app, app_settings, committed, server
):
    queue_in_a_request(app, "kept@example.org", commit=True)
    queue_in_a_request(app, "rolled-back@example.org", commit=False)
    emails = select(Delivery).where(Delivery.email.like("%@example.org"))
    (kept,) = committed.scalars(emails).all()
    assert kept.email == "kept@example.org"
    # Its read ends here: on SQLite a transaction left open would keep the worker waiting.
    committed.commit()

    # The server is down: the email stays in the outbox with what went wrong.
    finished(run_worker(app_settings, server))
    (kept,) = committed.scalars(emails, execution_options={"populate_existing": True}).all()
    assert (kept.status, kept.attempts) == (DeliveryStatus.QUEUED, 1)
    assert "ConnectionRefusedError" in kept.last_error
    committed.commit()

    # Later (the wait moved into the past), with the server up: it arrives, once.
    server.start()
    committed.execute(
        update(Delivery)
        .where(Delivery.id == kept.id)
        .values(next_attempt_at=kept.next_attempt_at - timedelta(hours=1))
    )
    committed.commit()
    finished(run_worker(app_settings, server))
    finished(run_worker(app_settings, server))

    assert server.inbox.recipients() == ["kept@example.org"]
    (kept,) = committed.scalars(emails, execution_options={"populate_existing": True}).all()
    assert (kept.status, kept.attempts) == (DeliveryStatus.SENT, 2)


def test_two_workers_at_once_send_every_email_exactly_once(app_settings, committed, server):
    addresses = [f"voter{n:03}@example.org" for n in range(60)]
    queue(committed, addresses, now=datetime.now(UTC) - timedelta(minutes=1))
    server.start()
    # Slow enough that the two workers' passes overlap.
    server.inbox.delay = 0.02

    workers = [run_worker(app_settings, server) for _ in range(2)]
    for worker in workers:
        finished(worker)

    assert server.inbox.recipients() == addresses
    assert len({message_id for message_id, _ in server.inbox.received}) == len(addresses)
    statuses = committed.scalars(select(Delivery.status).where(Delivery.email.in_(addresses))).all()
    assert set(statuses) == {DeliveryStatus.SENT}


def test_a_worker_killed_in_the_middle_leaves_one_email_in_doubt_and_sends_none_twice(
    app_settings, committed, server
):
    addresses = [f"tenant{n:02}@example.org" for n in range(30)]
    taken_at = datetime.now(UTC) - timedelta(minutes=1)
    queue(committed, addresses, now=taken_at)
    server.start()
    # Each message takes the server a while to accept: the worker is killed in the middle of one.
    server.inbox.delay = 0.3
    worker = run_worker(app_settings, server)
    # (A worker that stopped on its own would end the wait too.)
    while len(server.inbox.received) < 3 and worker.poll() is None:
        threading.Event().wait(0.05)
    worker.kill()
    worker.communicate(timeout=60)
    # Let the server finish taking a message the worker was sending when it died, if it was.
    threading.Event().wait(server.inbox.delay * 2)

    rows = committed.execute(
        select(Delivery.email, Delivery.status).where(Delivery.email.in_(addresses))
    )
    statuses = {email: status for email, status in rows}
    in_doubt = [email for email, status in statuses.items() if status is DeliveryStatus.SENDING]
    assert len(in_doubt) <= 1
    sent = {email for email, status in statuses.items() if status is DeliveryStatus.SENT}
    assert sent <= set(server.inbox.recipients()) <= sent | set(in_doubt)
    committed.commit()

    # Later (the one in doubt taken long ago), another worker sends the rest, and not that one.
    committed.execute(
        update(Delivery)
        .where(Delivery.email.in_(in_doubt))
        .values(next_attempt_at=taken_at - STUCK_AFTER)
    )
    committed.commit()
    server.inbox.delay = 0.0
    finished(run_worker(app_settings, server))

    received = server.inbox.recipients()
    assert len(received) == len(set(received))
    assert set(addresses) - set(in_doubt) <= set(received)
    for delivery in committed.scalars(
        select(Delivery).where(Delivery.email.in_(addresses)),
        execution_options={"populate_existing": True},
    ):
        if delivery.email in in_doubt:
            assert delivery.status is DeliveryStatus.FAILED
            assert "stopped while sending" in delivery.last_error
        else:
            assert delivery.status is DeliveryStatus.SENT


# -- A vote cast while the mail server is down --------------------------------------------------


@pytest.fixture
def app_mailing_to(app):
    """The app's mailer swapped for a real SMTP one to ``server``: a request that sent mail
    itself would meet the server as it is (down until started)."""
    kept = app.registry.getUtility(IMailer)

    def mailing_to(server):
        app.registry.registerUtility(server.mailer(), IMailer)

    yield mailing_to
    app.registry.registerUtility(kept, IMailer)


def test_a_vote_cast_while_the_mail_server_is_down_is_stored_once_and_its_receipt_waits(
    testapp, dbsession, app, server, app_mailing_to
):
    """The issue's "vote stored but reported lost": with SMTP down the cast committed, then the
    receipt's sending failed after the commit and the voter read "What you entered has not been
    saved". Now the voter sees the receipt, one sealed ballot is stored, and the receipt email
    waits in the outbox until the server is back."""
    app_mailing_to(server)
    election, people = poll_open(dbsession, web_request(app, dbsession))
    voter = people[-1]
    dbsession.commit()
    log_in(testapp, voter.account.email)

    election = fresh(dbsession, election)
    receipt = vote(testapp, election, **rank_fields(election, "Ada Brown"))

    assert receipt.status_int == 200
    assert "Your vote is cast" in receipt.text
    assert "has not been saved" not in receipt.text
    tracker = receipt.html.find(id="receipt").get_text(strip=True)
    stored = dbsession.scalars(
        select(SealedBallot).where(SealedBallot.election_id == election.id)
    ).all()
    assert [ballot.tracker for ballot in stored] == [tracker]
    waiting = dbsession.scalars(
        select(Delivery).join(Notice).where(Notice.kind == "election_receipt")
    ).all()
    assert [(d.email, d.status) for d in waiting] == [(voter.account.email, DeliveryStatus.QUEUED)]
    assert tracker in waiting[0].body

    # The worker finds the server down: the receipt waits, with what went wrong.
    moment = datetime.now(UTC)
    work(dbsession, server, moment)
    (receipt_email,) = deliveries(dbsession, [waiting[0].id])
    assert (receipt_email.status, receipt_email.attempts) == (DeliveryStatus.QUEUED, 1)
    assert "ConnectionRefusedError" in receipt_email.last_error

    # The server is back: the receipt arrives, once, as do the poll cards that waited with it.
    server.start()
    work(dbsession, server, moment + timedelta(hours=1))
    receipt_id = f"<tmo.{waiting[0].id}."
    receipts = [to for message_id, to in server.inbox.received if message_id.startswith(receipt_id)]
    assert receipts == [voter.account.email]
    assert server.inbox.recipients() == sorted(
        [voter.account.email, *(p.account.email for p in people)]
    )
    (receipt_email,) = deliveries(dbsession, [waiting[0].id])
    assert receipt_email.status is DeliveryStatus.SENT
