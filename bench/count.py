"""Counting bench: ``tmo-count`` over the 21 Glasgow 2007 wards, next to stvpoll's Scottish STV.

``.venv/bin/python bench/count.py [--rounds 7] [--reference DIR] [--parse-before b5404bc]
[--markdown]`` counts each ward's BLT file as a person does, one process per ward: this venv's
``tmo-count WARD.blt`` (this checkout's ``tmo`` first on ``PYTHONPATH``), and, as the ceiling,
``bench/stvpoll_count.py WARD.blt`` (stvpoll's ``ScottishSTV``). Both run in one pass per
round, ward by ward, their order alternating from ward to ward and round to round, after one
unmeasured round that also checks they elect the same candidates. It prints, per ward and in
total, the median wall-clock time of each, tmo's time over stvpoll's (the goal: at most 1.00)
and tmo's share of the ceiling (stvpoll's time over tmo's), with the time of a bare ``python -c
pass`` for the floor both stand on. Then it times reading every ward's BLT file in-process
(CPU time, which other work on the machine disturbs less than the wall clock) with this
checkout's ``read_blt`` and with that of an earlier commit (taken with ``git show``).
See bench/README.md.
"""

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
import types
from dataclasses import dataclass
from pathlib import Path

from register_search import render_table
from run import REPO_DIR, cpu_busy_share, cpu_model, note

BIN = Path(sys.executable).parent
TMO_COUNT = BIN / "tmo-count"
CEILING = Path(__file__).resolve().parent / "stvpoll_count.py"
# The commit whose BLT reader the parse timings compare with: the last before it was rewritten.
PARSE_BEFORE = "b5404bc"


@dataclass
class Ward:
    name: str
    path: Path
    tmo: list[float]
    ceiling: list[float]
    python: list[float]

    def ratio(self) -> float:
        return statistics.median(self.tmo) / statistics.median(self.ceiling)


def user_environment() -> dict:
    """A person's shell: bytecode cached as an installed package has it, no warning filters;
    this checkout's ``tmo`` first, whatever the venv's own install points to."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHONDONTWRITEBYTECODE", "PYTHONWARNINGS", "PYTHONDEVMODE")
    }
    environment["PYTHONPATH"] = os.pathsep.join(
        [str(REPO_DIR), *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    return environment


def run_once(command: list[str], environment: dict) -> tuple[float, str]:
    """Wall-clock seconds from starting the process to its exit, and what it printed."""
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=environment, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr}")
    if done.stderr:
        note(f"{' '.join(command)} wrote to stderr:\n{done.stderr}")
    return elapsed, done.stdout


def elected(output: str) -> set[str]:
    return {
        line.removeprefix("Elected: ")
        for line in output.splitlines()
        if line.startswith("Elected: ")
    }


def commands(path: Path) -> dict[str, list[str]]:
    return {
        "tmo": [str(TMO_COUNT), str(path)],
        "ceiling": [sys.executable, str(CEILING), str(path)],
        "python": [sys.executable, "-c", "pass"],
    }


def check_winners(paths: list[Path], environment: dict) -> None:
    """The unmeasured round: bytecode written, files cached, and the same winners from both."""
    for path in paths:
        outputs = {
            name: run_once(command, environment)[1] for name, command in commands(path).items()
        }
        if elected(outputs["tmo"]) != elected(outputs["ceiling"]) or not elected(outputs["tmo"]):
            raise SystemExit(
                f"{path.name}: tmo-count elects {sorted(elected(outputs['tmo']))}, stvpoll "
                f"{sorted(elected(outputs['ceiling']))}"
            )


def time_wards(paths: list[Path], rounds: int, environment: dict) -> list[Ward]:
    wards = [Ward(path.stem, path, [], [], []) for path in paths]
    for round_number in range(rounds):
        note(f"round {round_number + 1} of {rounds}")
        for index, ward in enumerate(wards):
            order = ["tmo", "ceiling", "python"]
            if (round_number + index) % 2:
                order.reverse()
            for name, command in sorted(
                commands(ward.path).items(), key=lambda c: order.index(c[0])
            ):
                getattr(ward, name).append(run_once(command, environment)[0])
    return wards


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def process_table(wards: list[Ward], markdown: bool) -> str:
    header = (
        "ward",
        "winners",
        "tmo-count ms",
        "stvpoll ms",
        "python ms",
        "tmo / stvpoll",
        "share",
    )
    rows = []
    for ward in wards:
        tmo, ceiling = statistics.median(ward.tmo), statistics.median(ward.ceiling)
        row = [ms(tmo), ms(ceiling), ms(statistics.median(ward.python))]
        rows.append([ward.name, "same", *row, f"{tmo / ceiling:.2f}", f"{ceiling / tmo:.0%}"])
    tmo = sum(statistics.median(ward.tmo) for ward in wards)
    ceiling = sum(statistics.median(ward.ceiling) for ward in wards)
    python = sum(statistics.median(ward.python) for ward in wards)
    rows.append(
        [
            f"all {len(wards)}",
            "same",
            ms(tmo),
            ms(ceiling),
            ms(python),
            f"{tmo / ceiling:.2f}",
            f"{ceiling / tmo:.0%}",
        ]
    )
    return render_table(header, rows, markdown)


def load_read_blt(commit: str):
    """``read_blt`` as it was at ``commit`` (its module needs only the standard library)."""
    source = subprocess.run(
        ["git", "-C", str(REPO_DIR), "show", f"{commit}:tmo/rules/counting/ballots.py"],
        capture_output=True,
        text=True,
        check=False,
    )
    if source.returncode != 0:
        return None
    module = types.ModuleType(f"ballots_{commit}")
    sys.modules[module.__name__] = module  # dataclasses looks its module up
    exec(compile(source.stdout, f"{commit}:ballots.py", "exec"), module.__dict__)  # noqa: S102
    return module.read_blt


def time_parsing(paths: list[Path], rounds: int, before: str, markdown: bool) -> str:
    sys.path.insert(0, str(REPO_DIR))
    from tmo.rules.counting import read_blt

    readers = {"this checkout": read_blt}
    earlier = load_read_blt(before)
    if earlier is None:
        note(f"git cannot show {before}: parse timed for this checkout only")
    else:
        readers = {f"commit {before}": earlier, **readers}
    texts = [path.read_text(encoding="utf-8-sig") for path in paths]
    read = {
        name: [[(b.weight, b.preferences) for b in reader(text).ballots] for text in texts]
        for name, reader in readers.items()
    }
    if len({repr(ballots) for ballots in read.values()}) != 1:
        raise SystemExit(f"this checkout's read_blt reads other ballots than {before}'s")
    timings = {name: [] for name in readers}
    for _ in range(rounds):
        for name, reader in readers.items():
            started = time.process_time()
            for text in texts:
                reader(text)
            timings[name].append(time.process_time() - started)
    papers = sum(len(text.splitlines()) for text in texts)
    fastest = min(statistics.median(values) for values in timings.values())
    rows = [
        [
            name,
            f"{len(texts)} files, {papers} lines",
            ms(statistics.median(values)),
            f"{statistics.median(values) / fastest:.2f}",
        ]
        for name, values in timings.items()
    ]
    return render_table(
        ("read_blt of", "input", "CPU ms (median)", "times the fastest"), rows, markdown
    )


class MachineLoad:
    """How busy the CPUs were with anything but this bench, from /proc/stat and os.times()."""

    def __init__(self) -> None:
        self.start = self.read()

    @staticmethod
    def read() -> tuple[float, float, float] | None:
        try:
            ticks = [int(value) for value in Path("/proc/stat").read_text().split()[1:9]]
        except (OSError, ValueError):
            return None
        own = os.times()
        per_second = os.sysconf("SC_CLK_TCK")
        busy = (sum(ticks) - ticks[3] - ticks[4]) / per_second
        return (
            sum(ticks) / per_second,
            busy,
            own.user + own.system + own.children_user + own.children_system,
        )

    def others(self) -> float | None:
        end = self.read()
        if self.start is None or end is None or end[0] == self.start[0]:
            return None
        total, busy, own = (after - before for after, before in zip(end, self.start, strict=True))
        return max(0.0, busy - own) / total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7, help="measured rounds (default 7)")
    parser.add_argument(
        "--reference",
        type=Path,
        default=Path(
            os.environ.get("TMO_REFERENCE_DIR") or REPO_DIR.parent / "shared" / "reference"
        ),
        help="the reference folder holding stv-scotland/ (default: $TMO_REFERENCE_DIR, else "
        "../shared/reference beside the repository)",
    )
    parser.add_argument(
        "--parse-before",
        default=PARSE_BEFORE,
        help=f"the commit whose read_blt the parse is compared with (default {PARSE_BEFORE})",
    )
    parser.add_argument("--markdown", action="store_true", help="print markdown tables")
    args = parser.parse_args()

    paths = sorted((args.reference / "stv-scotland").glob("*.blt"))
    if not paths:
        parser.error(f"no BLT files in {args.reference / 'stv-scotland'}")
    if not TMO_COUNT.exists():
        parser.error(f"{TMO_COUNT} not found: install tmo into this venv (pip install -e .)")
    probe = subprocess.run(
        [sys.executable, "-c", "import stvpoll"], capture_output=True, check=False
    )
    if probe.returncode != 0:
        parser.error(f"stvpoll is not installed: {sys.executable} -m pip install -e '.[bench]'")

    busy_before = cpu_busy_share()
    environment = user_environment()
    load = MachineLoad()
    started = time.perf_counter()
    note(f"{len(paths)} wards: one unmeasured round, checking the winners")
    check_winners(paths, environment)
    wards = time_wards(paths, args.rounds, environment)
    processes = process_table(wards, args.markdown)
    note("reading the BLT files in-process")
    parsing = time_parsing(paths, max(args.rounds, 15), args.parse_before, args.markdown)
    others = load.others()

    print(
        f"{len(paths)} wards, {args.rounds} rounds, medians; {os.cpu_count()} x {cpu_model()}; "
        f"Python {platform.python_version()}; "
        + ("" if busy_before is None else f"CPU {busy_before:.0%} busy just before the run; ")
        + ("" if others is None else f"other processes kept the CPUs {others:.0%} busy during it; ")
        + f"{time.perf_counter() - started:.0f} s"
    )
    print()
    print(processes)
    print()
    print(parsing)
    ratio = sum(statistics.median(w.tmo) for w in wards) / sum(
        statistics.median(w.ceiling) for w in wards
    )
    if ratio > 1:
        print(f"\ntmo-count took {ratio:.2f} times stvpoll's time: the goal is at most 1.00")
    if max(busy_before or 0, others or 0) > 0.2:
        print("\nThe machine was busy with other work: compare the ratios, not the times.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
