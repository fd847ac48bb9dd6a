"""Public reference data, read from the shared folder beside the repository, never kept in it.

The 21 Glasgow 2007 wards (each a ``.blt`` ballot file and a ``.report.txt`` official count) are
in ``<repository root>/../shared/reference/stv-scotland``, the repository root being the folder
holding ``setup.cfg``. ``TMO_REFERENCE_DIR`` names another ``reference`` folder, for a checkout
with no ``../shared`` beside it (a git worktree, say). Where the data is missing, the tests that
need it skip with the path looked for; in CI they fail instead.
"""

from __future__ import annotations

import os
from pathlib import Path

from tests.ci import skip_or_fail

ENVIRONMENT_VARIABLE = "TMO_REFERENCE_DIR"
ROOT = Path(__file__).resolve().parent.parent
STV_SCOTLAND = "stv-scotland"


def reference_dir() -> Path:
    """``$TMO_REFERENCE_DIR`` if set, otherwise ``<repository root>/../shared/reference``."""
    override = os.environ.get(ENVIRONMENT_VARIABLE)
    return Path(override) if override else ROOT.parent / "shared" / "reference"


def stv_scotland() -> Path:
    """The Glasgow 2007 folder; the calling test skips (fails in CI) when it is missing."""
    folder = reference_dir() / STV_SCOTLAND
    if not folder.is_dir():
        skip_or_fail(
            f"reference data not found at {folder}: put the shared folder beside the repository "
            f"(../shared/reference/{STV_SCOTLAND}) or set {ENVIRONMENT_VARIABLE} to the "
            f"'reference' folder holding {STV_SCOTLAND}/",
            "reference data tests",
        )
    return folder


def stv_scotland_wards() -> list[str]:
    """The wards, read when tests are collected. With the folder missing, one placeholder
    stands in for them, so collection still succeeds and the test (calling `stv_scotland`)
    skips or fails with the reason."""
    folder = reference_dir() / STV_SCOTLAND
    if not folder.is_dir():
        return ["reference-data-missing"]
    return sorted(path.name.removesuffix(".blt") for path in folder.glob("*.blt"))
