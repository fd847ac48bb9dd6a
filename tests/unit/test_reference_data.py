"""The shared reference data: found beside the repository or through TMO_REFERENCE_DIR; where it
is missing its tests skip saying where they looked, and in CI they fail instead."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests import reference
from tests.reference import stv_scotland, stv_scotland_wards


@pytest.fixture
def empty_reference(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """TMO_REFERENCE_DIR pointing at an empty folder, outside CI unless a test sets CI."""
    monkeypatch.setenv("TMO_REFERENCE_DIR", str(tmp_path))
    monkeypatch.delenv("CI", raising=False)
    return tmp_path


def test_by_default_the_shared_folder_beside_the_repository(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("TMO_REFERENCE_DIR", raising=False)
    assert (reference.ROOT / "setup.cfg").is_file()
    assert reference.reference_dir() == reference.ROOT.parent / "shared" / "reference"


def test_the_variable_names_another_reference_folder(empty_reference: Path) -> None:
    (empty_reference / "stv-scotland").mkdir()
    (empty_reference / "stv-scotland" / "Govan-2007.blt").write_text("")
    (empty_reference / "stv-scotland" / "Govan-2007.report.txt").write_text("")
    assert stv_scotland() == empty_reference / "stv-scotland"
    assert stv_scotland_wards() == ["Govan-2007"]


def outcome_of_looking() -> BaseException:
    """What `stv_scotland` raises with the folder missing, a skip or a failure, caught."""
    try:
        stv_scotland()
    except (pytest.skip.Exception, pytest.fail.Exception) as outcome:
        return outcome
    raise AssertionError("stv_scotland() returned although the folder is missing")


@pytest.mark.parametrize("ci", [None, "", "0", "false", "no"])
def test_missing_data_skips_naming_the_path_and_the_variable(
    ci: str | None, empty_reference: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if ci is not None:
        monkeypatch.setenv("CI", ci)
    outcome = outcome_of_looking()
    assert isinstance(outcome, pytest.skip.Exception), outcome
    assert f"not found at {empty_reference / 'stv-scotland'}" in str(outcome)
    assert "TMO_REFERENCE_DIR" in str(outcome)


@pytest.mark.parametrize("ci", ["true", "1", "yes"])
def test_missing_data_fails_in_ci(
    ci: str, empty_reference: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CI", ci)
    outcome = outcome_of_looking()
    assert isinstance(outcome, pytest.fail.Exception), outcome
    assert f"not found at {empty_reference / 'stv-scotland'}" in str(outcome)
    assert "TMO_REFERENCE_DIR" in str(outcome)
    assert "never skip in CI" in str(outcome)


def test_missing_data_leaves_one_placeholder_ward(empty_reference: Path) -> None:
    assert stv_scotland_wards() == ["reference-data-missing"]


def run_counting_tests(reference_dir: Path, ci: str) -> subprocess.CompletedProcess[str]:
    """The Glasgow tests in a pytest of their own, the reference folder being ``reference_dir``."""
    environment = {**os.environ, "TMO_REFERENCE_DIR": str(reference_dir), "CI": ci}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "tests/rules/test_counting_scottish_stv.py",
            "-k",
            "reference",
            "-p",
            "no:cacheprovider",
            "--noconftest",
            "-q",
            "-rsf",
        ],
        cwd=reference.ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize(
    ("ci", "outcome", "exit_code"), [("", "skipped", 0), ("true", "failed", 1)], ids=["here", "CI"]
)
def test_without_the_data_the_tests_collect_then_skip_here_and_fail_in_ci(
    ci: str, outcome: str, exit_code: int, tmp_path: Path
) -> None:
    result = run_counting_tests(tmp_path, ci=ci)
    assert result.returncode == exit_code, result.stdout + result.stderr
    summary = result.stdout.splitlines()[-1]
    assert re.fullmatch(rf"3 {outcome}, \d+ deselected in .*", summary), result.stdout
    assert str(tmp_path / "stv-scotland") in result.stdout
