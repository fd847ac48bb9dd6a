"""The page cache: a page rendered for a GET is served again from memory, to the same request, while
nothing it could show has changed.

What "nothing has changed" means, exactly:

- **the data**: every commit that writes anything changes the token of the one ``data_version``
  row, in the same transaction (the session listeners below: a flush, or an INSERT, UPDATE or
  DELETE executed through a session, marks the session; its commit changes the token). A request
  reads the token before its page is rendered, so a page is never older than the token it is kept
  under. A session holding writes not yet committed neither reads nor fills the cache;
- **the request**: the key holds the path and query, the host and scheme, the address asked
  from, and the whole Cookie header (the login session, the CSRF token a form carries, the
  flash messages waiting);
- **the time**: a page is kept only within the minute it was rendered in (every moment at which a
  page changes by itself falls on a minute: a poll opens and closes at midnight, a forum vote
  closes at the end of its day, a meeting starts at the minute it was called for), and never
  beyond the expiry of the login session it was rendered for;
- **the page itself**: only a 200 HTML answer, which set no cookie, wrote nothing, and did not
  ask browsers not to store it (``Cache-Control: no-store``: a private file, a key shown once).

A hit costs one query (the token) and no transaction of the request's own; a miss costs that
query more than before. Each serving process keeps its own pages, up to ``tmo.page_cache_mb``
(16 MB by default; 0 turns the cache off), the least recently used dropped first. A change made
outside tmo, straight into the database, shows within the minute.
"""

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

from pyramid.response import Response

from tmo.models import SQLITE_BEGIN
from tmo.models.data_version import REQUEST_WROTE, TOKEN, WROTE

DEFAULT_MB = 16

# The parts of a request that may change what its page says.
KEY_ENVIRON = (
    "wsgi.url_scheme",
    "HTTP_HOST",
    "SCRIPT_NAME",
    "PATH_INFO",
    "QUERY_STRING",
    "HTTP_COOKIE",
    "HTTP_ACCEPT_LANGUAGE",
    # No GET page says anything of the address it is asked from today (the throttles answer
    # forms), but one that did would not be served to another address.
    "REMOTE_ADDR",
)


def data_token(request):
    """The token the request's data stands at, or None when the request must not use the cache:
    its session (a test's, injected) holds writes not yet committed."""
    injected = request.environ.get("tmo.dbsession")
    if injected is not None:
        if injected.info.get(WROTE) or injected.new or injected.dirty or injected.deleted:
            return None
        # On the session's connection, not through the session: the session's transaction must
        # begin inside the request's, which it joins.
        return injected.get_bind().execute(TOKEN).scalar()
    engine = request.registry["dbengine"]
    with engine.connect().execution_options(**{SQLITE_BEGIN: "DEFERRED"}) as connection:
        return connection.execute(TOKEN).scalar()


# The pages kept ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    status: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    until: datetime

    def response(self) -> Response:
        return Response(body=self.body, status=self.status, headerlist=list(self.headers))


class Pages:
    """Pages by key, up to ``limit`` bytes of body, the least recently used dropped first."""

    def __init__(self, limit: int):
        self.limit = limit
        self.size = 0
        self._pages: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key) -> Page | None:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key, page: Page) -> None:
        if len(page.body) > self.limit // 4:
            return
        with self._lock:
            old = self._pages.pop(key, None)
            if old is not None:
                self.size -= len(old.body)
            self._pages[key] = page
            self.size += len(page.body)
            while self.size > self.limit:
                _, dropped = self._pages.popitem(last=False)
                self.size -= len(dropped.body)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self.size = 0

    def __len__(self) -> int:
        return len(self._pages)


def _minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def _keepable(request, response) -> bool:
    return (
        response.status_code == 200
        and response.content_type == "text/html"
        and "Set-Cookie" not in response.headers
        and "no-store" not in (response.headers.get("Cache-Control") or "")
        and not request.response_callbacks
        and not request.environ.get(REQUEST_WROTE)
        and isinstance(response.app_iter, list | tuple)
    )


def _kept_until(request, minute: datetime) -> datetime:
    until = minute + timedelta(minutes=1)
    login = request.environ.get("tmo.login_expires_at")
    if login is not None:
        until = min(until, login)
    return until


def page_cache_tween_factory(handler, registry):
    megabytes = float(registry.settings.get("tmo.page_cache_mb", DEFAULT_MB))
    if megabytes <= 0:
        return handler
    pages = Pages(int(megabytes * 1024 * 1024))
    registry["tmo.pages"] = pages

    def page_cache_tween(request):
        if request.method != "GET":
            return handler(request)
        token = data_token(request)
        if token is None:
            return handler(request)
        now = request.now
        minute = _minute(now)
        environ = request.environ
        key = (token, minute, *(environ.get(name) for name in KEY_ENVIRON))
        page = pages.get(key)
        if page is not None and now < page.until:
            return page.response()
        response = handler(request)
        if _keepable(request, response):
            headers = tuple(
                (name, value) for name, value in response.headerlist if name != "Content-Length"
            )
            until = _kept_until(request, minute)
            if now < until:
                pages.put(key, Page(response.status, headers, response.body, until))
        return response

    return page_cache_tween


def includeme(config):
    config.add_tween("tmo.page_cache.page_cache_tween_factory", over="pyramid_tm.tm_tween_factory")
