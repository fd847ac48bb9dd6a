"""The production server (``use = egg:tmo#main``, tmo.server): ``pserve`` serves from one
process per worker on one listening socket, starts a worker again if it dies, and stops them
all when it is stopped."""

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tmo.server import QUICKEST_HEALTHY_LIFE_S, workers_for

PSERVE = Path(sys.executable).with_name("pserve")

INI = """\
[app:main]
use = egg:tmo
pyramid.reload_templates = false
retry.attempts = 3
tmo.mail_mode = memory
mail.default_sender = tmo <no-reply@localhost>

[server:main]
use = egg:tmo#main
workers = 2
threads = 1
listen = 127.0.0.1:{port}
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def children_of(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        if f"\nPPid:\t{pid}\n" in status:
            found.add(int(entry.name))
    return found


def get(port: int, path: str = "/") -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def wait_for(condition, timeout_s: float = 30):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    return condition()


@pytest.fixture
def server(tmp_path, database_url, engine):
    if not Path("/proc/self/status").exists():
        pytest.skip("counting a server's processes reads /proc (Linux)")
    port = free_port()
    ini = tmp_path / "server.ini"
    ini.write_text(INI.format(port=port))
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "TMO_SECRET": "test-secret-not-for-production-0123456789abcdef",
        "PYTHONWARNINGS": "ignore",
    }
    process = subprocess.Popen(
        [str(PSERVE), str(ini)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        ready = wait_for(lambda: _answers(port) or process.poll() is not None)
        if process.poll() is not None:
            pytest.fail(f"pserve exited {process.returncode}:\n{process.stdout.read()}")
        assert ready
        yield process, port
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
            for child in children_of(process.pid):
                os.kill(child, signal.SIGKILL)
        process.stdout.close()


def _answers(port: int) -> bool:
    try:
        return get(port) == 200
    except OSError:
        return False


def test_auto_is_one_process_per_core_on_postgresql_and_one_on_sqlite():
    cores = len(os.sched_getaffinity(0))
    assert workers_for("auto", "postgresql+psycopg://db/tmo") == cores
    assert workers_for("auto", "sqlite:///var/tmo.sqlite") == 1
    assert workers_for(" 3 ", "sqlite:///var/tmo.sqlite") == 3
    for wrong in ("0", "-1", "many"):
        with pytest.raises(ValueError):
            workers_for(wrong, "postgresql://db/tmo")


def test_pserve_serves_from_two_processes_and_starts_one_again_when_it_dies(server):
    process, port = server
    workers = wait_for(lambda: len(children_of(process.pid)) == 2 and children_of(process.pid))
    assert len(workers) == 2
    assert [get(port) for _ in range(20)] == [200] * 20

    # A worker killed after it has served a while is replaced; the other serves meanwhile.
    time.sleep(QUICKEST_HEALTHY_LIFE_S + 0.5)
    lost = min(workers)
    os.kill(lost, signal.SIGKILL)
    assert get(port) == 200
    replaced = wait_for(
        lambda: (now := children_of(process.pid)) and len(now) == 2 and lost not in now and now
    )
    assert replaced and lost not in replaced
    assert [get(port) for _ in range(10)] == [200] * 10

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=15) == 0
    assert not any(Path(f"/proc/{pid}").exists() for pid in replaced)
    assert "in 2 processes" in process.stdout.read()
