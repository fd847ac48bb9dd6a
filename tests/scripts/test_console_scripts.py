"""The console scripts as a person runs them: no warning they did not cause, and the ones that
only count or check start without loading the web framework."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent
SCRIPTS = [
    "tmo-demo",
    "tmo-audit",
    "tmo-count",
    "tmo-election",
    "tmo-import-properties",
    "tmo-retention",
    "tmo-mail-worker",
    "tmo-backup",
    "tmo-restore",
]


def clean_environment() -> dict:
    """The environment of a person's shell: none of the test run's warning filters."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONWARNINGS", "PYTHONDEVMODE")}


@pytest.mark.parametrize("script", SCRIPTS)
def test_a_console_script_prints_no_warning_the_user_did_not_cause(script):
    done = subprocess.run(
        [str(BIN / script), "--help"],
        capture_output=True,
        text=True,
        env=clean_environment(),
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Warning" not in done.stderr and "warning" not in done.stderr, done.stderr


# What a counting run loads of the web framework and the database layer.
LOADED = (
    "import sys, tmo.scripts.count; "
    "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pyramid', 'webob', 'sqlalchemy')))"
)


def test_counting_starts_without_the_web_framework():
    done = subprocess.run(
        [sys.executable, "-c", LOADED],
        capture_output=True,
        text=True,
        env=clean_environment(),
        timeout=60,
        check=True,
    )
    assert done.stdout.strip() == "[]"
