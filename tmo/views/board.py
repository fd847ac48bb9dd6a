"""Board pages: the public roster and register of interests; the secretary's board (seats,
vacancies, warnings, retirements), appointments, ends of terms; directors' declarations."""

from datetime import date

from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.view import view_config

from tmo.constitution import SeatCategoryKey
from tmo.forms import FormPage, act, form_page
from tmo.models.board import Directorship
from tmo.permissions import Permission
from tmo.rules.board import (
    END_REASONS,
    FILLED_BY_HOW,
    HOW_HELD,
    REAPPOINTED,
    Seat,
    ways_of_holding,
)
from tmo.schemas.board import (
    NEW_PERSON,
    DeclarationSchema,
    EndTermSchema,
    appointment_schema,
)
from tmo.services import board, exports, meetings, membership
from tmo.services.board import ELIGIBILITY_FLAGS, INTEREST_LABELS
from tmo.views import READ


def term_dates(directorship: Directorship | board.Holding) -> str:
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
        "rows": board.public_roster(request.dbsession, request.constitution, request.today),
        "how_held": HOW_HELD,
        "term_dates": term_dates,
    }


@view_config(route_name="board_csv", request_method=READ, permission=NO_PERMISSION_REQUIRED)
def roster_csv(request):
    rows = []
    for row in board.public_roster(request.dbsession, request.constitution, request.today):
        held = row.holding
        rows.append(
            [
                row.category_name,
                row.seat.number,
                held.name if held else "Vacant",
                HOW_HELD[held.how] if held else "",
                held.start_date.isoformat() if held else "",
                held.end_date.isoformat() if held and held.end_date else "",
            ]
        )
    header = ["category", "seat", "name", "how_held", "term_start", "term_end"]
    return exports.csv_response("board.csv", header, rows)


@view_config(
    route_name="board_interests",
    renderer="board/interests.jinja2",
    request_method=READ,
    permission=NO_PERMISSION_REQUIRED,
)
def interests(request):
    today = request.today
    directors = board.serving_directors(request.dbsession, today)
    return {
        "directors": directors,
        "kinds": INTEREST_LABELS,
        "due": {d.id: board.renewal_due(d, request.constitution, today) for d in directors},
    }


@view_config(
    route_name="board_manage",
    renderer="board/manage.jinja2",
    request_method=READ,
    permission=Permission.BOARD_MANAGE,
)
def manage(request):
    today = request.today
    agm = parse_date(request.params.get("agm")) or board.next_elected_end(request.dbsession, today)
    return {
        "rows": board.roster(request.dbsession, request.constitution, today),
        "warnings": board.warnings(request.dbsession, request.constitution, today),
        "absences": meetings.board_absences(request.dbsession, request.constitution, request.now),
        "agm": agm,
        "retiring": board.retiring(request.dbsession, agm, today) if agm else [],
        "history": board.terms_by_seat(request.dbsession),
        "how_held": HOW_HELD,
        "reappointed": REAPPOINTED,
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


def seat_named(directorship: Directorship) -> str:
    """'Youth chair seat 1': a term's seat as the secretary's pages name it."""
    category = directorship.seat_category.replace("_", " ").capitalize()
    return f"{category} seat {directorship.seat_number}"


def back_to_the_board(request) -> tuple[str, str]:
    return request.route_url("board_manage"), "Back to the board"


@form_page("board_appoint", "form.jinja2", Permission.BOARD_MANAGE)
class AppointPage(FormPage):
    submit_label = "Appoint"
    heading = "Appoint a director"

    def intro(self):
        return [
            "Every appointment is checked against the constitution: the seat limits, the size of "
            "the board, the resident majority and the person's eligibility."
        ]

    def back(self):
        return back_to_the_board(self.request)

    def seat_choices(self):
        rows = board.roster(self.request.dbsession, self.request.constitution, self.request.today)
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
        return appointment_schema(
            self.seat_choices(),
            board.all_directors(dbsession),
            membership.current_members(dbsession),
            ways_of_holding(self.request.constitution.board),
        ).bind(request=self.request)

    def initial(self):
        params = self.request.params
        seat = params.get("seat", "")
        values = {
            "seat": seat,
            "director": params.get("director", NEW_PERSON),
            "start": parse_date(params.get("start")) or self.request.today,
        }
        category = seat.partition(":")[0]
        if category in {c.key for c in self.request.constitution.board.seat_categories}:
            # A seat's category says how it is normally filled.
            filled_by = self.request.constitution.seat_category(category).filled_by
            values["how"] = FILLED_BY_HOW[filled_by]
        return values

    def succeed(self, form, appstruct):
        category, number = appstruct["seat"].split(":")
        chosen = appstruct["director"]
        director = board.director_to_appoint(
            self.request.dbsession,
            director_id=None if chosen == NEW_PERSON else int(chosen),
            name=appstruct["name"],
            date_of_birth=appstruct["date_of_birth"],
            member_id=int(appstruct["member"]) if appstruct["member"] else None,
            **{flag: appstruct[flag] for flag in ELIGIBILITY_FLAGS},
        )
        appointed = board.appoint(
            self.request.dbsession,
            self.request.constitution,
            director=director,
            seat=Seat(SeatCategoryKey(category), int(number)),
            how=appstruct["how"],
            start=appstruct["start"],
            actor_id=self.request.account.id,
            nomination_date=appstruct["nomination_date"],
            decision_reference=appstruct["decision_reference"],
            next_agm=appstruct["next_agm"],
        )
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


@form_page("board_term_end", "form.jinja2", Permission.BOARD_MANAGE)
class EndTermPage(FormPage):
    schema = EndTermSchema
    submit_label = "End the term"

    @property
    def heading(self):
        return f"End the term of {self.context.directorship.director.name}"

    def intro(self):
        directorship = self.context.directorship
        return [f"{seat_named(directorship)}, {term_dates(directorship)}."]

    def back(self):
        return back_to_the_board(self.request)

    def initial(self):
        return {"on": self.request.today}

    def succeed(self, form, appstruct):
        directorship = self.context.directorship
        board.end_term(
            self.request.dbsession,
            directorship,
            on=appstruct["on"],
            reason=appstruct["reason"],
            note=appstruct["note"],
            actor_id=self.request.account.id,
        )
        return self.redirect("board_manage", f"The term of {directorship.director.name} has ended.")


INTEREST_FIELDS = ("kind", "description", "from_date", "to_date")


def interest_of(appstruct) -> board.Interest:
    """The interest a declaration form describes."""
    return board.Interest(**{name: appstruct[name] for name in INTEREST_FIELDS})


@form_page("board_director", "board/director.jinja2", Permission.BOARD_MANAGE)
class DirectorPage(FormPage):
    """A director's terms and declarations; the secretary records a declaration for them."""

    schema = DeclarationSchema
    submit_label = "Record the declaration"

    @property
    def heading(self):
        return self.context.director.name

    def back(self):
        return back_to_the_board(self.request)

    def extra(self):
        director = self.context.director
        return {
            "director": director,
            "kinds": INTEREST_LABELS,
            "how_held": HOW_HELD,
            "term_dates": term_dates,
            "due": board.renewal_due(director, self.request.constitution, self.request.today),
        }

    def succeed(self, form, appstruct):
        board.declare_interest(
            self.request.dbsession,
            self.context.director,
            interest_of(appstruct),
            actor_id=self.request.account.id,
            today=self.request.today,
        )
        return self.declared()

    def declared(self):
        return self.redirect(
            "board_director", "The declaration is recorded.", director_id=self.context.director.id
        )


@form_page("board_my_interests", "board/my_interests.jinja2", Permission.BOARD_INTERESTS_OWN)
class MyInterestsPage(DirectorPage):
    """A director declares their own interests."""

    heading = "Your declarations of interest"

    def intro(self):
        return [
            "Declare anything a member of the public might think could influence you as a "
            "director. Your declarations are published in the register of interests."
        ]

    def back(self):
        return None

    def declared(self):
        return self.redirect("board_my_interests", "Your declaration is recorded.")

    def extra(self):
        return {**super().extra(), "own": True}


@view_config(
    route_name="board_my_nothing_to_declare",
    request_method="POST",
    permission=Permission.BOARD_INTERESTS_OWN,
)
def nothing_to_declare(context, request):
    def declare_nothing():
        board.declare_nothing(
            request.dbsession, context.director, actor_id=request.account.id, today=request.today
        )
        return "Your declaration that you have nothing more to declare is recorded."

    return act(request, declare_nothing, request.route_url("board_my_interests"))


@form_page("board_my_interest_change", "form.jinja2", Permission.BOARD_INTERESTS_OWN)
class ChangeInterestPage(FormPage):
    """A director corrects one of their declarations, or gives the day an interest ended."""

    schema = DeclarationSchema
    submit_label = "Save the declaration"
    heading = "Change a declaration of interest"

    def back(self):
        return self.request.route_url("board_my_interests"), "Back to your declarations"

    def initial(self):
        declaration = self.context.declaration
        return {name: getattr(declaration, name) for name in INTEREST_FIELDS}

    def succeed(self, form, appstruct):
        board.change_interest(
            self.request.dbsession,
            self.context.declaration,
            interest_of(appstruct),
            actor_id=self.request.account.id,
            today=self.request.today,
        )
        return self.redirect("board_my_interests", "Your declaration is changed.")
