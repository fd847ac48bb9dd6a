"""tmo: governance for English tenant management organisations.

``main`` only composes: each part of tmo is an ``includeme`` that registers its own routes, views
and request methods.
"""

from datetime import date

from pyramid.config import Configurator

from tmo.settings import finalise


def request_constitution(request):
    from tmo.services.constitution import constitution_on

    return constitution_on(request.dbsession, date.today())


def make_config(global_config=None, **settings) -> Configurator:
    settings = finalise(settings)
    config = Configurator(settings=settings)
    config.include("tmo.templating")
    config.include("tmo.models")
    config.include("tmo.security")
    config.include("tmo.services.mail")
    config.include("tmo.forms")
    config.include("tmo.views")
    config.add_request_method(request_constitution, "constitution", reify=True)
    return config


def main(global_config=None, **settings):
    """The WSGI application (``paste.app_factory``)."""
    return make_config(global_config, **settings).make_wsgi_app()
