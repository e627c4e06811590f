"""Labelled answer files from a folder: only regular `*.jsonl` files are read, so a FIFO (or a
socket) left in the folder cannot block `eval --data` or `tune --data` (checked with a timeout in a
child process: a blocked read would hang the test run itself)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from interviewer.evaluation.labelled import DEFAULT_DATA, load_labelled

ROW = json.loads(next(iter(sorted(DEFAULT_DATA.glob("*.jsonl")))).read_text().splitlines()[0])


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_in_the_folder_is_passed_over_and_the_files_beside_it_are_read(
    tmp_path: Path,
) -> None:
    (tmp_path / "a.jsonl").write_text(json.dumps(ROW) + "\n", encoding="utf-8")
    os.mkfifo(tmp_path / "b.jsonl")  # nobody will ever write to it
    script = (
        "import sys; from pathlib import Path; "
        "from interviewer.evaluation.labelled import load_labelled; "
        "print([r.id for r in load_labelled([Path(sys.argv[1])])])"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout.strip() == repr([ROW["id"]])


def test_a_folder_of_only_other_files_gives_no_answers(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not labelled data", encoding="utf-8")
    (tmp_path / "sub.jsonl").mkdir()  # a folder named like a data file
    assert load_labelled([tmp_path]) == []
