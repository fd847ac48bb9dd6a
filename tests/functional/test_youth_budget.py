"""The Youth Forum's budget on the real database: the ledger's balances, a proposal from draft to
reported, releases and top-ups, board ratification and the year's end. A hundred approvals
racing for the last of the money are in tests/reliability/test_approvals.py."""

import dataclasses
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.factories import AccountFactory, YouthMemberFactory
from tests.youth_setup import (
    fields,
)
from tmo.constitution import Constitution
from tmo.models.audit import AuditEntry
from tmo.rules import youth as rules
from tmo.rules.youth import ProposalStatus
from tmo.services import youth

TODAY = date.today()
NOW = datetime.now(UTC)
RULES = Constitution()
PDF = b"%PDF-1.4 a quote\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def voted_proposal(dbsession, members, cost=50_000, votes=("for",), constitution=RULES, day=TODAY):
    proposer = members[0]
    proposal = youth.draft_proposal(
        dbsession, proposer, fields(cost), quote=(PDF, "quote.pdf"), actor_id=None
    )
    youth.submit_proposal(dbsession, proposal, proposer, actor_id=None, now=NOW)
    youth.open_vote(dbsession, constitution, proposal, comments="", actor_id=None, today=day)
    for member, choice in zip(members, votes, strict=False):
        youth.cast_vote(dbsession, proposal, member, choice=choice, actor_id=None, today=day)
    return proposal


def balances(dbsession):
    return youth.year_balances(dbsession, youth.year_for(dbsession, RULES, TODAY))


def test_a_proposal_goes_from_draft_to_reported_and_the_ledger_follows(dbsession):
    members = YouthMemberFactory.create_batch(3)
    year = youth.open_year(dbsession, RULES, day=TODAY, actor_id=None)
    assert balances(dbsession) == rules.Balances(1_500_000, 0, 0)

    proposal = voted_proposal(dbsession, members, votes=("for", "for", "against"))
    later = TODAY + timedelta(days=1)
    assert youth.turnout(dbsession, RULES, proposal, TODAY) == youth.Turnout(3, 3)
    youth.count_proposal_votes(dbsession, RULES, proposal.id, actor_id=None, today=later)
    assert proposal.status == ProposalStatus.COMMITTED
    assert (proposal.votes_for, proposal.votes_against) == (2, 1)
    assert balances(dbsession) == rules.Balances(1_500_000, 50_000, 0)

    note = youth.record_spend(
        dbsession, proposal, amount=46_000, on=later, receipt=(PNG, "receipt.png"), actor_id=None
    )
    assert note == "Underspent by £40.00: released back to the budget."
    assert proposal.status == ProposalStatus.SPENT
    assert balances(dbsession) == rules.Balances(1_500_000, 0, 46_000)
    assert balances(dbsession).remaining == 1_454_000

    with pytest.raises(youth.YouthError, match="Photos are kept only when"):
        youth.report_back(
            dbsession,
            proposal,
            report="We play every evening now.",
            photos=[(PNG, "goals.png", "The new goals")],
            consent=False,
            actor_id=None,
            today=later,
        )
    youth.report_back(
        dbsession,
        proposal,
        report="We play every evening now.",
        photos=[(PNG, "goals.png", "The new goals")],
        consent=True,
        actor_id=None,
        today=later,
    )
    assert proposal.status == ProposalStatus.REPORTED
    assert [p.caption for p in proposal.photos] == ["The new goals"]
    kinds = [e.kind for e in youth.year_entries(dbsession, year)]
    assert kinds == ["allocation", "commitment", "spend", "release"]
    actions = set(dbsession.scalars(select(AuditEntry.action)))
    assert {"youth.proposal.submit", "youth.proposal.count", "youth.ledger.spend"} <= actions


def test_each_step_refuses_the_wrong_state_and_the_wrong_person(dbsession):
    members = YouthMemberFactory.create_batch(2)
    youth.open_year(dbsession, RULES, day=TODAY, actor_id=None)
    proposal = youth.draft_proposal(dbsession, members[0], fields(), actor_id=None)
    with pytest.raises(youth.YouthError, match="Upload a quote"):
        youth.submit_proposal(dbsession, proposal, members[0], actor_id=None, now=NOW)
    with pytest.raises(youth.YouthError, match="Only the member who proposed"):
        youth.edit_proposal(dbsession, proposal, members[1], fields(), actor_id=None)
    with pytest.raises(youth.YouthError, match="cannot be put to the forum's vote now"):
        youth.open_vote(dbsession, RULES, proposal, comments="", actor_id=None, today=TODAY)
    youth.edit_proposal(
        dbsession, proposal, members[0], fields(), quote=(PDF, "q.pdf"), actor_id=None
    )
    youth.submit_proposal(dbsession, proposal, members[0], actor_id=None, now=NOW)
    with pytest.raises(youth.YouthError, match="Say what needs to change"):
        youth.return_proposal(dbsession, proposal, comments="", actor_id=None)
    youth.return_proposal(dbsession, proposal, comments="Find a cheaper quote.", actor_id=None)
    assert proposal.status == ProposalStatus.RETURNED
    youth.submit_proposal(dbsession, proposal, members[0], actor_id=None, now=NOW)
    youth.open_vote(dbsession, RULES, proposal, comments="Feasible.", actor_id=None, today=TODAY)
    youth.declare_interest(dbsession, proposal, members[1], note="My brother", actor_id=None)
    with pytest.raises(youth.YouthError, match="declared an interest"):
        youth.cast_vote(dbsession, proposal, members[1], choice="for", actor_id=None, today=TODAY)
    youth.cast_vote(dbsession, proposal, members[0], choice="for", actor_id=None, today=TODAY)
    with pytest.raises(youth.YouthError, match="already voted"):
        youth.cast_vote(dbsession, proposal, members[0], choice="for", actor_id=None, today=TODAY)
    # The only member who may vote has voted: the count need not wait for the window.
    youth.count_proposal_votes(dbsession, RULES, proposal.id, actor_id=None, today=TODAY)
    assert proposal.status == ProposalStatus.COMMITTED
    closed = proposal.vote_closes_on
    with pytest.raises(youth.YouthError, match="cannot be voted on now"):
        youth.cast_vote(dbsession, proposal, members[1], choice="for", actor_id=None, today=closed)


def test_a_vote_is_not_counted_early_and_a_tie_goes_the_chairs_way(dbsession):
    members = YouthMemberFactory.create_batch(3)
    youth.open_year(dbsession, RULES, day=TODAY, actor_id=None)
    proposal = voted_proposal(dbsession, members, votes=("for", "against"))
    with pytest.raises(youth.YouthError, match="or until every forum member who may vote"):
        youth.count_proposal_votes(dbsession, RULES, proposal.id, actor_id=None, today=TODAY)
    youth.become_chair(dbsession, RULES, members[1], election=None, actor_id=None, today=TODAY)
    youth.count_proposal_votes(
        dbsession, RULES, proposal.id, actor_id=None, today=proposal.vote_closes_on
    )
    assert proposal.status == ProposalStatus.LOST  # the chair voted against
    assert proposal.by_casting_vote


def test_above_the_threshold_the_board_ratifies_or_the_money_is_released(dbsession):
    members = YouthMemberFactory.create_batch(1)
    youth.open_year(dbsession, RULES, day=TODAY, actor_id=None)
    big = voted_proposal(dbsession, members, cost=250_000)
    youth.count_proposal_votes(dbsession, RULES, big.id, actor_id=None, today=TODAY)
    assert big.status == ProposalStatus.AWAITING_RATIFICATION
    assert balances(dbsession).committed == 250_000
    with pytest.raises(youth.YouthError, match="cannot be given a spend now"):
        youth.record_spend(
            dbsession, big, amount=250_000, on=TODAY, receipt=(PDF, "r.pdf"), actor_id=None
        )
    youth.record_ratification(
        dbsession,
        big,
        ratified=True,
        reference="Board 3 June 2026, minute 6",
        decided_on=TODAY,
        actor_id=None,
        now=NOW,
    )
    assert big.status == ProposalStatus.COMMITTED
    assert big.ratification_reference == "Board 3 June 2026, minute 6"

    other = voted_proposal(dbsession, members, cost=300_000)
    youth.count_proposal_votes(dbsession, RULES, other.id, actor_id=None, today=TODAY)
    youth.record_ratification(
        dbsession,
        other,
        ratified=False,
        reference="Board minute 9",
        decided_on=TODAY,
        actor_id=None,
        now=NOW,
    )
    assert other.status == ProposalStatus.NOT_RATIFIED
    assert balances(dbsession) == rules.Balances(1_500_000, 250_000, 0)


def test_an_overspend_is_topped_up_when_the_money_is_there_and_refused_when_not(dbsession):
    members = YouthMemberFactory.create_batch(1)
    youth.open_year(dbsession, RULES, day=TODAY, actor_id=None)
    first = voted_proposal(dbsession, members, cost=100_000)
    youth.count_proposal_votes(dbsession, RULES, first.id, actor_id=None, today=TODAY)
    youth.adjust_budget(
        dbsession, RULES, amount=-1_350_000, reason="Council cut", actor_id=None, today=TODAY
    )
    assert balances(dbsession).remaining == 50_000
    with pytest.raises(youth.YouthError, match=r"only £500\.00 is left"):
        youth.record_spend(
            dbsession, first, amount=160_000, on=TODAY, receipt=(PDF, "r.pdf"), actor_id=None
        )
    note = youth.record_spend(
        dbsession, first, amount=120_000, on=TODAY, receipt=(PDF, "r.pdf"), actor_id=None
    )
    assert note == "Overspent by £200.00: topped up from the budget."
    assert balances(dbsession) == rules.Balances(150_000, 0, 120_000)
    with pytest.raises(youth.YouthError, match="Not enough money left"):
        youth.adjust_budget(
            dbsession, RULES, amount=-30_001, reason="Cut", actor_id=None, today=TODAY
        )


def test_a_passed_proposal_the_budget_cannot_cover_is_agreed_but_unfunded(dbsession):
    members = YouthMemberFactory.create_batch(1)
    youth.open_year(dbsession, RULES, day=TODAY, actor_id=None)
    proposal = voted_proposal(dbsession, members, cost=1_000_000)
    youth.adjust_budget(
        dbsession, RULES, amount=-600_000, reason="Council cut", actor_id=None, today=TODAY
    )
    youth.count_proposal_votes(dbsession, RULES, proposal.id, actor_id=None, today=TODAY)
    assert proposal.status == ProposalStatus.UNFUNDED
    assert balances(dbsession).committed == 0


@pytest.mark.parametrize("year_end", ["lapse", "carry_over"])
def test_at_the_year_end_unspent_money_lapses_or_carries_over(dbsession, year_end):
    constitution = dataclasses.replace(
        RULES, youth=dataclasses.replace(RULES.youth, unspent_at_year_end=year_end)
    )
    last_year = TODAY - timedelta(days=366)
    members = YouthMemberFactory.create_batch(1, approved_on=last_year)
    old = youth.open_year(dbsession, constitution, day=last_year, actor_id=None)
    pending = voted_proposal(
        dbsession, members, cost=200_000, constitution=constitution, day=last_year
    )
    youth.count_proposal_votes(dbsession, constitution, pending.id, actor_id=None, today=last_year)
    assert pending.status == ProposalStatus.AWAITING_RATIFICATION
    new = youth.open_year(dbsession, constitution, day=TODAY, actor_id=None)
    assert old.closed_on == TODAY
    old_balances = youth.year_balances(dbsession, old)
    # The commitment stays with its year; only the money left over moves.
    assert old_balances == rules.Balances(200_000, 200_000, 0)
    allocated = youth.year_balances(dbsession, new).allocated
    assert allocated == (1_500_000 + 1_300_000 if year_end == "carry_over" else 1_500_000)
    with pytest.raises(youth.YouthError, match="already open"):
        youth.open_year(dbsession, constitution, day=TODAY, actor_id=None)


def test_under_13s_are_refused_and_approval_makes_a_forum_member(dbsession):
    account = AccountFactory()
    with pytest.raises(youth.YouthError, match="very welcome to join when you turn 13"):
        youth.apply_to_join(
            dbsession,
            RULES,
            account=account,
            first_name="Tom",
            surname="Baker",
            born=TODAY.replace(year=TODAY.year - 12),
            postcode="w10 5pa",
            today=TODAY,
        )
    member = youth.apply_to_join(
        dbsession,
        RULES,
        account=account,
        first_name="Tom",
        surname="Baker",
        born=TODAY.replace(year=TODAY.year - 14),
        postcode="w10 5pa",
        today=TODAY,
    )
    assert not youth.in_forum(member, RULES, TODAY)
    youth.decide_application(
        dbsession, RULES, member, approve=True, note="", actor_id=None, today=TODAY
    )
    assert youth.in_forum(member, RULES, TODAY)
    assert youth.shown_name(member, TODAY) == "Tom"
    assert youth.current_member(dbsession, RULES, account, TODAY) is member
    ages_out = member.date_of_birth.replace(year=member.date_of_birth.year + 26)
    with pytest.raises(youth.YouthError, match="You left the Youth Forum on"):
        youth.current_member(dbsession, RULES, account, ages_out)
