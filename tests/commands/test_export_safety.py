"""`interviewer export` is safe with hostile input: an imported session whose every field holds
markup gives an HTML page where nothing runs (checked in headless Chromium) and Markdown where
nothing renders as HTML or a heading; bad JSON of any shape is one line, never a traceback; `--out`
never overwrites the transcript database, nor another file without --force."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from interviewer.cli import main
from tests.store.helpers import CHROMIUM

# Each would change the page (its title, or a data-pwned attribute) if it ever ran.
_RUN = "document.title='PWNED';document.body.setAttribute('data-pwned','1')"
PAYLOADS = (
    f'<img src=x onerror="{_RUN}">',
    f"<script>{_RUN}</script>",
    f'"><svg onload="{_RUN}">',
    f"'><iframe srcdoc='<script>parent.{_RUN}</script>'></iframe>",
    f"[click](javascript:{_RUN})",
    f"![x](x onerror={_RUN})",
    f'<a href="javascript:{_RUN}">link</a>',
    "</title></style></textarea><b>bold</b>",
)
HOSTILE = " ".join(PAYLOADS)
ANSWER = f"# Injected heading\n{HOSTILE}\n==marked== and **loud**\n1. not a list\n> not a quote"
STAMP = "2026-01-02T03:04:05Z"


def _record(**answer_fields: Any) -> dict[str, Any]:
    """An export with markup in every free-text field; `answer_fields` override the answer's."""
    evidence = ANSWER.splitlines()[1]
    start = ANSWER.index(evidence)
    key_point = {
        "key_point": f"Knows {HOSTILE}",
        "coverage": 0.9,
        "verdict": "covered",
        "evidence": {"text": evidence, "start": start, "end": start + len(evidence)},
        "similarity": 0.8,
    }
    result = {
        "question": "q1",
        "part": "main",
        "score": 90,
        "key_points": [key_point, {**key_point, "evidence": None, "verdict": "missing"}],
        "flags": ["off_topic", "addressed_to_grader"],
    }
    answer = {
        "id": 1,
        "question_id": "q1",
        "part": "main",
        "text": ANSWER,
        "seconds": 12.0,
        "submitted_at": STAMP,
        "scores": [{"result": result, "scored_at": STAMP}],
        "feedback": {"text": f"Feedback {HOSTILE}", "complete": True, "saved_at": STAMP},
    }
    answer.update(answer_fields)
    retry = {**answer, "id": 2, "text": f"A retry {HOSTILE}"}
    return {
        "format": "interviewer.session/1",
        "uid": f"uid-{HOSTILE}",
        "bank_id": f"bank {HOSTILE}",
        "started_at": STAMP,
        "settings": {"note": HOSTILE},
        "questions": [
            {
                "id": "q1",
                "title": f"Title {HOSTILE}",
                "category": HOSTILE,
                "prompt": f"Prompt {HOSTILE}",
                "model_answer": f'Model {HOSTILE}\n\n<div onclick="{_RUN}">x</div>',
                "follow_up": HOSTILE,
            }
        ],
        "answers": [answer, retry],
    }


def _import(tmp_path: Path, record: dict[str, Any] | str) -> int:
    path = tmp_path / "session.json"
    text = record if isinstance(record, str) else json.dumps(record)
    path.write_text(text, encoding="utf-8")
    return main(["export", "--import", str(path)])


def _one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_a_markup_part_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The issue's case: `part` holding an <img onerror> never reaches a page."""
    assert _import(tmp_path, _record(part=PAYLOADS[0])) == 2
    assert "answers.0.part: Input should be 'main' or 'follow_up'" in _one_line(
        capsys.readouterr().err
    )


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str]] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [(name, value or "") for name, value in attrs]
        self._in_title = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


def _assert_inert(page: str) -> _Tags:
    parsed = _Tags()
    parsed.feed(page)
    assert not {"script", "img", "svg", "iframe", "b", "textarea"} & set(parsed.tags), parsed.tags
    assert [n for n, _ in parsed.attributes if n.startswith("on") or n == "data-pwned"] == []
    assert [v for n, v in parsed.attributes if n in ("href", "src") and not v.startswith("#")] == []
    return parsed


def test_the_html_export_escapes_every_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _import(tmp_path, _record()) == 0
    out = tmp_path / "s.html"
    assert main(["export", "last", "-f", "html", "--out", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    parsed = _assert_inert(page)
    assert parsed.title.startswith("Interview session 1 · bank <img src=x onerror=")
    assert "Content-Security-Policy" in page  # a second wall if escaping ever failed
    # the content is still there, as text: summary, attempts, flags
    assert "Answer, attempt 2" in page
    assert "The answer does not seem to address this question." in page
    assert "Text addressed to the grader was ignored and earns nothing." in page


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_nothing_runs_in_headless_chromium(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The page opened in a real browser, given time for every handler and load to fire: the title
    and body are unchanged, and the live DOM holds no handler, script, image or frame."""
    assert _import(tmp_path, _record()) == 0
    page = tmp_path / "s.html"
    assert main(["export", "last", "-f", "html", "--out", str(page)]) == 0
    run = subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--virtual-time-budget=3000",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    dom = run.stdout
    parsed = _assert_inert(dom)
    assert parsed.title.startswith("Interview session 1 · bank <img src=x onerror=")  # unchanged
    assert "<body>" in dom  # and no data-pwned attribute on it (checked above)
    assert "Answer, attempt 2" in dom  # the page did render


def test_the_markdown_export_renders_nothing_from_the_answers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _import(tmp_path, _record()) == 0
    capsys.readouterr()
    assert main(["export", "last", "-f", "md"]) == 0
    markdown = capsys.readouterr().out
    assert "==marked==" not in markdown and "\\=\\=marked\\=\\=" in markdown
    assert "\n# Injected" not in markdown and "\\# Injected heading" in markdown
    # Rendered the way a permissive viewer would, raw HTML allowed: still nothing live.
    rendered = MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)
    parsed = _assert_inert(rendered)
    assert parsed.tags.count("h1") == 1  # the export's own title, never the answer's line
    assert "<ol>" not in rendered and "<blockquote>\n<p>not a quote" not in rendered
    assert "<table>" in rendered  # the summary table
    assert "| Answer, attempt 2 |" in markdown
    assert "- ⚠ The answer does not seem to address this question." in markdown


def test_deeply_nested_json_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cases = {
        "[" * 100_000: "nested more than 64 levels deep",
        json.dumps(_record(seconds=1) | {"settings": {"a": _nest(200)}}): "nested more than 64",
        '{"format": "interviewer.session/1", "id": ' + "9" * 5000 + "}": "not JSON",
        json.dumps(_record() | {"id": 10**30}): "id: Input should be less than or equal to",
        json.dumps(_record(seconds=float("nan"))): "answers.0.seconds: Input should be a finite",
        '{"format": "interviewer.session/1", "uid": "\\ud800"}': "lone surrogate",
        "\ufeff" + json.dumps({"hello": 1}): "not an interviewer session export",
    }
    for text, message in cases.items():
        assert _import(tmp_path, text) == 2, message
        assert message in _one_line(capsys.readouterr().err)


def _nest(depth: int) -> object:
    value: object = 0
    for _ in range(depth):
        value = [value]
    return value


def test_out_never_overwrites_the_database_or_an_existing_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _import(tmp_path, _record()) == 0
    database = Path(os.environ["INTERVIEWER_HOME"]) / "transcripts.sqlite3"
    before = database.read_bytes()
    for force in ([], ["--force"]):
        assert main(["export", "1", "-f", "html", "--out", str(database), *force]) == 2
        assert "refusing to overwrite the transcript database" in _one_line(capsys.readouterr().err)
    link = tmp_path / "link.html"
    link.symlink_to(database)
    assert main(["export", "1", "--out", str(link), "--force"]) == 2
    assert "refusing to overwrite" in _one_line(capsys.readouterr().err)
    assert database.read_bytes() == before
    with sqlite3.connect(database) as db:
        assert db.execute("select count(*) from sessions").fetchone() == (1,)

    existing = tmp_path / "notes.md"
    existing.write_text("mine", encoding="utf-8")
    assert main(["export", "1", "--out", str(existing)]) == 2
    assert "already exists (add --force" in _one_line(capsys.readouterr().err)
    assert existing.read_text(encoding="utf-8") == "mine"
    assert main(["export", "1", "--out", str(existing), "--force"]) == 0
    assert existing.read_text(encoding="utf-8").startswith("# Interview session 1")


def test_out_onto_a_symbolic_link_loop_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 14: on Python 3.11 `Path.resolve` raises RuntimeError for a link loop, which the
    database check let through as a traceback."""
    assert _import(tmp_path, _record()) == 0
    loop = tmp_path / "loop.html"
    loop.symlink_to(loop)
    capsys.readouterr()
    assert main(["export", "1", "--out", str(loop)]) == 2
    assert "already exists (add --force" in _one_line(capsys.readouterr().err)
    assert main(["export", "1", "--out", str(loop), "--force"]) == 1
    assert "cannot write: Too many levels of symbolic links" in _one_line(capsys.readouterr().err)


def test_session_references_are_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "last"]) == 1
    assert "there is no session yet" in _one_line(capsys.readouterr().err)
    for ref, status in (("9" * 5000, 1), ("²", 2), ("-1", 2)):
        assert main(["export", ref]) == status
        _one_line(capsys.readouterr().err)


# -- Any JSON at all ------------------------------------------------------------------------------

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)


@st.composite
def _mutated_records(draw: st.DrawFn) -> str:
    """A valid export with one value somewhere replaced by arbitrary JSON (or removed), or a
    truncated one."""
    record: Any = _record()
    node: Any = record
    while True:
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        key = draw(st.sampled_from(keys))
        child = node[key]
        if isinstance(child, dict | list) and child and draw(st.integers(0, 3)) != 3:
            node = child
            continue
        if isinstance(node, dict) and draw(st.integers(0, 4)) == 4:
            del node[key]
        else:
            node[key] = draw(_JSON)
        break
    text = json.dumps(record)
    if draw(st.integers(0, 9)) == 9:
        text = text[: draw(st.integers(0, len(text)))]
    return text


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=_mutated_records())
def test_any_imported_json_is_stored_and_exported_or_refused_in_one_line(
    text: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with tempfile.TemporaryDirectory() as home:
        monkeypatch.setenv("INTERVIEWER_HOME", home)
        capsys.readouterr()
        status = _import(Path(home), text)
        if status != 0:
            assert status in (1, 2)
            _one_line(capsys.readouterr().err)
            return
        for fmt in ("md", "html", "json"):
            assert main(["export", "last", "-f", fmt]) == 0
            out = capsys.readouterr().out
            if fmt == "html":
                _assert_inert(out)
