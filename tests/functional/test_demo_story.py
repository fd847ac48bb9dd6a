"""The demo tells the whole story: loaded as `make run` loads it, every lifecycle in it can be
walked to its end by the person whose step it is. The board election's poll has closed: the
scrutineer opens the box and counts, the returning officer declares, and the retiring directors'
terms end as the winners take their seats. Minutes wait at every step: the secretary records
the approval of circulated minutes and circulates a draft, the chair signs approved ones. The
Youth Forum's open vote is current: a member votes and the youth worker counts."""

import re
from datetime import date, time, timedelta

import pytest
from sqlalchemy import select

from tests.conftest import choose, log_in
from tests.elections_setup import TEST_SECRET
from tmo.demo import DEMO_PASSWORD, DEMO_SEALING_PHRASE, load_demo
from tmo.demo.board import DAYS_TO_THE_AGM
from tmo.demo.clock import in_london
from tmo.models.accounts import Account
from tmo.models.board import Directorship
from tmo.models.elections import Election
from tmo.models.meetings import Body, Meeting
from tmo.models.youth import YouthMember, YouthProposal, YouthVote
from tmo.rules import meetings as meeting_rules
from tmo.rules.youth import ProposalStatus

DAY = date(2027, 3, 15)


@pytest.fixture
def demo(testapp, dbsession, clock):
    """The demo dated DAY, browsed at noon that day."""
    clock.set(in_london(DAY, time(12, 0)))
    assert load_demo(dbsession, DAY, secret=TEST_SECRET) is True
    dbsession.commit()
    return testapp


def as_demo(testapp, email: str) -> None:
    testapp.reset()
    log_in(testapp, email, DEMO_PASSWORD)


def form_to(page, path: str):
    """The form on ``page`` that posts to ``path``."""
    return next(form for form in page.forms.values() if form.action.endswith(path))


def flash(page) -> str:
    return " ".join(p.get_text(" ", strip=True) for p in page.html.select(".notification p"))


def retiring_directors(dbsession) -> list[str]:
    """The resident directors serving on DAY whose terms end at the next AGM."""
    due = DAY + timedelta(days=DAYS_TO_THE_AGM)
    terms = dbsession.scalars(
        select(Directorship).where(
            Directorship.seat_category == "resident",
            Directorship.end_date == due,
            Directorship.ended_on.is_(None),
        )
    ).all()
    return sorted(term.director.name for term in terms)


def test_the_demo_election_is_counted_and_declared_and_the_retiring_terms_end(demo, dbsession):
    election = dbsession.scalars(select(Election)).one()
    retiring = retiring_directors(dbsession)
    assert len(retiring) == election.seats == 3
    assert "Chris Walsh" not in retiring and "Dana Kowalski" not in retiring
    public = demo.get(f"/elections/{election.id}")
    assert "Poll closed" in public.text

    as_demo(demo, "scrutineer@example.org")
    manage = demo.get(f"/returning-officer/elections/{election.id}")
    form = manage.click("Open the ballot box and count the votes").forms["form"]
    form["phrase"] = DEMO_SEALING_PHRASE
    counted = form.submit("submit").follow()
    assert "The ballot box is opened and the votes are counted." in flash(counted)

    as_demo(demo, "returning.officer@example.org")
    manage = demo.get(f"/returning-officer/elections/{election.id}")
    declared = manage.forms["move-declare"].submit().follow()
    message = flash(declared)
    assert "The result is declared:" in message
    winners = message.split("The result is declared: ")[1].split(" elected.")[0]

    elected = winners.replace(" and ", ", ").split(", ")
    assert len(elected) == 3
    # The winners sit from today for three years; the retiring directors not re-elected have
    # left the board.
    board = demo.get("/board").html
    rows = {
        cells[1]: cells[2:]
        for row in board.select("tbody tr")
        if len(cells := [td.get_text(strip=True) for td in row.select("td")]) == 4
    }
    for name in elected:
        assert "15 March 2027 to 15 March 2030" in rows[name], name
    for name in set(retiring) - set(elected):
        assert name not in rows
    assert "Chris Walsh" in rows and "Dana Kowalski" in rows
    dbsession.expire_all()
    ended = dbsession.scalars(
        select(Directorship).where(Directorship.end_reason == "retired")
    ).all()
    assert sorted(term.director.name for term in ended) == retiring
    assert {term.ended_on for term in ended} == {DAY}
    # The winners hold the retiring seats; a retiring director re-elected keeps their own.
    seats_before = {term.director.name: term.seat_number for term in ended}
    new_terms = dbsession.scalars(select(Directorship).where(Directorship.start_date == DAY)).all()
    seats_after = {term.director.name: term.seat_number for term in new_terms}
    assert sorted(seats_after.values()) == sorted(seats_before.values())
    re_elected = set(seats_before) & set(seats_after)
    assert re_elected  # the demo's count re-elects a retiring director
    for name in re_elected:
        assert seats_after[name] == seats_before[name], name


def meetings_of(dbsession, body_name: str) -> list[Meeting]:
    return dbsession.scalars(
        select(Meeting)
        .join(Body)
        .where(Body.name == body_name, Meeting.cancelled_at.is_(None))
        .order_by(Meeting.starts_at)
    ).all()


def test_the_demo_minutes_are_approved_circulated_and_signed(demo, dbsession):
    *_, before, yesterday = meetings_of(dbsession, "Finance and Audit Committee")
    assert yesterday.starts_at == in_london(DAY - timedelta(days=1), time(19, 0))
    assert (before.minutes_state, yesterday.minutes_state) == ("circulated", "draft")
    board = [m for m in meetings_of(dbsession, "The board") if m.starts_at < yesterday.starts_at]
    approved = board[-2]
    assert (approved.minutes_state, board[-1].minutes_state) == ("approved", "circulated")
    item = next(i for i in yesterday.items if i.kind == meeting_rules.LAST_MINUTES_ITEM)
    item_id, yesterday_id = item.id, yesterday.id
    to_sign = [before.id, approved.id]

    # The secretary records, at yesterday's meeting, that the minutes before are a true record.
    as_demo(demo, "secretary@example.org")
    run = demo.get(f"/secretary/meetings/{yesterday_id}")
    item_page = run.click(href=f"/secretary/meetings/items/{item_id}$")
    page = form_to(item_page, f"/items/{item_id}/approve-minutes").submit().follow()
    assert "The minutes of the last meeting are approved as a true record." in flash(page)

    # Then circulates yesterday's draft minutes.
    run = demo.get(f"/secretary/meetings/{yesterday_id}")
    page = form_to(run, f"/secretary/meetings/{yesterday_id}/circulate").submit().follow()
    assert "The draft minutes have been circulated to the members" in flash(page)

    # The chair signs both approved minutes: the committee's and the board's.
    as_demo(demo, "chair@example.org")
    for meeting_id in to_sign:
        record = demo.get(f"/meetings/{meeting_id}/record")
        form = record.click("Sign the minutes").forms["form"]
        form["confirm"] = True
        signed = form.submit("submit").follow()
        assert "The minutes are signed and published." in flash(signed)
        assert "Signed by the chair, Chris Walsh" in signed.text

    as_demo(demo, "secretary@example.org")
    run = demo.get(f"/secretary/meetings/{yesterday_id}")
    assert "Circulated to the members" in demo.get(f"/meetings/{yesterday_id}/record").text
    assert "Circulate the draft minutes" not in run.text


def test_the_demo_youth_vote_is_open_voted_on_and_counted(demo, dbsession):
    proposal = dbsession.scalars(
        select(YouthProposal).where(YouthProposal.status == ProposalStatus.VOTING)
    ).one()
    assert proposal.vote_opened_on <= DAY < proposal.vote_closes_on
    voted = set(
        dbsession.scalars(select(YouthVote.member_id).where(YouthVote.proposal_id == proposal.id))
    )
    voters = dbsession.scalars(
        select(Account.email)
        .join(YouthMember, YouthMember.account_id == Account.id)
        .where(YouthMember.id.not_in(voted), YouthMember.status == "approved")
        .order_by(Account.id)
    ).all()
    assert voters
    proposal_id, closes = proposal.id, proposal.vote_closes_on

    # Every forum member who has not voted votes, so the vote can be counted before it closes.
    for email in voters:
        as_demo(demo, email)
        page = demo.get(f"/youth/proposals/{proposal_id}/vote")
        assert f"Voting closes on {closes:%-d %B %Y}" in page.text
        form = page.forms["form"]
        choose(form, "for")
        page = form.submit("submit").follow()
        assert "Your vote is in. Thank you!" in flash(page)

    # Everyone who may vote has voted: the vote counted itself, and the youth worker sees it.
    as_demo(demo, "youth.worker@example.org")
    page = demo.get(f"/youth/proposals/{proposal_id}")
    assert re.search(r"\d+ for, 0 against", page.text)
    dbsession.expire_all()
    assert dbsession.get(YouthProposal, proposal_id).status != ProposalStatus.VOTING
