"""The Youth Forum's limits through the whole stack: a proposal asks for no more than the year's
whole budget; a forum vote closes itself once its time has ended or everyone who may vote has
voted (counted at the next request, by no one); and a ratification cites only a decision the
board made on or after the day the proposal was sent."""

from sqlalchemy import select

from tests.conftest import log_in
from tests.functional.test_youth import (
    TODAY,
    act,
    member,
    open_budget,
    propose,
    voted,
)
from tmo.constitution import Constitution
from tmo.models.audit import AuditEntry
from tmo.models.youth import YouthProposal
from tmo.rules import youth as rules
from tmo.rules.youth import ProposalStatus

YEAR = rules.year_label(rules.year_start(TODAY, Constitution().youth))


def test_a_proposal_cannot_ask_for_more_than_the_years_whole_budget(testapp, dbsession):
    open_budget(dbsession)
    amara = member(dbsession, "Amara")
    log_in(testapp, amara.account.email)

    refused = propose(testapp, title="A new youth centre", cost="15000.01")
    assert refused.status_int == 200
    message = (
        f"£15,000.01 is more than the forum's whole budget for {YEAR}, which is £15,000.00. "
        "Ask for £15,000.00 or less."
    )
    assert message in refused.html.select_one(".error-summary").get_text(" ", strip=True)
    assert refused.forms["form"]["title"].value == "A new youth centre"  # nothing typed is lost
    assert dbsession.scalar(select(YouthProposal)) is None

    propose(testapp, title="A new youth centre", cost="15000").follow()
    proposal = dbsession.scalar(select(YouthProposal))
    assert proposal.cost_pence == 1_500_000
    form = testapp.get(f"/youth/proposals/{proposal.id}/edit").forms["form"]
    form["cost_pence"] = "20000"
    assert message.replace("£15,000.01", "£20,000.00") in form.submit("submit").text
    assert dbsession.get(YouthProposal, proposal.id).cost_pence == 1_500_000


def closing(dbsession, proposal):
    return dbsession.scalar(
        select(AuditEntry).where(
            AuditEntry.action == "youth.proposal.count",
            AuditEntry.target_id == str(proposal.id),
        )
    )


def test_a_vote_closes_itself_when_its_time_ends_at_the_next_request(
    testapp, dbsession, clock, mailer
):
    open_budget(dbsession)
    amara, ben = member(dbsession, "Amara"), member(dbsession, "Ben")
    proposal = voted(dbsession, amara)
    youth_vote = f"/youth/proposals/{proposal.id}"
    log_in(testapp, ben.account.email)
    act(testapp, proposal.id, "vote", choice="for")
    testapp.reset()

    # Amara has not voted: the vote stays open through its last day.
    clock.advance(days=Constitution().youth.voting_days - 1)
    testapp.get("/youth")
    assert dbsession.get(YouthProposal, proposal.id).status == ProposalStatus.VOTING
    assert closing(dbsession, proposal) is None

    # The day after, the first request of anyone counts it: no one had to press "count".
    clock.advance(days=1)
    testapp.get("/youth")
    counted = dbsession.get(YouthProposal, proposal.id)
    assert counted.status == ProposalStatus.COMMITTED
    assert (counted.votes_for, counted.votes_against, counted.decided_on) == (1, 0, clock.today())
    entry = closing(dbsession, proposal)
    assert entry.actor_id is None and entry.detail["closed"] == "by itself, the vote being over"
    log_in(testapp, amara.account.email)
    page = testapp.get(youth_vote)
    assert "1 for, 0 against, 0 abstaining." in page.text
    assert "Vote on this proposal" not in page.text
    # Amara hears her idea moved on, as from any count.
    assert any(
        amara.account.email in m.recipients and "Money committed" in m.body for m in mailer.outbox
    )


def test_a_vote_closes_itself_once_everyone_who_may_vote_has_voted(testapp, dbsession):
    open_budget(dbsession)
    amara, ben = member(dbsession, "Amara"), member(dbsession, "Ben")
    proposal = voted(dbsession, amara)
    for person, choice in ((amara, "for"), (ben, "against")):
        testapp.reset()
        log_in(testapp, person.account.email)
        act(testapp, proposal.id, "vote", choice=choice)
    page = testapp.get(f"/youth/proposals/{proposal.id}")
    assert "1 for, 1 against, 0 abstaining" in page.text
    counted = dbsession.get(YouthProposal, proposal.id)
    assert counted.decided_on == TODAY and closing(dbsession, proposal).actor_id is None


def test_of_two_open_votes_only_the_one_everyone_has_voted_on_closes_itself(testapp, dbsession):
    open_budget(dbsession)
    amara, ben, chloe = (member(dbsession, name) for name in ("Amara", "Ben", "Chloe"))
    goals, kit = voted(dbsession, amara), voted(dbsession, ben, cost=20_000)
    # Chloe declares an interest in the goals: she does not vote on them, and is not waited for.
    log_in(testapp, chloe.account.email)
    act(testapp, goals.id, "interest", note="My brother runs the club.")
    for person in (amara, ben):
        testapp.reset()
        log_in(testapp, person.account.email)
        act(testapp, goals.id, "vote", choice="for")
        act(testapp, kit.id, "vote", choice="for")
    testapp.get("/youth")

    assert dbsession.get(YouthProposal, goals.id).status == ProposalStatus.COMMITTED
    assert closing(dbsession, goals).actor_id is None
    # Chloe has not voted on the kit: that vote stays open.
    assert dbsession.get(YouthProposal, kit.id).status == ProposalStatus.VOTING
    assert closing(dbsession, kit) is None
