"""What every page template may use: the Permission enum, the CSRF token, and London time."""

from datetime import datetime

from pyramid.csrf import get_csrf_token
from pyramid.events import BeforeRender

from tmo.clock import LONDON
from tmo.constitution import FILLED_BY
from tmo.contexts import SITE
from tmo.permissions import Permission


def london(moment: datetime | None) -> str:
    """A UTC moment as a Londoner reads it: 25 November 2026, 14:05."""
    if moment is None:
        return ""
    return moment.astimezone(LONDON).strftime("%-d %B %Y, %H:%M")


def add_renderer_globals(event):
    event.setdefault("Permission", Permission)
    # The context of the navigation's questions: on an error page there may be no other.
    event.setdefault("site", SITE)
    event.setdefault("filled_by", dict(FILLED_BY))
    event.setdefault("form_failed", False)


def includeme(config):
    settings = config.get_settings()
    settings["jinja2.filters"] = "london = tmo.templating:london"
    settings["jinja2.autoescape"] = "true"
    settings["jinja2.undefined"] = "strict"
    config.include("pyramid_jinja2")
    config.add_jinja2_renderer(".jinja2")
    config.add_jinja2_search_path("tmo:templates", name=".jinja2")
    config.add_request_method(get_csrf_token, "csrf_token", property=True)
    config.add_subscriber(add_renderer_globals, BeforeRender)
