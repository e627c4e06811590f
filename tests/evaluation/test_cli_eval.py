"""`interviewer eval` refusals that need no model."""

from __future__ import annotations

from pathlib import Path

import pytest

from interviewer.cli import main


def test_eval_with_a_verifier_but_no_verifier_map_says_so_before_loading_anything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`eval --verifier-folds` without `_scoring_verifier.yaml` would silently score as before."""
    rubrics = tmp_path / "rubrics"
    rubrics.mkdir()
    code = main(["eval", "--verifier-folds", str(tmp_path / "v"), "--rubrics", str(rubrics)])
    assert code == 2
    assert "no verifier map (_scoring_verifier.yaml)" in capsys.readouterr().err
