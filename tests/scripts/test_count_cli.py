"""`tmo-count` prints a result sheet ending in the elected names, and exits 2 on bad input.

The Glasgow 2007 files are read from the shared reference folder (see tests/reference.py).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.reference import stv_scotland
from tmo.scripts.count import main


def reference_winners(ward: str) -> set[str]:
    report = (stv_scotland() / f"{ward}.report.txt").read_text()
    pattern = r"^Action: (?:Elect, transfer pending|Elect remaining candidates): (.*)$"
    return {" ".join(name.split()) for name in re.findall(pattern, report, flags=re.MULTILINE)}


def test_govan_prints_the_reference_winners_last(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(stv_scotland() / "Govan-2007.blt")]) == 0
    lines = capsys.readouterr().out.splitlines()
    elected = [line for line in lines if line.startswith("Elected: ")]
    assert lines[-len(elected) :] == elected
    assert {line.removeprefix("Elected: ") for line in elected} == reference_winners("Govan-2007")
    assert elected == [
        "Elected: Allison Hunter",
        "Elected: John Flanagan",
        "Elected: Stephen Dornan",
        "Elected: Shaukat Butt",
    ]
    assert "Quota: 1913.00000" in lines
    assert any(line.split()[-2:] == ["1412.45570", "+41.45570"] for line in lines)


def test_the_same_seed_prints_the_same_sheet(capsys: pytest.CaptureFixture[str]) -> None:
    calton = str(stv_scotland() / "Calton-2007.blt")
    main([calton, "--seed", "fixed"])
    first = capsys.readouterr().out
    main([calton, "--seed", "fixed"])
    assert capsys.readouterr().out == first
    assert "Seed for any drawing of lots: 'fixed'" in first


def test_block_vote_from_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ballots = tmp_path / "youth-forum.csv"
    ballots.write_text("Ann,Bob,Cat\n1,1,\n1,,1\n,1,\n")
    assert main([str(ballots), "--seats", "2"]) == 0
    assert capsys.readouterr().out.splitlines()[-2:] == ["Elected: Ann", "Elected: Bob"]


def test_block_vote_over_a_blt_file_with_too_many_marks_is_refused(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main([str(stv_scotland() / "Govan-2007.blt"), "--method", "block"]) == 2
    assert "marks" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["missing.blt"], "cannot read"),
        (["bad.blt"], "expected 'candidates seats'"),
        (["ballots.csv"], "give --seats"),
        (["ballots.csv", "--seats", "1", "--method", "stv"], "STV needs ranked ballots"),
        (["bad.blt", "--seats", "0"], "--seats must be at least 1"),
        (["binary.blt"], "cannot read"),
    ],
)
def test_unusable_input_exits_2_with_a_reason(
    arguments: list[str],
    message: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.blt").write_text("this is not a ballot file\n")
    (tmp_path / "ballots.csv").write_text("Ann,Bob\n1,\n")
    (tmp_path / "binary.blt").write_bytes(b"\xff\xfe\x00garbage")
    assert main(arguments) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("tmo-count: error:")
    assert message in captured.err


def test_bad_option_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["x.blt", "--method", "borda"]) == 2
    assert "invalid choice" in capsys.readouterr().err
