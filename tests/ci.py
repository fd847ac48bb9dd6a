"""What a test does when something it needs is missing: skip here, fail in CI.

CI is any run with the environment variable ``CI`` set to a true value (``.ci/run`` exports
``CI=true``), where a skipped test would hide that the check never ran.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def skip_or_fail(reason: str, tests: str) -> NoReturn:
    """Skip the test for ``reason``; in CI, where ``tests`` never skip, fail it instead."""
    if in_ci():
        pytest.fail(f"{reason} ({tests} never skip in CI)", pytrace=False)
    pytest.skip(reason)
