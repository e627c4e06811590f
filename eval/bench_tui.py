"""Startup benchmark of the interview TUI: process start -> first paint, and -> "model ready".

Runs the real CLI in a pseudo-terminal (100x40) several times, watches what it draws, and prints the
median and the spread of each milestone. Targets from issue 4: first paint <= 0.3 s, model ready
<= 6 s (before a typical user has typed a sentence).

    .venv/bin/python -m eval.bench_tui [--runs 5] [--floor]

`--floor` adds a bare Textual app for comparison: the least any Textual app pays to paint here.
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
BIN = REPO / ".venv" / "bin"
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


SCENARIOS = [
    Scenario(
        "interviewer (start screen)",
        [str(BIN / "interviewer")],
        {
            "first paint": TITLE,
            "banks loaded": "Architecture & System Design (",
            "model ready": "model ready",
        },
    ),
    Scenario(
        "interviewer interview --count 2",
        [str(BIN / "interviewer"), "interview", "--count", "2"],
        {"first paint": TITLE, "first question": "1/2 ·", "model ready": "model ready"},
    ),
]


def run_once(
    command: list[str], milestones: dict[str, str], home: str, timeout: float
) -> dict[str, float]:
    """Seconds from spawning the process to each milestone's text reaching the terminal."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 100, 0, 0))
    env = dict(os.environ, TERM="xterm-256color", COLORTERM="truecolor", INTERVIEWER_HOME=home)
    started = time.perf_counter()
    process = subprocess.Popen(
        command, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True
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


def row(name: str, label: str, values: list[float], runs: int) -> str:
    if not values:
        return f"| {name} | {label} | not reached | | 0/{runs} |"
    median = statistics.median(values)
    return (
        f"| {name} | {label} | {median:.2f} | {min(values):.2f}-{max(values):.2f} "
        f"| {len(values)}/{runs} |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--floor", action="store_true", help="also time a bare Textual app")
    args = parser.parse_args()
    scenarios = list(SCENARIOS)
    if args.floor:
        scenarios.append(
            Scenario(
                "bare Textual app",
                [sys.executable, "-c", FLOOR_APP],
                {"first paint": "floor ready"},
            )
        )
    lines = ["| command | milestone | median s | range s | reached |", "|---|---|---|---|---|"]
    with tempfile.TemporaryDirectory(prefix="bench-tui-") as home:
        run_once(
            SCENARIOS[0].command, {"model ready": "model ready"}, home, args.timeout
        )  # warm disk caches
        for scenario in scenarios:
            results = [
                run_once(scenario.command, scenario.milestones, home, args.timeout)
                for _ in range(args.runs)
            ]
            for label in scenario.milestones:
                values = [r[label] for r in results if label in r]
                lines.append(row(scenario.name, label, values, args.runs))
    print(
        f"TUI startup, {args.runs} runs each, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}"
    )
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
