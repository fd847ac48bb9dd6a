"""Flash messages live in a signed cookie, which a browser will not take above 4 KB: however many
messages wait unread, the cookie stays small enough to be set (a larger one failed the response
with a 500 after its request had committed), and the newest messages are the ones kept."""

from pyramid.request import Request
from pyramid.response import Response
from pyramid.session import SignedCookieSessionFactory

from tmo.security import bounded_flashes


def flashed(messages: list[tuple[str, str]]) -> tuple[str, object]:
    factory = bounded_flashes(
        SignedCookieSessionFactory("a-secret-for-the-test-" * 3, cookie_name="tmo_flash")
    )
    request = Request.blank("/")
    session = factory(request)
    for message, queue in messages:
        session.flash(message, queue)
    response = Response()
    request._process_response_callbacks(response)
    return response.headers["Set-Cookie"], session


def test_many_unread_messages_leave_a_cookie_a_browser_takes_with_the_newest_kept():
    messages = [(f"Saved number {n}: " + "é€ " * 120, "success") for n in range(300)]
    messages += [("Tried again: " + "x" * 5000, "warning")]
    cookie, session = flashed(messages)
    assert len(cookie) < 4096
    kept = session.peek_flash("success")
    assert kept and kept[-1].startswith("Saved number 299")
    (warning,) = session.peek_flash("warning")
    assert warning.startswith("Tried again") and warning.endswith("…")


def test_a_few_short_messages_are_kept_whole():
    _, session = flashed([("The meeting is scheduled.", "success"), ("Check it.", "warning")])
    assert session.peek_flash("success") == ["The meeting is scheduled."]
    assert session.peek_flash("warning") == ["Check it."]
