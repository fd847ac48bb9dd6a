"""Approvals racing for one Youth Forum budget: many passed proposals waiting to be counted,
committed for real (so that every connection sees them), what the counting left, and the rows
removed after. Shared by the race in ``tests/functional/test_youth_budget.py``, the
reliability suite (``tests/reliability/test_approvals.py``) and ``bench/reliability.py``, which
counts them over HTTP."""

import dataclasses
from datetime import date, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tests.races import at_the_same_moment
from tmo.constitution import Constitution
from tmo.models.accounts import Account, RoleGrant
from tmo.models.audit import AuditEntry
from tmo.models.files import StoredFile
from tmo.models.youth import (
    YouthBudgetYear,
    YouthLedgerEntry,
    YouthMember,
    YouthProposal,
    YouthVote,
)
from tmo.rules import youth as rules
from tmo.rules.youth import ProposalStatus
from tmo.services import youth

RACER_EMAIL = "racer@example.org"
# £700 each: 21 fit in the constitution's £15,000, with £300 left over.
COST = 70_000


def fields(
    cost: int = 50_000, category: str = "sport", title: str = "Football goals for the estate"
) -> youth.ProposalFields:
    return youth.ProposalFields(
        title=title,
        what_and_why="Two goals for the ball court, so we can play properly.",
        who_benefits="Everyone who uses the ball court.",
        category=category,
        cost_pence=cost,
        cost_breakdown="2 goals at £250",
    )


def proposals_ready_to_count(
    session: Session, constitution: Constitution, number: int, cost: int, today: date
) -> list[int]:
    """The year's budget opened and ``number`` proposals of ``cost`` pence each, voted for by
    the forum and closed a day ago, committed; their ids."""
    account = Account(email=RACER_EMAIL, display_name="Racer", password_hash="x")
    member = YouthMember(
        account=account,
        first_name="Racer",
        surname="One",
        date_of_birth=today.replace(year=today.year - 16),
        postcode="W10 5PA",
        status="approved",
        approved_on=today - timedelta(days=10),
    )
    session.add(member)
    session.flush()
    youth.open_year(session, constitution, day=today, actor_id=None)
    ids = []
    for index in range(number):
        proposal = YouthProposal(
            proposer=member,
            status=ProposalStatus.VOTING,
            vote_opened_on=today - timedelta(days=8),
            vote_closes_on=today - timedelta(days=1),
            **vars(fields(cost, title=f"Racing proposal {index}")),
        )
        proposal.votes.append(YouthVote(member_id=member.id, choice="for"))
        session.add(proposal)
        session.flush()
        ids.append(proposal.id)
    session.commit()
    return ids


@dataclasses.dataclass(frozen=True)
class Counted:
    """What the counting left: each proposal's status, the year's balances and its
    commitments in the ledger."""

    statuses: list[ProposalStatus]
    balances: rules.Balances
    commitments: int

    @property
    def overspent(self) -> int:
        """Pence committed beyond the budget (0 unless the arithmetic raced)."""
        return max(0, -self.balances.remaining)


def what_was_counted(session: Session, constitution: Constitution, today: date) -> Counted:
    statuses = list(session.scalars(select(YouthProposal.status)))
    balances = youth.year_balances(session, youth.year_for(session, constitution, today))
    commitments = session.scalars(
        select(YouthLedgerEntry).where(YouthLedgerEntry.kind == rules.COMMITMENT)
    ).all()
    return Counted(statuses, balances, len(commitments))


def count_all_at_once(
    session_factory, constitution: Constitution, ids: list[int], today: date
) -> list[Exception]:
    """Count every proposal at the same moment, each in its own thread, session and connection
    (released together by a barrier), committing each; the errors raised."""
    errors = []

    def count(proposal_id):
        session = session_factory()
        try:
            youth.count_proposal_votes(
                session, constitution, proposal_id, actor_id=None, today=today
            )
            session.commit()
        except Exception as error:
            errors.append(error)
        finally:
            session.close()

    at_the_same_moment(count, ids)
    return errors


def remove_the_race(connection) -> None:
    """Every row the race made, in the order the foreign keys allow."""
    for model in (YouthVote, YouthLedgerEntry, YouthProposal, YouthBudgetYear, YouthMember):
        connection.execute(delete(model))
    connection.execute(delete(StoredFile))
    connection.execute(delete(RoleGrant))
    connection.execute(delete(Account).where(Account.email == RACER_EMAIL))
    connection.execute(delete(AuditEntry))
