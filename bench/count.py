"""Counting bench: ``tmo-count`` over the 21 Glasgow 2007 wards, next to stvpoll's Scottish STV.

``.venv/bin/python bench/count.py [--rounds 7] [--reference DIR] [--before b5404bc]
[--markdown]`` counts each ward's BLT file as a person does, one process per ward: this venv's
``tmo-count WARD.blt`` (this checkout's ``tmo`` first on ``PYTHONPATH``), and, as the ceiling,
``bench/stvpoll_count.py WARD.blt`` (stvpoll's ``ScottishSTV``); with ``--before COMMIT``, also
the same ``tmo-count`` counting with that commit's ``tmo`` (a ``git archive`` of it in a
temporary folder). All run in one pass per round, ward by ward, their order alternating from
ward to ward and round to round, after one unmeasured round that also checks they elect the
same candidates. It prints, per ward and in total, the median wall-clock time of each, tmo's
time over stvpoll's (the goal: at most 1.00) and tmo's share of the ceiling (stvpoll's time over
tmo's), with the time of a bare ``python -c pass`` for the floor they all stand on. Then it
times reading every ward's BLT file in-process (CPU time, which other work on the machine
disturbs less than the wall clock) with this checkout's ``read_blt`` and with the earlier
commit's. See bench/README.md.
"""

import argparse
import contextlib
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path

from register_search import render_table
from run import REPO_DIR, code_version, cpu_busy_share, cpu_model, note, share

BIN = Path(sys.executable).parent
TMO_COUNT = BIN / "tmo-count"
CEILING = Path(__file__).resolve().parent / "stvpoll_count.py"
# The earlier commit measured beside this checkout: the last before the BLT reader was rewritten.
BEFORE = "b5404bc"


def user_environment(checkout: Path) -> dict:
    """A person's shell: bytecode cached as an installed package has it, no warning filters;
    ``checkout``'s ``tmo`` first, whatever the venv's own install points to."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHONDONTWRITEBYTECODE", "PYTHONWARNINGS", "PYTHONDEVMODE")
    }
    environment["PYTHONPATH"] = os.pathsep.join(
        [str(checkout), *filter(None, [os.environ.get("PYTHONPATH")])]
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


class Commands:
    """What is run for each ward, by name, each with its environment."""

    def __init__(self, before: Path | None) -> None:
        here = user_environment(REPO_DIR)
        self.runs = {"tmo": ([str(TMO_COUNT)], here)}
        if before is not None:
            self.runs["before"] = ([str(TMO_COUNT)], user_environment(before))
        self.runs["ceiling"] = ([sys.executable, str(CEILING)], here)
        self.runs["python"] = ([sys.executable, "-c", "pass"], here)

    def each(self, path: Path, order: int) -> list[tuple[str, list[str], dict]]:
        runs = [
            (name, command if name == "python" else [*command, str(path)], environment)
            for name, (command, environment) in self.runs.items()
        ]
        return runs[::-1] if order % 2 else runs


def check_winners(paths: list[Path], commands: Commands) -> None:
    """The unmeasured round: bytecode written, files cached, and the same winners from all."""
    for path in paths:
        winners = {
            name: elected(run_once(command, environment)[1])
            for name, command, environment in commands.each(path, 0)
            if name != "python"
        }
        if not winners["tmo"] or any(found != winners["tmo"] for found in winners.values()):
            raise SystemExit(f"{path.name}: not the same winners: {winners}")


def time_wards(paths: list[Path], rounds: int, commands: Commands) -> dict[str, dict]:
    """Seconds by ward, then by command name, one entry a round."""
    times = {path.stem: {name: [] for name in commands.runs} for path in paths}
    for round_number in range(rounds):
        note(f"round {round_number + 1} of {rounds}")
        for index, path in enumerate(paths):
            for name, command, environment in commands.each(path, round_number + index):
                times[path.stem][name].append(run_once(command, environment)[0])
    return times


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def process_table(times: dict[str, dict], markdown: bool) -> str:
    names = list(next(iter(times.values())))
    labels = {"tmo": "tmo-count", "before": f"{BEFORE} tmo-count", "ceiling": "stvpoll"}
    header = ("ward", "winners", *(f"{labels.get(n, n)} ms" for n in names))
    header += ("tmo / stvpoll", "share of ceiling") + (
        ("before / stvpoll",) if "before" in names else ()
    )
    medians = {
        ward: {n: statistics.median(v) for n, v in by_name.items()}
        for ward, by_name in times.items()
    }
    medians[f"all {len(times)}"] = {n: sum(m[n] for m in medians.values()) for n in names}
    rows = []
    for ward, median in medians.items():
        row = [ward, "same", *(ms(median[n]) for n in names)]
        row += [
            f"{median['tmo'] / median['ceiling']:.2f}",
            share(median["ceiling"], median["tmo"]),
        ]
        if "before" in names:
            row.append(f"{median['before'] / median['ceiling']:.2f}")
        rows.append(row)
    return render_table(header, rows, markdown)


@contextlib.contextmanager
def archive_of(commit: str):
    """A temporary copy of ``commit``'s tree (``git archive``), or None where git cannot."""
    with tempfile.TemporaryDirectory(prefix="tmo-count-before-") as folder:
        archive = subprocess.run(
            ["git", "-C", str(REPO_DIR), "archive", commit, "tmo"],
            capture_output=True,
            check=False,
        )
        if archive.returncode != 0:
            note(f"git cannot archive {commit}: {archive.stderr.decode(errors='replace')}")
            yield None
            return
        subprocess.run(["tar", "-x", "-C", folder], input=archive.stdout, check=True)
        yield Path(folder)


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
    earlier = load_read_blt(before) if before else None
    if before and earlier is None:
        note(f"git cannot show {before}: parse timed for this checkout only")
    elif earlier is not None:
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
        "--before",
        default=BEFORE,
        help=f"the earlier commit measured beside this checkout (default {BEFORE}; '' for none)",
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
    load = MachineLoad()
    started = time.perf_counter()
    with contextlib.ExitStack() as stack:
        before = stack.enter_context(archive_of(args.before)) if args.before else None
        commands = Commands(before)
        note(f"{len(paths)} wards: one unmeasured round, checking the winners")
        check_winners(paths, commands)
        times = time_wards(paths, args.rounds, commands)
    processes = process_table(times, args.markdown)
    note("reading the BLT files in-process")
    parsing = time_parsing(paths, max(args.rounds, 15), args.before, args.markdown)
    others = load.others()

    print(
        f"{len(paths)} wards, {args.rounds} rounds, medians; {code_version()}; "
        f"{os.cpu_count()} x {cpu_model()}; Python {platform.python_version()}; "
        + ("" if busy_before is None else f"CPU {busy_before:.0%} busy just before the run; ")
        + ("" if others is None else f"other processes kept the CPUs {others:.0%} busy during it; ")
        + f"{time.perf_counter() - started:.0f} s"
    )
    print()
    print(processes)
    print()
    print(parsing)
    ratio = sum(statistics.median(t["tmo"]) for t in times.values()) / sum(
        statistics.median(t["ceiling"]) for t in times.values()
    )
    if ratio > 1:
        print(f"\ntmo-count took {ratio:.2f} times stvpoll's time: the goal is at most 1.00")
    if max(busy_before or 0, others or 0) > 0.2:
        print("\nThe machine was busy with other work: compare the ratios, not the times.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
