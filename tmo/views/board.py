"""Board pages: the public roster and register of interests; the secretary's board (seats,
vacancies, warnings, retirements), appointments, ends of terms; directors' declarations."""

import csv
import io
from datetime import date

from pyramid.httpexceptions import HTTPNotFound
from pyramid.response import Response
from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.view import view_config
from sqlalchemy import select

from tmo.forms import FormPage, form_page
from tmo.models.board import Director, Directorship
from tmo.models.membership import Member
from tmo.permissions import Permission
from tmo.rules.board import END_REASONS, FILLED_BY_HOW, HOW_HELD, Seat
from tmo.schemas.board import (
    NEW_PERSON,
    DeclarationSchema,
    EndTermSchema,
    appointment_schema,
)
from tmo.services import board, meetings
from tmo.services.board import INTEREST_KINDS

READ = ("GET", "HEAD")


def term_dates(directorship: Directorship) -> str:
    if directorship.end_date is None:
        return f"since {directorship.start_date:%-d %B %Y}, while in office"
    return f"{directorship.start_date:%-d %B %Y} to {directorship.end_date:%-d %B %Y}"


@view_config(
    route_name="board",
    renderer="board/roster.jinja2",
    request_method=READ,
    permission=NO_PERMISSION_REQUIRED,
)
def roster(request):
    return {
        "rows": board.roster(request.dbsession, request.constitution, date.today()),
        "how_held": HOW_HELD,
        "term_dates": term_dates,
    }


@view_config(route_name="board_csv", request_method=READ, permission=NO_PERMISSION_REQUIRED)
def roster_csv(request):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["category", "seat", "name", "how_held", "term_start", "term_end"])
    for row in board.roster(request.dbsession, request.constitution, date.today()):
        held = row.directorship
        writer.writerow(
            [
                row.category_name,
                row.seat.number,
                held.director.name if held else "Vacant",
                HOW_HELD[held.how] if held else "",
                held.start_date.isoformat() if held else "",
                held.end_date.isoformat() if held and held.end_date else "",
            ]
        )
    response = Response(out.getvalue(), content_type="text/csv", charset="utf-8")
    response.content_disposition = 'attachment; filename="board.csv"'
    return response


@view_config(
    route_name="board_interests",
    renderer="board/interests.jinja2",
    request_method=READ,
    permission=NO_PERMISSION_REQUIRED,
)
def interests(request):
    today = date.today()
    directors = board.serving_directors(request.dbsession, today)
    return {
        "directors": directors,
        "kinds": dict(INTEREST_KINDS),
        "due": {d.id: board.renewal_due(d, request.constitution, today) for d in directors},
    }


@view_config(
    route_name="board_manage",
    renderer="board/manage.jinja2",
    request_method=READ,
    permission=Permission.BOARD_MANAGE,
)
def manage(request):
    today = date.today()
    agm = parse_date(request.params.get("agm")) or board.next_elected_end(request.dbsession, today)
    history = sorted(
        board.all_directorships(request.dbsession),
        key=lambda d: (d.seat_category, d.seat_number, d.start_date),
    )
    return {
        "rows": board.roster(request.dbsession, request.constitution, today),
        "warnings": board.warnings(request.dbsession, request.constitution, today),
        "absences": meetings.board_absences(request.dbsession, request.constitution, request.now),
        "agm": agm,
        "retiring": board.retiring(request.dbsession, agm, today) if agm else [],
        "history": history,
        "how_held": HOW_HELD,
        "end_reasons": END_REASONS,
        "term_dates": term_dates,
        "today": today,
    }


def parse_date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def seat_key(seat: Seat) -> str:
    return f"{seat.category}:{seat.number}"


@form_page("board_appoint", "board/appoint.jinja2", Permission.BOARD_MANAGE)
class AppointPage(FormPage):
    submit_label = "Appoint"

    def seat_choices(self):
        rows = board.roster(self.request.dbsession, self.request.constitution, date.today())
        return [
            (
                seat_key(row.seat),
                f"{row.category_name} seat {row.seat.number}: "
                + ("vacant" if row.vacant else f"held by {row.directorship.director.name}"),
            )
            for row in rows
        ]

    def make_schema(self):
        dbsession = self.request.dbsession
        directors = dbsession.scalars(select(Director).order_by(Director.name)).all()
        members = dbsession.scalars(
            select(Member).where(Member.ceased_on.is_(None)).order_by(Member.name)
        ).all()
        return appointment_schema(self.seat_choices(), directors, members).bind(
            request=self.request
        )

    def initial(self):
        params = self.request.params
        seat = params.get("seat", "")
        values = {
            "seat": seat,
            "director": params.get("director", NEW_PERSON),
            "start": parse_date(params.get("start")) or date.today(),
        }
        category = seat.partition(":")[0]
        if category in {c.key for c in self.request.constitution.board.seat_categories}:
            # A seat's category says how it is normally filled.
            filled_by = self.request.constitution.seat_category(category).filled_by
            values["how"] = FILLED_BY_HOW[filled_by]
        return values

    def person(self, appstruct) -> Director:
        dbsession = self.request.dbsession
        if appstruct["director"] == NEW_PERSON:
            director = Director(name=appstruct["name"], date_of_birth=appstruct["date_of_birth"])
            dbsession.add(director)
        else:
            director = dbsession.get(Director, int(appstruct["director"]))
        member = appstruct["member"]
        if member:
            director.member_id = int(member)
            director.member = dbsession.get(Member, int(member))
        for flag in (
            "is_employee",
            "is_paid_contractor",
            "is_disqualified",
            "has_serious_arrears",
            "council_associated",
        ):
            setattr(director, flag, appstruct[flag])
        return director

    def succeed(self, form, appstruct):
        category, number = appstruct["seat"].split(":")
        try:
            appointed = board.appoint(
                self.request.dbsession,
                self.request.constitution,
                director=self.person(appstruct),
                seat=Seat(category, int(number)),
                how=appstruct["how"],
                start=appstruct["start"],
                actor_id=self.request.account.id,
                nomination_date=appstruct["nomination_date"],
                decision_reference=appstruct["decision_reference"],
                next_agm=appstruct["next_agm"],
            )
        except board.BoardError as refusal:
            # Nothing of the refused appointment (a new person, say) may be kept.
            self.request.tm.doom()
            return self.refuse(form, " ".join(refusal.problems), "seat")
        held = appointed.directorship
        self.request.session.flash(
            f"{held.director.name} holds the seat {term_dates(held)}.", "success"
        )
        if appointed.council_influence is not None:
            self.request.session.flash(
                board.council_influence_warning(
                    appointed.council_influence,
                    self.request.constitution.board.council_influence_percent,
                ),
                "success",
            )
        return self.redirect("board_manage")


@form_page("board_term_end", "board/end.jinja2", Permission.BOARD_MANAGE)
class EndTermPage(FormPage):
    schema = EndTermSchema
    submit_label = "End the term"

    def __init__(self, context, request):
        super().__init__(context, request)
        self.directorship = request.dbsession.get(Directorship, int(request.matchdict["term_id"]))
        if self.directorship is None:
            raise HTTPNotFound()

    def initial(self):
        return {"on": date.today()}

    def extra(self):
        return {"directorship": self.directorship, "term_dates": term_dates}

    def succeed(self, form, appstruct):
        try:
            board.end_term(
                self.request.dbsession,
                self.directorship,
                on=appstruct["on"],
                reason=appstruct["reason"],
                note=appstruct["note"],
                actor_id=self.request.account.id,
            )
        except board.BoardError as refusal:
            return self.refuse(form, " ".join(refusal.problems), "on")
        return self.redirect(
            "board_manage", f"The term of {self.directorship.director.name} has ended."
        )


@form_page("board_director", "board/director.jinja2", Permission.BOARD_MANAGE)
class DirectorPage(FormPage):
    """A director's terms and declarations; the secretary records a declaration for them."""

    schema = DeclarationSchema
    submit_label = "Record the declaration"

    def __init__(self, context, request):
        super().__init__(context, request)
        self.director = request.dbsession.get(Director, int(request.matchdict["director_id"]))
        if self.director is None:
            raise HTTPNotFound()

    def extra(self):
        return {
            "director": self.director,
            "kinds": dict(INTEREST_KINDS),
            "how_held": HOW_HELD,
            "term_dates": term_dates,
            "due": board.renewal_due(self.director, self.request.constitution, date.today()),
        }

    def succeed(self, form, appstruct):
        board.declare_interest(
            self.request.dbsession,
            self.director,
            kind=appstruct["kind"],
            description=appstruct["description"],
            from_date=appstruct["from_date"],
            to_date=appstruct["to_date"],
            actor_id=self.request.account.id,
        )
        return self.declared()

    def declared(self):
        return self.redirect(
            "board_director", "The declaration is recorded.", director_id=self.director.id
        )


@form_page("board_my_interests", "board/my_interests.jinja2", Permission.BOARD_INTERESTS_DECLARE)
class MyInterestsPage(DirectorPage):
    """A director declares their own interests."""

    def __init__(self, context, request):
        FormPage.__init__(self, context, request)
        self.director = request.dbsession.scalar(
            select(Director).where(Director.account_id == request.account.id)
        )
        if self.director is None:
            raise HTTPNotFound()

    def declared(self):
        return self.redirect("board_my_interests", "Your declaration is recorded.")
