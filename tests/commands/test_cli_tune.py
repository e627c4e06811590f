"""`interviewer tune` writes its fitted map to the user's rubrics folder (or `--out`), never into the
package's data, and the grader then reads the user's map over the shipped one. A bag-of-words
embedder stands in for the model: these tests are about where files go, not about the fit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from interviewer.cli import main
from interviewer.core.grading.embedding import HashingEmbedder
from interviewer.core.grading.params import PARAMS_FILE, load_params
from interviewer.evaluation import report
from interviewer.paths import Paths
from interviewer.wiring import load_context

LABELLED = Path(__file__).resolve().parents[2] / "eval" / "labelled"
QUESTIONS = (
    "circuit-breaker-pattern",
    "cap-theorem-in-practice",
    "bulkhead-pattern-for-fault-isolation",
)


@pytest.fixture
def offline_tune(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str]:
    """No model and no report in the checkout: the embedder is a fake, reports go to tmp_path."""
    monkeypatch.setattr("interviewer.wiring.default_embedder", lambda model=None: HashingEmbedder())
    write = report.write_reports

    def to_tmp(*args: Any, **kwargs: Any) -> tuple[Path, Path]:
        return write(*args, **{**kwargs, "directory": tmp_path / "reports"})

    monkeypatch.setattr(report, "write_reports", to_tmp)
    return ["tune", *(f"--data={LABELLED / f'{q}.jsonl'}" for q in QUESTIONS)]


def test_tune_writes_the_users_map_and_the_grader_reads_it_over_the_shipped_one(
    offline_tune: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    paths = Paths.from_env()
    shipped = paths.project_rubrics / PARAMS_FILE
    before = shipped.read_bytes()
    assert main(offline_tune) == 0
    written = paths.user_rubrics / PARAMS_FILE
    assert f"wrote {written}" in capsys.readouterr().out.replace("\n", "")
    assert shipped.read_bytes() == before  # the package's data is untouched
    fitted = load_params(paths.user_rubrics)
    assert load_context(paths).params == fitted != load_params(paths.project_rubrics)


def test_tune_out_writes_only_there(offline_tune: list[str], tmp_path: Path) -> None:
    out = tmp_path / "maps"
    assert main([*offline_tune, "--out", str(out)]) == 0
    assert (out / PARAMS_FILE).exists()
    assert not Paths.from_env().user_rubrics.exists()


def test_without_a_users_map_the_shipped_one_scores() -> None:
    """A user who never ran tune grades exactly as before: `interviewer eval` numbers unchanged."""
    paths = Paths.from_env()
    assert load_context(paths).params == load_params(paths.project_rubrics)
    assert load_context(paths).params.fitted != "default (not tuned)"
