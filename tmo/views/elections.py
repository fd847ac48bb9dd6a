"""Election pages: the public list, each election's page and its declared result; members
nominating, supporting and consenting; the ballot, its review and the receipt; and the returning
officer's pages, which the election's scrutineer may read but not change.

No page shows a per-candidate figure before the poll closes: the result, the ballots and their
export exist only from the close (``elections.ballots_published``) or the count
(``elections.result_visible``), and every route checks it.
"""

import colander
from pyramid.httpexceptions import HTTPForbidden, HTTPNotFound
from pyramid.renderers import render_to_response
from pyramid.response import Response
from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.view import view_config
from sqlalchemy import select

from tmo.constitution import ELECTION_METHODS
from tmo.forms import FormPage, form_page
from tmo.models.accounts import Account, RoleGrant
from tmo.models.elections import Ballot, Candidate, Election, Supporter
from tmo.models.membership import Member
from tmo.permissions import Permission, Role
from tmo.rules.elections import STATUS_LABELS, Status, whole_number
from tmo.schemas.elections import (
    NOBODY,
    CancelSchema,
    DecisionSchema,
    PaperBatchSchema,
    consent_schema,
    election_schema,
    nomination_schema,
)
from tmo.schemas.files import read_upload
from tmo.services import elections, files
from tmo.services.elections import ElectionError
from tmo.services.mail import deliver, prepare_mail, send_mail
from tmo.services.paging import page_number, paginate
from tmo.services.pdf import pdf_response, render_pdf
from tmo.services.register_search import member_number
from tmo.templating import london

READ = ("GET", "HEAD")


def today():
    return elections.london_day(elections.now_utc())


METHOD_LABELS = dict(ELECTION_METHODS)
SUPPORT_VERBS = {"proposer": "propose", "seconder": "second"}


def election_from(request) -> Election:
    election = request.dbsession.get(Election, int(request.matchdict["election_id"]))
    if election is None:
        raise HTTPNotFound()
    return election


def public_election(request) -> Election:
    """An election anyone may see: every one but those still being set up."""
    election = election_from(request)
    if election.status is Status.DRAFT and not observes(request, election):
        raise HTTPNotFound()
    return election


def candidate_from(request, election: Election) -> Candidate:
    candidate = request.dbsession.get(Candidate, int(request.matchdict["candidate_id"]))
    if candidate is None or candidate.election_id != election.id:
        raise HTTPNotFound()
    return candidate


def observes(request, election: Election) -> bool:
    account = request.account
    return account is not None and account.id in (
        election.returning_officer_id,
        election.scrutineer_id,
    )


def runs(request, election: Election) -> bool:
    account = request.account
    return account is not None and account.id == election.returning_officer_id


def require_returning_officer(request, election: Election) -> None:
    if not runs(request, election):
        raise HTTPForbidden()


def my_member(request) -> Member | None:
    account = request.account
    return elections.member_for_account(request.dbsession, account.id if account else None)


def require_member(request) -> Member:
    member = my_member(request)
    if member is None:
        raise HTTPForbidden()
    return member


def timeline_rows(election: Election) -> list[tuple[str, str]]:
    return [
        ("Notice of election", f"{election.notice_on:%-d %B %Y}"),
        ("Nominations open", london(election.nominations_open_at)),
        ("Nominations close", london(election.nominations_close_at)),
        ("Poll opens", london(election.poll_opens_at)),
        ("Poll closes", london(election.poll_closes_at)),
    ]


def common(request, election: Election) -> dict:
    now = elections.now_utc()
    return {
        "election": election,
        "status": elections.status_of(election, now),
        "status_labels": STATUS_LABELS,
        "method_label": METHOD_LABELS.get(election.method, election.method),
        "timeline": timeline_rows,
        "Status": Status,
    }


# Public pages -------------------------------------------------------------------------------------


@view_config(
    route_name="elections",
    renderer="elections/list.jinja2",
    request_method=READ,
    permission=NO_PERMISSION_REQUIRED,
)
def election_list(request):
    query = (
        select(Election)
        .where(Election.status != Status.DRAFT)
        .order_by(Election.poll_opens_at.desc(), Election.id.desc())
    )
    now = elections.now_utc()
    page = paginate(request.dbsession, query, page_number(request.params.get("page")))
    return {
        "page": page,
        "status_of": lambda election: elections.status_of(election, now),
        "status_labels": STATUS_LABELS,
    }


@view_config(
    route_name="election",
    renderer="elections/election.jinja2",
    request_method=READ,
    permission=NO_PERMISSION_REQUIRED,
)
def election_page(request):
    election = public_election(request)
    dbsession = request.dbsession
    now = elections.now_utc()
    member = my_member(request)
    candidates = elections.surname_order(elections.accepted(election))
    mine = []
    supporting = []
    if member is not None:
        mine = [c for c in election.candidates if c.member_id == member.id]
        supporting = dbsession.scalars(
            select(Supporter)
            .join(Candidate)
            .where(Candidate.election_id == election.id, Supporter.member_id == member.id)
        ).all()
    entry = elections.roll_entry(dbsession, election, member)
    voted = entry is not None and entry.voted
    return {
        **common(request, election),
        "candidates": candidates,
        "member": member,
        "mine": mine,
        "supporting": supporting,
        "nominating": member is not None and elections.nominations_open(election, now),
        "can_vote": entry is not None and not voted and elections.accepting(election),
        "voted": voted,
        "turnout": elections.turnout(dbsession, election) if election.roll_frozen_on else None,
        "published": elections.ballots_published(election, now),
        "result_visible": elections.result_visible(
            election, request.account.id if request.account else None
        ),
        "observes": observes(request, election),
    }


@view_config(
    route_name="election_candidate_photo", request_method=READ, permission=NO_PERMISSION_REQUIRED
)
def candidate_photo(request):
    election = public_election(request)
    candidate = candidate_from(request, election)
    member = my_member(request)
    own = member is not None and candidate.member_id == member.id
    if candidate.photo is None or not (candidate.status == "accepted" or own):
        raise HTTPNotFound()
    return files.download(candidate.photo, inline=True)


def result_values(request, election: Election) -> dict:
    """The count as it was recorded when it was made (never a fresh recount)."""
    if not elections.result_visible(election, request.account.id if request.account else None):
        raise HTTPNotFound()
    count = elections.recorded_count(election)
    return {
        **common(request, election),
        "count": count,
        "result": count.result,
        "names": count.names,
        "shown": sorted(count.result.stages[0].totals) if count.result else [],
        "turnout": elections.turnout(request.dbsession, election),
    }


@view_config(
    route_name="election_result",
    renderer="elections/result.jinja2",
    request_method=READ,
    permission=NO_PERMISSION_REQUIRED,
)
def result_page(request):
    return result_values(request, election_from(request))


@view_config(
    route_name="election_result_pdf", request_method=READ, permission=NO_PERMISSION_REQUIRED
)
def result_pdf(request):
    election = election_from(request)
    values = result_values(request, election)
    pdf = render_pdf("tmo:templates/elections/result_pdf.jinja2", values, request)
    return pdf_response(pdf, f"election-{election.id}-result.pdf")


def published_election(request) -> Election:
    election = public_election(request)
    if not elections.ballots_published(election, elections.now_utc()):
        raise HTTPNotFound()
    return election


@view_config(
    route_name="election_ballots",
    renderer="elections/ballots.jinja2",
    request_method=READ,
    permission=NO_PERMISSION_REQUIRED,
)
def ballots_page(request):
    """Every receipt, in the order of the codes (not the order the ballots arrived in)."""
    election = published_election(request)
    query = select(Ballot.receipt).where(Ballot.election_id == election.id).order_by(Ballot.receipt)
    search = request.params.get("receipt", "").strip().upper()
    if search:
        query = query.where(Ballot.receipt == search)
    page = paginate(request.dbsession, query, page_number(request.params.get("page")), 200)
    return {
        **common(request, election),
        "page": page,
        "search": search,
        "found": bool(search) and page.total > 0,
    }


@view_config(route_name="election_export", request_method=READ, permission=NO_PERMISSION_REQUIRED)
def export(request):
    election = published_election(request)
    expected = "csv" if election.method == "block" else "blt"
    if request.matchdict["format"] != expected:
        raise HTTPNotFound()
    ballots, _ = elections.chain(request.dbsession, election)
    filename, text = elections.export(election, ballots)
    content_type = "text/csv" if expected == "csv" else "text/plain"
    response = Response(text, content_type=content_type, charset="utf-8")
    response.content_disposition = f'attachment; filename="{filename}"'
    return response


# Nominations --------------------------------------------------------------------------------------


@form_page("election_nominate", "elections/nominate.jinja2", Permission.ELECTIONS_TAKE_PART)
class NominatePage(FormPage):
    submit_label = "Send the nomination"

    def __init__(self, context, request):
        super().__init__(context, request)
        self.election = public_election(request)
        self.member = require_member(request)

    def make_schema(self):
        rules = self.request.constitution.elections
        return nomination_schema(rules.proposers_required, rules.seconders_required).bind(
            request=self.request
        )

    def extra(self):
        return {
            **common(self.request, self.election),
            "open": elections.nominations_open(self.election, elections.now_utc()),
        }

    def find(self, form, field: str, number: str) -> Member:
        member = self.request.dbsession.scalar(
            select(Member).where(
                Member.member_number == member_number(number), Member.ceased_on.is_(None)
            )
        )
        if member is None:
            raise ElectionError(f"There is no current member numbered {number}.", field)
        return member

    def succeed(self, form, appstruct):
        rules = self.request.constitution.elections
        try:
            candidate = (
                self.find(form, "candidate", appstruct["candidate"])
                if appstruct["candidate"]
                else self.member
            )
            proposers = [
                self.find(form, f"proposer_{n}", appstruct[f"proposer_{n}"])
                for n in range(1, rules.proposers_required + 1)
            ]
            seconders = [
                self.find(form, f"seconder_{n}", appstruct[f"seconder_{n}"])
                for n in range(1, rules.seconders_required + 1)
            ]
            nomination = elections.nominate(
                self.request.dbsession,
                self.request.constitution,
                self.election,
                nominator=self.member,
                candidate=candidate,
                proposers=proposers,
                seconders=seconders,
                now=elections.now_utc(),
            )
        except ElectionError as refused:
            field = refused.field
            if field in ("proposer", "seconder"):
                field = f"{field}_1"
            if field not in form.schema:
                field = None
            return self.refuse(form, str(refused), field)
        self.tell_the_people_involved(nomination)
        return self.redirect(
            "election_nomination",
            f"The nomination of {nomination.name} is sent. It goes to the returning officer "
            "once everyone named has confirmed.",
            election_id=self.election.id,
            candidate_id=nomination.id,
        )

    def tell_the_people_involved(self, nomination: Candidate) -> None:
        link = self.request.route_url(
            "election_nomination", election_id=self.election.id, candidate_id=nomination.id
        )
        people = [(nomination.member, "candidate")] + [
            (s.member, s.role) for s in nomination.supporters if s.confirmed_at is None
        ]
        for person, role in people:
            if role == "candidate" and nomination.consented_at is not None:
                continue
            email = elections.email_of(person)
            if email:
                send_mail(
                    self.request,
                    email,
                    "election_nomination",
                    election=self.election,
                    nomination=nomination,
                    role=role,
                    name=person.name,
                    link=link,
                )


def involved(candidate: Candidate, member: Member | None) -> bool:
    if member is None:
        return False
    return member.id in (
        candidate.member_id,
        candidate.nominated_by_id,
        *(s.member_id for s in candidate.supporters),
    )


@view_config(
    route_name="election_nomination",
    renderer="elections/nomination.jinja2",
    request_method=READ,
    permission=Permission.ELECTIONS_TAKE_PART,
)
def nomination_page(request):
    election = public_election(request)
    candidate = candidate_from(request, election)
    member = my_member(request)
    if not involved(candidate, member):
        raise HTTPNotFound()
    return {
        **common(request, election),
        "candidate": candidate,
        "member": member,
        "open": elections.nominations_open(election, elections.now_utc()),
        "missing": elections.complete(candidate),
        "word_limit": request.constitution.elections.statement_word_limit,
    }


def back_to_nomination(request, election, candidate, message, queue="success"):
    request.session.flash(message, queue)
    return Response(
        status=303,
        location=request.route_url(
            "election_nomination", election_id=election.id, candidate_id=candidate.id
        ),
    )


@view_config(
    route_name="election_support",
    request_method="POST",
    permission=Permission.ELECTIONS_TAKE_PART,
)
def confirm_support(request):
    election = public_election(request)
    candidate = candidate_from(request, election)
    member = require_member(request)
    supporter = next((s for s in candidate.supporters if s.member_id == member.id), None)
    if supporter is None:
        raise HTTPNotFound()
    try:
        elections.confirm_support(request.dbsession, supporter, elections.now_utc())
    except ElectionError as refused:
        return back_to_nomination(request, election, candidate, str(refused), "warning")
    return back_to_nomination(
        request,
        election,
        candidate,
        f"You have confirmed that you {SUPPORT_VERBS[supporter.role]} {candidate.name}'s "
        "nomination.",
    )


@view_config(
    route_name="election_withdraw",
    request_method="POST",
    permission=Permission.ELECTIONS_TAKE_PART,
)
def withdraw(request):
    election = public_election(request)
    candidate = candidate_from(request, election)
    member = require_member(request)
    if candidate.member_id != member.id:
        raise HTTPForbidden()
    try:
        elections.withdraw(request.dbsession, candidate, request.account.id, elections.now_utc())
    except ElectionError as refused:
        return back_to_nomination(request, election, candidate, str(refused), "warning")
    return back_to_nomination(request, election, candidate, "You have withdrawn as a candidate.")


@form_page("election_consent", "elections/consent.jinja2", Permission.ELECTIONS_TAKE_PART)
class ConsentPage(FormPage):
    submit_label = "Consent and save my statement"

    def __init__(self, context, request):
        super().__init__(context, request)
        self.election = public_election(request)
        self.candidate = candidate_from(request, self.election)
        member = require_member(request)
        if self.candidate.member_id != member.id:
            raise HTTPForbidden()

    def make_schema(self):
        rules = self.request.constitution.elections
        needs = self.candidate.member.date_of_birth is None
        return consent_schema(rules.statement_word_limit, self.photo_maximum_bytes(), needs).bind(
            request=self.request
        )

    def photo_maximum_bytes(self) -> int:
        return self.request.constitution.elections.photo_maximum_mb * files.MEGABYTE

    def initial(self):
        return {
            "statement": self.candidate.statement,
            "consent": self.candidate.consented_at is not None,
        }

    def extra(self):
        return {**common(self.request, self.election), "candidate": self.candidate}

    def succeed(self, form, appstruct):
        dbsession = self.request.dbsession
        photo_id = None
        try:
            upload = appstruct["photo"]
            if upload:
                photo_id = files.store(
                    dbsession,
                    read_upload(upload, self.photo_maximum_bytes()),
                    upload.get("filename") or "photo",
                    kinds=files.IMAGES,
                    maximum_bytes=self.photo_maximum_bytes(),
                    actor_id=self.request.account.id,
                ).id
            elections.consent(
                dbsession,
                self.request.constitution,
                self.candidate,
                statement=appstruct["statement"],
                photo_id=photo_id,
                now=elections.now_utc(),
                date_of_birth=appstruct.get("date_of_birth"),
            )
        except (ElectionError, files.FileRefused) as refused:
            self.request.tm.doom()
            return self.refuse(form, str(refused), getattr(refused, "field", None) or "photo")
        return self.redirect(
            "election_nomination",
            "Your consent and statement are saved.",
            election_id=self.election.id,
            candidate_id=self.candidate.id,
        )


# The ballot ---------------------------------------------------------------------------------------


def ballot_state(request, election: Election) -> tuple[Member, list[Candidate], bool]:
    """The voter, their ballot paper and whether they have voted; refuses anyone not on the
    roll."""
    member = require_member(request)
    entry = elections.roll_entry(request.dbsession, election, member)
    if entry is None:
        raise HTTPForbidden()
    return member, elections.ballot_paper(election, member), entry.voted


def open_ballot(request):
    """(election, paper, refusal) for the ballot pages: the refusal is the page to answer with
    when the voter has voted or the poll is not open, else None."""
    election = public_election(request)
    _, paper, voted = ballot_state(request, election)
    if voted:
        return election, paper, already_voted(request, election)
    if not elections.accepting(election):
        return election, paper, refuse_closed(request, election, paper)
    return election, paper, None


def submitted_choices(request, election: Election, paper: list[Candidate]) -> dict:
    """What the voter marked, as the ballot form sent it (kept to show again on an error)."""
    if election.method == "block":
        ticked = set(request.POST.getall("candidate"))
        return {"ticked": ticked}
    return {
        "numbers": {c.id: request.POST.get(f"rank-{c.id}", "").strip() for c in paper},
    }


def judge(election: Election, choices: dict) -> tuple[int, ...]:
    """The preferences a ballot form expresses, or ElectionError saying what to put right."""
    if election.method == "block":
        marked = [whole_number(value) for value in choices["ticked"]]
        if None in marked:
            raise ElectionError("Choose only candidates on this ballot.")
        return elections.validate_ballot(election, marked=sorted(marked))
    numbers = {}
    for candidate_id, text in choices["numbers"].items():
        if not text:
            continue
        number = whole_number(text)
        if number is None:
            raise ElectionError(f"“{text[:20]}” is not a number: use 1, 2, 3 and so on.")
        numbers[candidate_id] = number
    return elections.validate_ballot(election, numbers=numbers)


def ballot_values(request, election, paper, choices=None, error=None, status=None) -> dict:
    if status is not None:
        request.response.status = status
    return {
        **common(request, election),
        "paper": paper,
        "choices": choices or {"ticked": set(), "numbers": {}},
        "error": error,
        "form_failed": error is not None,
        "seats": election.seats,
        "closed": False,
    }


def refuse_closed(request, election, paper):
    request.override_renderer = "elections/ballot.jinja2"
    return ballot_values(request, election, paper, error="The poll is not open.", status=409) | {
        "closed": True
    }


@view_config(
    route_name="election_ballot",
    renderer="elections/ballot.jinja2",
    request_method=READ,
    permission=Permission.ELECTIONS_TAKE_PART,
)
def ballot(request):
    election, paper, refusal = open_ballot(request)
    return refusal or ballot_values(request, election, paper)


def already_voted(request, election):
    request.response.status = 409
    request.override_renderer = "elections/already_voted.jinja2"
    return common(request, election)


@view_config(
    route_name="election_ballot",
    renderer="elections/ballot.jinja2",
    request_method="POST",
    permission=Permission.ELECTIONS_TAKE_PART,
)
def review(request):
    """Check the ballot and show it back before it is cast; "change" shows the form again."""
    election, paper, refusal = open_ballot(request)
    if refusal is not None:
        return refusal
    choices = submitted_choices(request, election, paper)
    if "change" in request.POST:
        return ballot_values(request, election, paper, choices)
    try:
        preferences = judge(election, choices)
    except ElectionError as refused:
        return ballot_values(request, election, paper, choices, str(refused))
    by_id = {c.id: c for c in paper}
    request.override_renderer = "elections/review.jinja2"
    return {
        **ballot_values(request, election, paper, choices),
        "chosen": [by_id[candidate_id] for candidate_id in preferences],
    }


@view_config(
    route_name="election_cast",
    renderer="elections/receipt.jinja2",
    request_method="POST",
    permission=Permission.ELECTIONS_TAKE_PART,
)
def cast(request):
    """Cast the ballot. The receipt page and email are made before the cast, so that the
    election's lock, taken by the cast and held to the commit, covers only the writes."""
    # The roll is not read first: the cast's own conditional roll mark says whether the member
    # is on it and has not voted (one statement fewer on the busiest path).
    election = public_election(request)
    member = require_member(request)
    paper = elections.ballot_paper(election, member)
    choices = submitted_choices(request, election, paper)
    receipt = elections.receipt_code()
    email = elections.email_of(member)
    message = (
        prepare_mail(
            request,
            email,
            "election_receipt",
            election=election,
            name=member.name,
            receipt=receipt,
            link=request.route_url("election_ballots", election_id=election.id),
        )
        if email
        else None
    )
    page = render_to_response(
        "elections/receipt.jinja2", {**common(request, election), "receipt": receipt}, request
    )
    try:
        preferences = judge(election, choices)
        elections.cast(request.dbsession, election.id, member.id, preferences, receipt)
    except elections.NotOnRoll:
        raise HTTPForbidden() from None
    except elections.AlreadyVoted:
        return already_voted(request, election)
    except ElectionError as refused:
        if not elections.accepting(election):
            return refuse_closed(request, election, paper)
        request.override_renderer = "elections/ballot.jinja2"
        return ballot_values(request, election, paper, choices, str(refused))
    if message is not None:
        deliver(request, message)
    return page


# The returning officer's pages --------------------------------------------------------------------


def accounts_with(dbsession, role: Role) -> list[tuple[str, str]]:
    rows = dbsession.execute(
        select(Account.id, Account.display_name, Account.email)
        .join(RoleGrant, RoleGrant.account_id == Account.id)
        .where(RoleGrant.role == role)
        .order_by(Account.display_name)
    ).all()
    return [(str(row.id), f"{row.display_name} ({row.email})") for row in rows]


@view_config(
    route_name="elections_manage",
    renderer="elections/manage_list.jinja2",
    request_method=READ,
    permission=Permission.ELECTIONS_OBSERVE,
)
def manage_list(request):
    account_id = request.account.id
    query = (
        select(Election)
        .where(
            (Election.returning_officer_id == account_id) | (Election.scrutineer_id == account_id)
        )
        .order_by(Election.id.desc())
    )
    now = elections.now_utc()
    return {
        "page": paginate(request.dbsession, query, page_number(request.params.get("page"))),
        "status_of": lambda election: elections.status_of(election, now),
        "status_labels": STATUS_LABELS,
        "may_run": Permission.ELECTIONS_RUN in request.permissions,
    }


@form_page("election_new", "elections/new.jinja2", Permission.ELECTIONS_RUN)
class NewElectionPage(FormPage):
    submit_label = "Set up the election"

    def make_schema(self):
        constitution = self.request.constitution
        categories = [
            (c.key, f"{c.name} ({c.seats} seats)")
            for c in constitution.board.seat_categories
            if c.filled_by == "election"
        ]
        dbsession = self.request.dbsession
        return election_schema(
            categories,
            accounts_with(dbsession, Role.RETURNING_OFFICER),
            accounts_with(dbsession, Role.SCRUTINEER),
            constitution.elections.method,
        ).bind(request=self.request)

    def initial(self):
        seats, description = elections.seats_falling_due(
            self.request.dbsession, self.request.constitution, "resident", today()
        )
        return {
            "method": self.request.constitution.elections.method,
            "returning_officer": str(self.request.account.id),
            "notice_on": today(),
            "seats": seats or colander.null,
            "seats_description": description,
        }

    def extra(self):
        rules = self.request.constitution.elections
        return {"rules": rules}

    def succeed(self, form, appstruct):
        scrutineer = appstruct["scrutineer"]
        try:
            election = elections.create(
                self.request.dbsession,
                self.request.constitution,
                title=appstruct["title"],
                method=appstruct["method"],
                seats=appstruct["seats"],
                seat_category=appstruct["seat_category"],
                seats_description=appstruct["seats_description"],
                returning_officer_id=int(appstruct["returning_officer"]),
                scrutineer_id=None if scrutineer == NOBODY else int(scrutineer),
                notice_on=appstruct["notice_on"],
                actor_id=self.request.account.id,
            )
        except ElectionError as refused:
            return self.refuse(form, str(refused), refused.field)
        return self.redirect("election_manage", "The election is set up.", election_id=election.id)


@view_config(
    route_name="election_manage",
    renderer="elections/manage.jinja2",
    request_method=READ,
    permission=Permission.ELECTIONS_OBSERVE,
)
def manage(request):
    election = election_from(request)
    if not observes(request, election):
        raise HTTPForbidden()
    now = elections.now_utc()
    # Verifying reads every ballot: done once the poll has closed, not on every look during it.
    closed = elections.closed(election, now) and election.roll_frozen_on is not None
    problems = elections.verify(request.dbsession, election) if closed else None
    return {
        **common(request, election),
        "runs": runs(request, election),
        "moves": elections.moves(election, now),
        "missing": {c.id: elections.complete(c) for c in election.candidates},
        "turnout": elections.turnout(request.dbsession, election)
        if election.roll_frozen_on
        else None,
        "problems": problems,
        "published": elections.ballots_published(election, now),
        "result_visible": elections.result_visible(election, request.account.id),
        "paper": elections.surname_order(elections.accepted(election)),
        "accepting": elections.accepting(election),
    }


@view_config(
    route_name="election_move",
    request_method="POST",
    permission=Permission.ELECTIONS_RUN,
)
def move(request):
    election = election_from(request)
    require_returning_officer(request, election)
    action = request.POST.get("action", "")
    actor = request.account.id
    dbsession = request.dbsession
    try:
        if action not in dict(elections.moves(election, elections.now_utc())):
            raise ElectionError("That step cannot be taken now.")
        if action == "open_nominations":
            elections.open_nominations(dbsession, election, actor)
            message = "Nominations are open."
        elif action == "close_nominations":
            elections.close_nominations(dbsession, election, actor)
            message = "Nominations are closed."
        elif action == "reopen_nominations":
            elections.reopen_nominations(dbsession, request.constitution, election, actor)
            message = "Nominations are open again."
        elif action == "open_poll":
            voters = elections.open_poll(request, election, actor)
            message = (
                f"The roll is frozen: {voters} voters are on it and have been sent the notice."
            )
        elif action == "count":
            elections.count(dbsession, election, actor)
            message = "The votes are counted. Check the result sheet, then declare the result."
        else:
            winners = elections.declare(request, election, actor, today())
            message = "The result is declared: " + ", ".join(c.name for c in winners) + " elected."
    except ElectionError as refused:
        request.tm.doom()
        request.session.flash(str(refused), "warning")
    else:
        request.session.flash(message, "success")
    return Response(
        status=303, location=request.route_url("election_manage", election_id=election.id)
    )


@form_page(
    "election_decide",
    "elections/decide.jinja2",
    Permission.ELECTIONS_OBSERVE,
    post_permission=Permission.ELECTIONS_RUN,
)
class DecidePage(FormPage):
    schema = DecisionSchema
    submit_label = "Record the decision"

    def __init__(self, context, request):
        super().__init__(context, request)
        self.election = election_from(request)
        if not observes(request, self.election):
            raise HTTPForbidden()
        self.candidate = candidate_from(request, self.election)

    def extra(self):
        return {
            **common(self.request, self.election),
            "candidate": self.candidate,
            "runs": runs(self.request, self.election),
            "missing": elections.complete(self.candidate),
            "ineligible": elections.eligibility(self.request.constitution, self.candidate, today()),
        }

    def post(self):
        require_returning_officer(self.request, self.election)
        return super().post()

    def succeed(self, form, appstruct):
        try:
            elections.decide(
                self.request.dbsession,
                self.request.constitution,
                self.candidate,
                accept=appstruct["decision"] == "accept",
                reason=appstruct["reason"],
                actor_id=self.request.account.id,
                now=elections.now_utc(),
            )
        except ElectionError as refused:
            return self.refuse(form, str(refused), refused.field)
        return self.redirect(
            "election_manage",
            f"The nomination of {self.candidate.name} is {self.candidate.status}.",
            election_id=self.election.id,
        )


class ReturningOfficerPage(FormPage):
    def __init__(self, context, request):
        super().__init__(context, request)
        self.election = election_from(request)
        require_returning_officer(request, self.election)

    def extra(self):
        return {
            **common(self.request, self.election),
            "paper": elections.surname_order(elections.accepted(self.election)),
        }


@form_page("election_cancel", "elections/cancel.jinja2", Permission.ELECTIONS_RUN)
class CancelPage(ReturningOfficerPage):
    schema = CancelSchema
    submit_label = "Cancel the election"

    def succeed(self, form, appstruct):
        try:
            elections.cancel(
                self.request.dbsession, self.election, appstruct["reason"], self.request.account.id
            )
        except ElectionError as refused:
            return self.refuse(form, str(refused), "reason")
        return self.redirect(
            "election_manage", "The election is cancelled.", election_id=self.election.id
        )


@form_page("election_paper", "elections/paper.jinja2", Permission.ELECTIONS_RUN)
class PaperBatchPage(ReturningOfficerPage):
    schema = PaperBatchSchema
    submit_label = "Enter the batch"

    def succeed(self, form, appstruct):
        try:
            numbers = []
            for line in appstruct["voters"].splitlines():
                if not line.strip():
                    continue
                number = member_number(line.strip())
                if number is None:
                    raise ElectionError(
                        f"“{line.strip()}” is not a member number (like M000123 or 123).",
                        "voters",
                    )
                numbers.append(number)
            papers = [
                elections.read_paper(self.election, line)
                for line in appstruct["papers"].splitlines()
                if line.strip()
            ]
            entered = elections.enter_paper_batch(
                self.request.dbsession, self.election, numbers, papers, self.request.account.id
            )
        except ElectionError as refused:
            self.request.tm.doom()
            return self.refuse(form, str(refused), refused.field or "papers")
        return self.redirect(
            "election_manage",
            f"{entered} paper ballots entered and their voters marked on the roll.",
            election_id=self.election.id,
        )
