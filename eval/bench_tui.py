"""Startup benchmark of the interview TUI: process start -> first paint, and -> "model ready".

Runs the real CLI in a pseudo-terminal (100x40) several times, watches what it draws, and prints the
median and the spread of each milestone, and each as a ratio to a bare Textual app that paints one
line (the least any Textual app pays to paint here), measured in the same run. Targets from issue
17: first paint within 1.2x the bare app, model ready <= 2.5 s.

    .venv/bin/python -m eval.bench_tui [--runs 5] [--tree DIR]

`--tree DIR` measures the app of another checkout (e.g. the last commit, unpacked: the "before").
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TITLE = "interviewer · a mock system-design interview"
FLOOR_APP = (
    "from textual.app import App\nfrom textual.widgets import Static\n"
    "class A(App):\n    def compose(self):\n        yield Static('floor ready')\nA().run()\n"
)


@dataclass(frozen=True)
class Scenario:
    name: str
    command: list[str]
    milestones: dict[str, str]  # label -> text that shows it is on screen


CLI = [sys.executable, "-m", "interviewer.cli"]
SCENARIOS = [
    Scenario(
        "interviewer (start screen)",
        CLI,
        {
            "first paint": TITLE,
            "banks loaded": "Architecture & System Design (",
            "model ready": "model ready",
        },
    ),
    Scenario(
        "interviewer interview --count 2",
        [*CLI, "interview", "--count", "2"],
        {"first paint": TITLE, "first question": "1/2 ·", "model ready": "model ready"},
    ),
]


FLOOR = Scenario(
    "bare Textual app", [sys.executable, "-c", FLOOR_APP], {"first paint": "floor ready"}
)


def run_once(
    command: list[str], milestones: dict[str, str], home: str, timeout: float, tree: Path = REPO
) -> dict[str, float]:
    """Seconds from spawning the process to each milestone's text reaching the terminal."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 100, 0, 0))
    env = dict(os.environ, TERM="xterm-256color", COLORTERM="truecolor", INTERVIEWER_HOME=home)
    # Byte-code caches on, as for an installed package (pip compiles it; Textual's are there): the
    # warm-up run writes the tree's, so no run pays for compiling the sources
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if tree != REPO:
        env["PYTHONPATH"] = str(tree)  # its `interviewer` over the installed one
    started = time.perf_counter()
    process = subprocess.Popen(
        command, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True, cwd=tree
    )
    os.close(slave)
    seen: dict[str, float] = {}
    screen = b""
    try:
        while len(seen) < len(milestones) and time.perf_counter() - started < timeout:
            ready, _, _ = select.select([master], [], [], 0.02)
            if not ready:
                continue
            try:
                screen += os.read(master, 1 << 16)
            except OSError:
                break
            now = time.perf_counter() - started
            for label, text in milestones.items():
                if label not in seen and text.encode() in screen:
                    seen[label] = now
        os.write(master, b"\x11")  # ctrl+q: nothing typed, so it quits without asking
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    finally:
        os.close(master)
    return seen


def row(name: str, label: str, values: list[float], runs: int, floor: float | None) -> str:
    if not values:
        return f"| {name} | {label} | not reached | | | 0/{runs} |"
    median = statistics.median(values)
    ratio = f"{median / floor:.2f}x" if floor else ""
    return (
        f"| {name} | {label} | {median:.2f} | {min(values):.2f}-{max(values):.2f} | {ratio} "
        f"| {len(values)}/{runs} |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--tree", type=Path, default=REPO, help="measure another checkout's app")
    parser.add_argument("--floor", action="store_true", help=argparse.SUPPRESS)  # always, now
    args = parser.parse_args()
    tree = args.tree.resolve()
    lines = [
        "| command | milestone | median s | range s | x bare Textual | reached |",
        "|---|---|---|---|---|---|",
    ]
    with tempfile.TemporaryDirectory(prefix="bench-tui-") as home:
        run_once(
            SCENARIOS[0].command, {"model ready": "model ready"}, home, args.timeout, tree
        )  # warm disk caches, and the user's rubric cache
        floor_runs: list[dict[str, float]] = []
        results: dict[str, list[dict[str, float]]] = {s.name: [] for s in SCENARIOS}
        for _ in range(args.runs):  # interleaved, so a busy spell hits every command alike
            floor_runs.append(run_once(FLOOR.command, FLOOR.milestones, home, args.timeout))
            for scenario in SCENARIOS:
                results[scenario.name].append(
                    run_once(scenario.command, scenario.milestones, home, args.timeout, tree)
                )
        paints = [r["first paint"] for r in floor_runs if "first paint" in r]
        floor = statistics.median(paints) if paints else None
        lines.append(row(FLOOR.name, "first paint", paints, args.runs, floor))
        for scenario in SCENARIOS:
            for label in scenario.milestones:
                values = [r[label] for r in results[scenario.name] if label in r]
                lines.append(row(scenario.name, label, values, args.runs, floor))
    print(
        f"TUI startup of {tree}, {args.runs} runs each, {os.cpu_count()} CPUs, "
        f"load {os.getloadavg()[0]:.1f}"
    )
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
