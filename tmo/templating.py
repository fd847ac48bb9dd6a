"""What every page template may use: the Permission enum, the site (the context of questions
about no one object), the CSRF token, the layout's links (``tmo.navigation``), and the
presenters as filters (``london``, ``day``, ``money``, and ``opening`` and ``closing`` for when
something starts or ends)."""

from pyramid.csrf import get_csrf_token
from pyramid.events import BeforeRender
from pyramid.interfaces import PHASE2_CONFIG, IRendererFactory
from pyramid_jinja2 import Jinja2TemplateRenderer

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


class TemplatesOnTheSearchPath:
    """The ``.jinja2`` renderer, finding a view's template on the search path (tmo:templates)
    only. pyramid_jinja2 looks first beside the view's module, where tmo keeps no template: a
    lookup that fails, unremembered, on every page."""

    def __init__(self, factory):
        self.factory = factory

    def __call__(self, info):
        factory, name = self.factory, info.name

        def template_loader():
            return factory.environment.get_template(name)

        return Jinja2TemplateRenderer(template_loader)


def find_templates_on_the_search_path(config):
    def replace():
        registry = config.registry
        factory = registry.getUtility(IRendererFactory, name=".jinja2")
        registry.registerUtility(TemplatesOnTheSearchPath(factory), IRendererFactory, ".jinja2")

    # After pyramid_jinja2 has registered its renderer; a view finds its renderer when it is
    # first rendered.
    config.action(None, replace, order=PHASE2_CONFIG)


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
    find_templates_on_the_search_path(config)
    config.add_request_method(get_csrf_token, "csrf_token", property=True)
    config.add_request_method(layout_links, "layout_links", reify=True)
    config.add_subscriber(add_renderer_globals, BeforeRender)
