"""The framework ceiling: a bare Pyramid app with one "hello" view and nothing else.

No database, no templates, no sessions, no security policy, no tweens beyond Pyramid's own. The
bench serves it on the same waitress settings as tmo, in the same run, so the gap between the two
is what tmo itself costs per request. The view answers a GET with a short text page and a POST
(the log-in scenario's form, which it parses) with a 302, so each tmo scenario has a like-for-like
ceiling.
"""

from pyramid.config import Configurator
from pyramid.httpexceptions import HTTPFound
from pyramid.response import Response

HELLO_TEXT = "Hello, world!\n"


def hello(request):
    if request.method == "POST":
        request.POST  # noqa: B018 - parse the form body, as a real form view would
        return HTTPFound(location="/")
    return Response(HELLO_TEXT, content_type="text/plain")


def make_app():
    """The WSGI app: the hello view on ``/`` and on ``/login`` (the log-in scenario's path)."""
    with Configurator() as config:
        config.add_route("hello", "/")
        config.add_route("hello_form", "/login")
        config.add_view(hello, route_name="hello")
        config.add_view(hello, route_name="hello_form")
        return config.make_wsgi_app()
