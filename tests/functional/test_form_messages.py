"""No form shows a message a person cannot read: every schema tmo has is sent nonsense in every
field, and the page its errors render to holds no ``${...}`` left from colander's templates
("${val} is greater than maximum value ${max}")."""

import inspect
from types import SimpleNamespace

import colander
import deform
import pytest

from tests.elections_setup import web_request
from tmo.constitution import Constitution
from tmo.forms import AccessibleForm, CSRFSchema
from tmo.schemas import (
    accounts,
    board,
    constitution,
    elections,
    meetings,
    membership,
    notices,
    properties,
    youth,
)
from tmo.schemas.dates import DateBoxes

RULES = Constitution()
ONE = SimpleNamespace(id=1, name="Ann Able", address="Flat 1, W10 5PA", number_label="M000001")
PAIRS = [("1", "Ann Able"), ("2", "Ben Bell")]

# Every schema that needs something to be built, with what a page would give it.
BUILT = {
    "appointment_schema": lambda: board.appointment_schema(PAIRS, [ONE], [ONE]),
    "constitution_schema": lambda: constitution.constitution_schema(RULES),
    "election_schema": lambda: elections.election_schema(
        [("resident", "Resident", 8)], PAIRS, PAIRS, "stv"
    ),
    "nomination_schema": lambda: elections.nomination_schema(1, 1),
    "consent_schema": lambda: elections.consent_schema(300, 1_000_000, True),
    "code_vote_schema": lambda: elections.code_vote_schema("date_of_birth"),
    "body_schema": lambda: meetings.body_schema([ONE]),
    "member_schema": lambda: meetings.member_schema([ONE]),
    "schedule_schema": lambda: meetings.schedule_schema(
        [("board", "Board"), ("agm", "AGM")], PAIRS
    ),
    "item_with_paper_schema": lambda: meetings.item_with_paper_schema(1_000_000),
    "paper_schema": lambda: meetings.paper_schema(1_000_000),
    "attendance_schema": lambda: meetings.attendance_schema([("p1", "Ann Able", {})]),
    "declaration_schema": lambda: meetings.declaration_schema(PAIRS),
    "motion_schema": lambda: meetings.motion_schema(PAIRS, True, [("v1", "Ann Able")]),
    "amendment_schema": lambda: meetings.amendment_schema(PAIRS),
    "application_schema": lambda: membership.application_schema(
        [ONE], True, "Ann Able", "ann@example.org"
    ),
    "join_schema": lambda: youth.join_schema("ann@example.org", RULES.youth),
    "contact_schema": lambda: youth.contact_schema("ann@example.org"),
    "proposal_schema": lambda: youth.proposal_schema(quote_required=True),
    "ratify_schema": lambda: youth.ratify_schema(PAIRS),
    "chair_open_schema": lambda: youth.chair_open_schema(PAIRS),
    "chair_vote_schema": lambda: youth.chair_vote_schema(PAIRS),
}
MODULES = (accounts, board, constitution, elections, meetings, membership, notices, properties)


def every_schema():
    """(name, a function making it) for each schema class and schema function of tmo."""
    found = {}
    for module in (*MODULES, youth):
        for name, thing in vars(module).items():
            if getattr(thing, "__module__", "") != module.__name__:
                continue
            if inspect.isclass(thing) and issubclass(thing, CSRFSchema):
                found[f"{module.__name__}.{name}"] = thing
            elif inspect.isfunction(thing) and name.endswith("_schema"):
                needs = [
                    p
                    for p in inspect.signature(thing).parameters.values()
                    if p.default is inspect.Parameter.empty
                ]
                found[f"{module.__name__}.{name}"] = BUILT.get(name) if needs else thing
    return sorted(found.items())


def controls(node, typed: str):
    """What a browser would send for ``node``'s fields, every one holding ``typed``."""
    for child in node.children:
        if child.name == "csrf_token":
            continue
        widget = child.widget
        if isinstance(child.typ, DateBoxes):
            yield ("__start__", f"{child.name}:mapping")
            for box in ("day", "month", "year"):
                yield (f"{child.name}-{box}", typed)
            yield ("__end__", f"{child.name}:mapping")
        elif isinstance(child.typ, colander.Mapping):
            yield ("__start__", f"{child.name}:mapping")
            yield from controls(child, typed)
            yield ("__end__", f"{child.name}:mapping")
        elif isinstance(widget, deform.widget.FileUploadWidget):
            continue
        elif isinstance(widget, deform.widget.CheckboxChoiceWidget):
            yield ("__start__", f"{child.name}:sequence")
            yield ("checkbox", typed)
            yield ("__end__", f"{child.name}:sequence")
        elif isinstance(widget, deform.widget.RadioChoiceWidget):
            yield ("__start__", f"{child.name}:rename")
            yield ("radio", typed)
            yield ("__end__", f"{child.name}:rename")
        else:
            yield (child.name, typed)


NONSENSE = ("", "abc", "-5", "0", "99999999999999", "x" * 6000, "3.5", "31")


@pytest.mark.parametrize(
    ("name", "make"), [pytest.param(name, make, id=name) for name, make in every_schema()]
)
def test_no_form_shows_a_raw_message_template(app, dbsession, name, make):
    assert make is not None, f"{name} needs a way to be built in BUILT"
    request = web_request(app, dbsession)
    schema = make()
    schema = (schema() if inspect.isclass(schema) else schema).bind(request=request)
    for typed in NONSENSE:
        form = AccessibleForm(schema, buttons=("submit",))
        try:
            form.validate(list(controls(schema, typed)))
        except deform.ValidationFailure as failure:
            page = failure.render()
            assert "${" not in page, (name, typed, page[page.index("${") - 200 :][:400])
