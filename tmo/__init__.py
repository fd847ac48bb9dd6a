"""tmo: governance for English tenant management organisations.

``main`` only composes: each part of tmo is an ``includeme`` that registers its own routes, views
and request methods.
"""

import gc


def request_constitution(request):
    from tmo.services.constitution import constitution_on

    constitution = constitution_on(request.dbsession, request.today)
    # Kept for the pages that must not read the database (a failed request's error page).
    request.registry.organisation_name = constitution.organisation_name
    return constitution


def make_config(global_config=None, **settings):
    # Imported here, not above: the console scripts that only count or check (tmo-count,
    # tmo-election verify) start without loading the web framework.
    from pyramid.config import Configurator

    from tmo.settings import finalise

    settings = finalise(settings)
    config = Configurator(settings=settings)
    config.include("tmo.clock")
    config.include("tmo.templating")
    config.include("tmo.models")
    config.include("tmo.page_cache")
    config.include("tmo.security")
    config.include("tmo.services.mail")
    config.include("tmo.forms")
    config.include("tmo.views")
    config.add_request_method(request_constitution, "constitution", reify=True)
    return config


class RequestBodyCloser:
    """Closes the temporary file WebOb spools a large request body into (pyramid_retry makes every
    body seekable so a retry can read it again) once the response has been made."""

    def __init__(self, router):
        self.router = router
        self.registry = router.registry

    def __call__(self, environ, start_response):
        original = environ.get("wsgi.input")
        try:
            return self.router(environ, start_response)
        finally:
            spooled = environ.get("wsgi.input")
            if spooled is not original and hasattr(spooled, "close"):
                spooled.close()


def main(global_config=None, **settings):
    """The WSGI application (``paste.app_factory``)."""
    app = RequestBodyCloser(make_config(global_config, **settings).make_wsgi_app())
    # Everything built so far lives as long as the process: moved out of the collector's way, a
    # full collection pauses requests for about 1 ms instead of about 38 (measured in bench/).
    gc.collect()
    gc.freeze()
    return app
