"""`interviewer interview` refuses an unknown --category or --bank at once, in one line naming the
known ones (exit 2), before the TUI opens; a case-insensitive start of a category is accepted."""

from __future__ import annotations

import pytest

from interviewer.cli import main


@pytest.fixture(autouse=True)
def _no_tui(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The TUI must not open: `make_app` records that it was reached and stops there."""
    reached: list[object] = []

    def refuse(*args: object, **kwargs: object) -> object:
        reached.append(args)
        raise SystemExit(99)

    monkeypatch.setattr("interviewer.tui.app.make_app", refuse)
    return reached


def test_an_unknown_category_fails_with_the_known_ones(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["interview", "--category", "Nope"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert err.startswith("interviewer interview: unknown category 'Nope'; known categories:")
    assert "Observability" in err and "Distributed Systems" in err


def test_one_unknown_among_known_categories_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["interview", "--category", "obs,\x1b[2JNope"]) == 2
    err = capsys.readouterr().err
    assert "unknown category 'Nope'" in err  # the escape sequence is stripped
    assert "\x1b" not in err and "'obs'" not in err


def test_an_unknown_bank_fails_with_the_known_ones(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["interview", "--bank", "nope", "--count", "2"]) == 2
    err = capsys.readouterr().err
    assert "unknown bank 'nope'; known banks: architecture-system-design" in err


def test_a_category_prefix_reaches_the_tui(_no_tui: list[object]) -> None:
    with pytest.raises(SystemExit):
        main(["interview", "--category", "observ", "--count", "1"])
    assert _no_tui  # accepted: the app was about to open
