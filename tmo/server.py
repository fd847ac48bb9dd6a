"""Serving tmo: waitress in one process, or in several processes sharing one listening socket.

CPython runs one thread of Python at a time in a process, and a request of tmo is Python from
its first byte to its last, so a machine of N cores serves most with N processes, each of few
threads (docs/performance.md, "Processes and threads"). waitress has no processes of its own.
This runner (``use = egg:tmo#main`` in an ini file's ``[server:main]``, started by ``pserve``)
binds the listening sockets once, forks ``workers`` children that each serve them with waitress
(the kernel hands each new connection to one of them), starts a child again if one dies, and
stops them all on SIGTERM or SIGINT.

``workers = auto`` is one per core on PostgreSQL, and one on SQLite: SQLite's writers take turns
within a process (``tmo.models``), but between processes they would meet SQLite's busy handler,
which hands the write lock to whoever asks at the right moment rather than to whoever has waited
longest (measured: a p99 of a second at the same rate). Every other setting is waitress's.
"""

import contextlib
import logging
import os
import signal
import socket
import sys
import time

import waitress
from waitress.adjustments import Adjustments

log = logging.getLogger(__name__)

# A child that dies sooner than this after it started is failing, not crashing once: the
# runner stops rather than start it again and again.
QUICKEST_HEALTHY_LIFE_S = 5.0


def workers_for(setting: str | int, database_url: str) -> int:
    """The number of processes ``workers`` asks for (``auto``: one per core, one on SQLite)."""
    text = str(setting).strip().lower()
    if text == "auto":
        if database_url.startswith("sqlite"):
            return 1
        return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)
    try:
        workers = int(text)
    except ValueError:
        raise ValueError(f"workers must be a whole number or auto, not {setting!r}") from None
    if workers < 1:
        raise ValueError("workers must be at least 1")
    return workers


def _database_url(app) -> str:
    registry = getattr(app, "registry", None)
    settings = getattr(registry, "settings", None) or {}
    return settings.get("sqlalchemy.url", "")


def serve(app, global_conf=None, workers="1", **settings) -> int:
    """A ``paste.server_runner``: serve ``app`` with waitress's ``settings`` in ``workers``
    processes."""
    count = workers_for(workers, _database_url(app))
    if count == 1:
        waitress.serve(app, **settings)
        return 0
    return serve_in_processes(app, count, settings)


def _bind(settings: dict) -> tuple[list[socket.socket], dict]:
    """The listening sockets waitress would bind for ``settings``, and the settings that serve
    them instead."""
    adjustments = Adjustments(**settings)
    sockets = []
    for family, kind, protocol, address in adjustments.listen:
        listener = socket.socket(family, kind, protocol)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            listener.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        listener.bind(address)
        listener.listen(adjustments.backlog)
        sockets.append(listener)
    rest = {k: v for k, v in settings.items() if k not in ("listen", "host", "port")}
    return sockets, {**rest, "sockets": sockets}


def _child(app, settings: dict) -> None:
    # The parent's signal handlers are not this process's: waitress's default ones serve it.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    status = 0
    try:
        waitress.serve(app, **settings)
    except KeyboardInterrupt:
        pass
    except BaseException:
        log.exception("A serving process failed")
        status = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)


def serve_in_processes(app, count: int, settings: dict) -> int:
    sockets, child_settings = _bind(settings)
    for listener in sockets:
        host, port = listener.getsockname()[:2]
        print(f"Serving on http://{host}:{port} in {count} processes", flush=True)
    children: dict[int, float] = {}
    stopping = False

    def start_one() -> None:
        pid = os.fork()
        if pid == 0:
            _child(app, child_settings)
        children[pid] = time.monotonic()

    def stop(signum, frame) -> None:
        nonlocal stopping
        stopping = True
        for pid in list(children):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for _ in range(count):
        start_one()
    status = 0
    while children:
        try:
            pid, wait_status = os.wait()
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        started = children.pop(pid, None)
        if started is None or stopping:
            continue
        code = os.waitstatus_to_exitcode(wait_status)
        if time.monotonic() - started < QUICKEST_HEALTHY_LIFE_S:
            log.error("A serving process exited (%s) as soon as it started: stopping", code)
            status = 1
            stop(None, None)
            continue
        log.error("A serving process exited (%s): starting another", code)
        start_one()
    for listener in sockets:
        listener.close()
    return status
