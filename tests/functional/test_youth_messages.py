"""What the Youth Forum is told, through the one notices service: every member who may vote
hears that a vote has opened, the proposer hears each time their idea moves on, and the youth
worker reminds those who have not voted, seeing how many were reminded and never who voted."""

from sqlalchemy import select

from tests.conftest import choose, log_in
from tests.functional.test_youth import (
    TODAY,
    act,
    join_form,
    member,
    open_budget,
    propose,
    voted,
    years_ago,
)
from tmo.constitution import Constitution
from tmo.models.audit import AuditEntry
from tmo.models.notices import Delivery, Notice
from tmo.models.youth import YouthMember, YouthProposal
from tmo.permissions import Role
from tmo.rules.notices import Channel
from tmo.services import youth


def text(page) -> str:
    """What a person reads on the page, spaces tidied."""
    return " ".join(page.html.get_text().split())


def mail_to(mailer, email):
    return [message for message in mailer.outbox if email in message.recipients]


def test_the_forum_hears_a_vote_open_and_the_proposer_hears_their_idea_move_on(
    testapp, dbsession, logged_in, mailer
):
    open_budget(dbsession)
    amara, ben, chloe = (member(dbsession, name) for name in ("Amara", "Ben", "Chloe"))
    log_in(testapp, amara.account.email)
    propose(testapp, title="Table tennis table")
    proposal = dbsession.scalar(select(YouthProposal))
    act(testapp, proposal.id, "submit")
    assert mail_to(mailer, amara.account.email) == []  # she moved it herself: no message

    testapp.reset()
    logged_in(Role.YOUTH_WORKER)
    act(testapp, proposal.id, "check", decision="return", comments="Add the delivery cost.")
    (returned,) = mail_to(mailer, amara.account.email)
    assert returned.subject == "Your idea has moved on: Table tennis table"
    assert "Sent back with comments" in returned.body
    assert "Add the delivery cost." in returned.body
    assert f"/youth/proposals/{proposal.id}" in returned.body

    testapp.reset()
    log_in(testapp, amara.account.email)
    act(testapp, proposal.id, "submit")
    testapp.reset()
    logged_in(Role.YOUTH_WORKER)
    opened = act(testapp, proposal.id, "check", decision="vote", comments="Fine.").follow()
    assert "The forum's vote is open. Told the forum: 2 emails on their way." in text(opened)
    for person in (ben, chloe):
        (notice,) = mail_to(mailer, person.account.email)
        assert notice.subject == "Vote now: Table tennis table"
        assert f"/youth/proposals/{proposal.id}" in notice.body
    moved = mail_to(mailer, amara.account.email)
    assert len(moved) == 2 and "Forum vote open" in moved[-1].body

    for person in (amara, ben, chloe):
        testapp.reset()
        log_in(testapp, person.account.email)
        act(testapp, proposal.id, "vote", choice="for")
    # Everyone has voted: the vote closes itself at the next request, and Amara hears.
    testapp.reset()
    logged_in(Role.YOUTH_WORKER)
    counted = mail_to(mailer, amara.account.email)[-1]
    assert "Money committed" in counted.body
    assert "3 for, 0 against, 0 abstaining" in counted.body
    # Each message is recorded per person, with its channel and status.
    kinds = dbsession.scalars(select(Notice.kind).order_by(Notice.id)).all()
    assert kinds.count("youth_idea_moved") == 3 and kinds.count("youth_vote_open") == 1
    assert {d.status for d in dbsession.scalars(select(Delivery))} == {"sent"}


def test_the_youth_worker_reminds_only_those_who_have_not_voted(
    testapp, dbsession, logged_in, mailer
):
    open_budget(dbsession)
    amara, ben, chloe, dev = (member(dbsession, n) for n in ("Amara", "Ben", "Chloe", "Dev"))
    proposal = voted(dbsession, amara)
    log_in(testapp, ben.account.email)
    act(testapp, proposal.id, "vote", choice="against")
    testapp.reset()
    log_in(testapp, dev.account.email)
    act(testapp, proposal.id, "interest", note="My cousin sells goals.")
    mailer.outbox.clear()

    testapp.reset()
    worker = logged_in(Role.YOUTH_WORKER)
    page = testapp.get(f"/youth/proposals/{proposal.id}")
    assert "Remind those who have not voted" in page.text
    form = testapp.get(f"/youth/proposals/{proposal.id}/remind")
    assert "2 forum members who may vote have not voted yet" in text(form)
    assert "Ben" not in text(form) and "Chloe" not in text(form)  # never who has voted
    done = act(testapp, proposal.id, "remind").follow()
    assert "Reminded 2 who had not voted: 2 emails on their way." in text(done)
    reminded = {m.recipients[0] for m in mailer.outbox}
    assert reminded == {amara.account.email, chloe.account.email}
    assert all(m.subject == "Reminder: the vote on Goals is still open" for m in mailer.outbox)
    entry = dbsession.scalar(
        select(AuditEntry).where(AuditEntry.action == "youth.proposal.reminded")
    )
    assert entry.actor_id == worker.id and entry.detail["reminded"] == 2

    again = testapp.get(f"/youth/proposals/{proposal.id}/remind")
    assert "Reminders have been sent 1 time for this vote" in text(again)


def test_no_reminder_once_the_vote_is_counted_and_none_from_a_forum_member(
    testapp, dbsession, logged_in
):
    open_budget(dbsession)
    amara, ben = member(dbsession, "Amara"), member(dbsession, "Ben")
    proposal = voted(dbsession, amara)
    log_in(testapp, ben.account.email)
    testapp.get(f"/youth/proposals/{proposal.id}/remind", status=403)
    act(testapp, proposal.id, "vote", choice="for")
    testapp.reset()
    log_in(testapp, amara.account.email)
    act(testapp, proposal.id, "vote", choice="for")
    testapp.reset()
    logged_in(Role.YOUTH_WORKER)  # everyone has voted: the vote has closed itself
    refused = act(testapp, proposal.id, "remind", expect=200)
    assert "Reminders go only while the forum's vote is open." in text(refused)
    assert not dbsession.scalars(select(Notice).where(Notice.kind == "youth_vote_reminder")).all()


def test_a_young_person_without_email_at_home_chooses_letters_and_gets_them(
    testapp, dbsession, logged_in, mailer
):
    """Joining asks how the forum's messages should reach them; letters need an address, and a
    member who chose post is sent letters (to print), not emails."""
    account = logged_in(Role.RESIDENT)
    refused = join_form(testapp, years_ago(16), first_name="Zara", contact_by="post")
    assert refused.status_int == 200
    assert "Letters need your home address: enter it, or choose email." in text(refused)
    assert refused.forms["form"]["first_name"].value == "Zara"  # nothing typed is lost
    form = refused.forms["form"]
    form["address"] = "Flat 4, Silchester House\nLondon W10 5PA"
    form["lives_here"] = True
    assert form.submit("submit").status_int == 302
    zara = dbsession.scalar(select(YouthMember).where(YouthMember.account_id == account.id))
    assert zara.contact_by == "post" and zara.email_agreed_at is None
    assert zara.address.startswith("Flat 4, Silchester House")

    open_budget(dbsession)
    youth.decide_application(
        dbsession, Constitution(), zara, approve=True, note="", actor_id=None, today=TODAY
    )
    dbsession.commit()
    proposer = member(dbsession, "Amara")
    testapp.reset()
    logged_in(Role.YOUTH_WORKER)
    proposal = voted(dbsession, proposer)
    proposal.status = "submitted"
    dbsession.commit()
    opened = act(testapp, proposal.id, "check", decision="vote", comments="Fine.").follow()
    assert "1 letter to print and post" in text(opened)
    letter = dbsession.scalar(select(Delivery).where(Delivery.youth_member_id == zara.id))
    assert letter.channel == Channel.POST and letter.status == "to_print"
    assert letter.name == "Zara Okafor" and "Silchester House" in letter.address
    assert mail_to(mailer, account.email) == []

    testapp.reset()
    log_in(testapp, account.email)
    page = testapp.get("/youth/forum")
    assert "We post you letters about the forum" in text(page)
    form = testapp.get("/youth/forum/contact").forms["form"]
    assert form["address"].value.startswith("Flat 4")
    choose(form, "email")
    saved = form.submit("submit").follow()
    assert "We email you messages about the forum" in text(saved)
    dbsession.expire_all()
    assert dbsession.get(YouthMember, zara.id).email_agreed_at is not None
    assert dbsession.scalar(
        select(AuditEntry).where(
            AuditEntry.action == "youth.contact_choice", AuditEntry.target_id == str(zara.id)
        )
    )
