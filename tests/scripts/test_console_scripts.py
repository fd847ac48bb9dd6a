"""The console scripts as a person runs them: no warning they did not cause, and the ones that
only count or check start without loading the web framework."""

import configparser
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.reference import stv_scotland
from tests.scripts.test_count_cli import reference_winners

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[2]


def console_scripts() -> list[str]:
    """Every console script setup.cfg installs, so that a new one is held to the same."""
    setup = configparser.ConfigParser()
    setup.read(ROOT / "setup.cfg")
    entries = setup["options.entry_points"]["console_scripts"].split("\n")
    return [entry.split("=")[0].strip() for entry in entries if entry.strip()]


SCRIPTS = console_scripts()


def test_every_console_script_is_held_to_this():
    assert "tmo-count" in SCRIPTS and len(SCRIPTS) >= 9


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


# What a person's shell loads to count a ward: PYTHONPROFILEIMPORTTIME is `python -X importtime`.
WEB_STACK = re.compile(
    r"\| +(pyramid|webob|sqlalchemy|zope|transaction|deform)(\.|$)", re.MULTILINE
)


def test_tmo_count_counts_a_ward_without_loading_the_web_framework():
    done = subprocess.run(
        [str(BIN / "tmo-count"), str(stv_scotland() / "Govan-2007.blt")],
        capture_output=True,
        text=True,
        env={**clean_environment(), "PYTHONPROFILEIMPORTTIME": "1"},
        timeout=60,
        check=True,
    )
    assert "tmo.rules.counting" in done.stderr
    assert WEB_STACK.findall(done.stderr) == []
    said = [line for line in done.stderr.splitlines() if not line.startswith("import time:")]
    assert said == []
    elected = [line for line in done.stdout.splitlines() if line.startswith("Elected: ")]
    assert {line.removeprefix("Elected: ") for line in elected} == reference_winners("Govan-2007")
