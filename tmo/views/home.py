"""The home page and the public view of the constitution."""

import dataclasses

from pyramid.httpexceptions import HTTPFound
from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.view import view_config

from tmo.constitution import SECTIONS
from tmo.permissions import Permission
from tmo.presenters import day
from tmo.services.constitution import version_in_force
from tmo.services.elections import open_polls
from tmo.views import READ


@view_config(
    route_name="home",
    renderer="home.jinja2",
    request_method=READ,
    permission=NO_PERMISSION_REQUIRED,
)
def home(request):
    """The public's front page; a person logged in goes on to what needs them."""
    if request.account is not None:
        return HTTPFound(request.route_url("needs_you"))
    return {"open_polls": open_polls(request.dbsession, request.now)}


@view_config(
    route_name="needs_you",
    renderer="needs_you.jinja2",
    request_method=READ,
    permission=Permission.ACCOUNT_SELF_MANAGE,
)
def needs_you(request):
    """The front door: what needs the person now, each line a link to where they act."""
    return {"door": request.front_door}


def rule_rows(section) -> list[tuple[str, str]]:
    """(title, value shown to a reader) for each rule of a constitution section."""
    rows = []
    for item in dataclasses.fields(section):
        if item.metadata.get("kind") == "seats":
            continue
        value = getattr(section, item.name)
        choices = dict(item.metadata.get("choices") or ())
        if item.metadata.get("kind") == "money":
            shown = f"£{value / 100:,.2f}"
        elif item.metadata.get("kind") == "dates":
            shown = ", ".join(day(each) for each in value) or "None"
        elif item.metadata.get("kind") == "set":
            shown = ", ".join(choices.get(key, key) for key in value) or "None"
        elif choices:
            shown = choices.get(value, value)
        elif isinstance(value, bool):
            shown = "Yes" if value else "No"
        else:
            shown = str(value) or "Not set"
        rows.append((item.metadata.get("title", item.name), shown))
    return rows


@view_config(
    route_name="constitution",
    renderer="constitution/show.jinja2",
    request_method=READ,
    permission=NO_PERMISSION_REQUIRED,
)
def constitution(request):
    rules = request.constitution
    return {
        "rules": rules,
        "version": version_in_force(request.dbsession, request.today),
        "sections": [(title, rule_rows(getattr(rules, name))) for name, title in SECTIONS],
    }
