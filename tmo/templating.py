"""What every page template may use: the Permission enum, the site (the context of questions
about no one object), the CSRF token, the layout's links (``tmo.navigation``), and the
presenters as filters (``london``, ``day``, ``money``, and ``opening`` and ``closing`` for when
something starts or ends)."""

from pyramid.csrf import get_csrf_token
from pyramid.events import BeforeRender

from tmo.constitution import FILLED_BY
from tmo.contexts import SITE
from tmo.navigation import layout_links
from tmo.permissions import Permission

FILTERS = {
    "london": "london",
    "day": "day",
    "money": "money",
    "opening": "opening",
    "closing": "closing",
}


def add_renderer_globals(event):
    event.setdefault("Permission", Permission)
    # The context of the navigation's questions: on an error page there may be no other.
    event.setdefault("site", SITE)
    event.setdefault("filled_by", dict(FILLED_BY))
    event.setdefault("form_failed", False)


def includeme(config):
    settings = config.get_settings()
    settings["jinja2.filters"] = "\n".join(
        f"{name} = tmo.presenters:{function}" for name, function in FILTERS.items()
    )
    settings["jinja2.autoescape"] = "true"
    settings["jinja2.undefined"] = "strict"
    config.include("pyramid_jinja2")
    config.add_jinja2_renderer(".jinja2")
    config.add_jinja2_search_path("tmo:templates", name=".jinja2")
    config.add_request_method(get_csrf_token, "csrf_token", property=True)
    config.add_request_method(layout_links, "layout_links", reify=True)
    config.add_subscriber(add_renderer_globals, BeforeRender)
