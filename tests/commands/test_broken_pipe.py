"""A reader that leaves early (`interviewer bank list --json | head -1`) ends no command in a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.parametrize("argv", [["bank", "list", "--json"], ["bank", "show", "9", "--json"]])
def test_a_closed_pipe_is_quiet(argv: list[str], tmp_path: Path) -> None:
    env = {**os.environ, "INTERVIEWER_HOME": str(tmp_path)}
    reader, writer = os.pipe()
    os.close(reader)  # nobody will read: the first write meets a closed pipe
    try:
        done = subprocess.run(
            [sys.executable, "-m", "interviewer.cli", *argv],
            stdout=writer,
            stderr=subprocess.PIPE,
            env=env,
            timeout=120,
            check=False,
        )
    finally:
        os.close(writer)
    assert done.returncode == 141
    assert b"Traceback" not in done.stderr and b"BrokenPipe" not in done.stderr
