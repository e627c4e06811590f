"""`interviewer rubric check` with the real model: the shipped rubrics pass; a rubric whose key point
carries another question's evidence fails, naming the point; one line per finding."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from interviewer.cli import main
from tests.conftest import REPO

SHIPPED = REPO / "rubrics" / "architecture-system-design"


def test_rubric_group_lists_check(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["rubric", "--help"])
    assert "check" in capsys.readouterr().out


def test_an_unknown_bank_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rubric", "check", "--bank", "nope"]) == 2
    assert capsys.readouterr().err.strip() == (
        "interviewer rubric: no bank 'nope' (see `interviewer bank list`)"
    )


def test_a_missing_folder_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rubric", "check", "--rubrics", str(tmp_path / "none")]) == 2
    assert capsys.readouterr().err.strip().endswith("none: no such folder")


@pytest.mark.model
def test_the_shipped_rubrics_pass(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rubric", "check"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1].startswith(
        "architecture-system-design: 34 of 34 questions checked, 109 key points: 0 failure"
    )
    assert all(line.startswith("warn: ") for line in out[:-1])


@pytest.mark.model
def test_a_key_point_with_another_questions_evidence_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "rubrics"
    folder.mkdir()
    names = (
        "circuit-breaker-pattern",
        "kubernetes-pods-services-deployments",
        "cdn-and-edge-caching",
    )
    for name in names:
        (folder / f"{name}.yaml").write_bytes((SHIPPED / f"{name}.yaml").read_bytes())
    breaker = yaml.safe_load((folder / f"{names[0]}.yaml").read_text())
    pods = yaml.safe_load((folder / f"{names[1]}.yaml").read_text())
    breaker["key_points"][0]["evidence"] = pods["key_points"][0]["evidence"]
    breaker["key_points"][0]["mistakes"] = []
    breaker["key_points"][0]["mentions"] = []
    (folder / f"{names[0]}.yaml").write_text(yaml.safe_dump(breaker))
    assert main(["rubric", "check", "--rubrics", str(folder)]) == 1
    out = capsys.readouterr().out.splitlines()
    failures = [line for line in out if line.startswith("fail: ")]
    assert failures and failures[0].startswith(
        "fail: circuit-breaker-pattern: 'Knows all three states': the model answer does not cover it"
    )
    assert any(
        line.startswith(
            "warn: circuit-breaker-pattern: 'Knows all three states': the model answer "
            "of kubernetes-pods-services-deployments covers it better"
        )
        for line in out
    )
    assert out[-2].startswith("warn: 31 question(s) have no rubric here (not checked;")
    assert out[-1].startswith("architecture-system-design: 3 of 34 questions checked, ")
