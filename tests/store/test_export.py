"""Export and import: JSON round-trips to the same record; Markdown and HTML carry the questions,
scores, highlights and model answers; the HTML reads in a real (headless) browser."""

from __future__ import annotations

import html
import re
import subprocess
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from interviewer.adapters.store.sqlite import SqliteTranscriptStore, open_store
from interviewer.cli import main
from interviewer.core.result import EvidenceSpan, KeyPointResult, ScoreResult, Verdict
from interviewer.core.transcripts.export_text import clean
from interviewer.core.transcripts.records import SessionRecord, StoredAnswer, StoredScore
from interviewer.core.transcripts.render import from_json, segments, to_html, to_json, to_markdown
from interviewer.paths import Paths
from tests.store.helpers import CACHE_ANSWER, CHROMIUM, CIRCUIT_ANSWER, circuit_result


def test_json_export_imports_back_to_the_same_record(
    filled: tuple[SqliteTranscriptStore, int], tmp_path: Path
) -> None:
    store, session = filled
    store.correct_verdict(store.load_session(session).answers[0].id, 1, "covered")
    original = store.load_session(session)
    other = SqliteTranscriptStore(tmp_path / "other.sqlite3", fallback_dir=tmp_path / "fb")
    imported = other.load_session(other.import_session(from_json(to_json(original))))
    assert imported.without_ids() == original.without_ids()
    assert imported.answers[0].corrections == original.answers[0].corrections


def test_import_refuses_a_bad_file_with_one_line() -> None:
    with pytest.raises(ValueError, match="not JSON"):
        from_json("{")
    with pytest.raises(ValueError, match="not an interviewer session export"):
        from_json('{"hello": 1}')
    with pytest.raises(ValueError, match="bank_id: Field required"):
        from_json(
            '{"format": "interviewer.session/1", "uid": "x", "started_at": "2025-01-01T00:00:00Z"}'
        )


def test_import_refuses_a_negative_time_taken_and_stores_nothing(
    filled: tuple[SqliteTranscriptStore, int], tmp_path: Path
) -> None:
    store, session = filled
    exported = to_json(store.load_session(session))
    first = re.search(r'"seconds": [0-9.]+', exported)
    assert first is not None
    tampered = exported.replace(first.group(0), '"seconds": -5.0', 1)
    with pytest.raises(
        ValueError, match=r"^answers\.0\.seconds: the time taken cannot be negative$"
    ):
        from_json(tampered)
    path = tmp_path / "tampered.json"
    path.write_text(tampered, encoding="utf-8")
    home = Paths.from_env()
    home.home.mkdir(parents=True, exist_ok=True)
    user = open_store(home)
    before = len(user.list_sessions())
    user.import_session(from_json(exported))  # the untampered file goes in
    assert main(["export", "--import", str(path)]) == 2
    assert len(user.list_sessions()) == before + 1  # and the tampered one does not


def test_the_cli_exports_and_imports(
    filled: tuple[SqliteTranscriptStore, int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Through `interviewer export`, between two user homes (as when moving machines)."""
    source, session = filled
    home = Paths.from_env()
    home.home.mkdir(parents=True, exist_ok=True)
    user = open_store(home)
    user.import_session(source.load_session(session))
    out = tmp_path / "s.json"
    assert main(["export", "last", "--format", "json", "--out", str(out)]) == 0
    assert main(["export", "--import", str(out)]) == 1
    assert "already stored as session 1" in capsys.readouterr().err
    exported = from_json(out.read_text())
    assert exported.without_ids() == source.load_session(session).without_ids()
    assert main(["export", "1", "--format", "md"]) == 0
    markdown = capsys.readouterr().out
    assert "## Circuit breaker pattern (Answer)" in markdown
    assert main(["export", "--import", str(tmp_path / "missing.json")]) == 1
    assert "cannot read" in capsys.readouterr().err


def test_evidence_segments_cover_the_answer_once() -> None:
    result = circuit_result()
    parts = segments(CIRCUIT_ANSWER, result.key_points)
    assert "".join(p.text for p in parts) == CIRCUIT_ANSWER
    marked = {p.key_point: p.text for p in parts if p.key_point is not None}
    assert marked[0].startswith("After a cool-down")
    assert marked[1].startswith("After too many failures")


def test_markdown_marks_evidence_and_keeps_the_model_answer(
    filled: tuple[SqliteTranscriptStore, int],
) -> None:
    store, session = filled
    text = to_markdown(store.load_session(session))
    assert "\\[2\\]**After too many failures it opens" in text
    assert "==After" not in text  # no non-standard ==mark==
    assert "- ✘ missing: Knows fallbacks (0.10)" in text
    assert "### Model answer" in text
    assert "### Feedback" in text


class _Visible(HTMLParser):
    """Text and tags of a page, to check structure without a browser."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.links += [v or "" for k, v in attrs if k in ("src", "href")]


def test_html_is_self_contained(filled: tuple[SqliteTranscriptStore, int]) -> None:
    store, session = filled
    page = to_html(store.load_session(session))
    parser = _Visible()
    parser.feed(page)
    # no external assets of any kind: the only links are the summary's to its answers
    assert parser.links == ["#answer-1", "#answer-2", "#answer-3"]
    assert "script" not in parser.tags and "link" not in parser.tags
    assert parser.tags.count("mark") == 4  # 2 + 1 highlights in the circuit answers, 1 in cache
    assert "<details><summary>Model answer</summary>" in page


def test_html_escapes_what_the_user_typed(store: SqliteTranscriptStore) -> None:
    session = store.start_session("b", ["circuit-breaker-pattern"], {})
    store.submit_answer(session, "circuit-breaker-pattern", "main", "<script>alert(1)</script>", 1)
    page = to_html(store.load_session(session))
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (apt-get install -y chromium)"
)
def test_the_html_export_reads_in_headless_chromium(
    filled: tuple[SqliteTranscriptStore, int], tmp_path: Path
) -> None:
    store, session = filled
    page = tmp_path / "session.html"
    page.write_text(to_html(store.load_session(session)), encoding="utf-8")
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
    assert "<h2>Circuit breaker pattern <small>(Answer)</small></h2>" in dom
    assert "Caching strategies" in dom
    assert "Score: 50/100" in dom and "Score: 30/100" in dom
    marks = re.findall(r'<mark style="background:[^"]+" title="([^"]+)">', dom)
    assert marks[:2] == ["Knows why it fails fast", "Knows the three states"]
    assert "Write-through writes to the cache" in dom and CACHE_ANSWER.split(".")[1] in dom
    assert "<summary>Model answer</summary>" in dom


# -- Markdown: whatever the answer holds, a viewer shows exactly that text ------------------------

_NOW = datetime(2025, 1, 1, tzinfo=UTC)
_TEXT = st.text(
    alphabet=st.sampled_from(list("ab #*_`[]()<>!&|~=+-.:1\\\n\t ")) | st.characters(),
    max_size=60,
)


def _with_evidence(answer: str, spans: list[tuple[int, int]]) -> SessionRecord:
    points = [
        KeyPointResult(
            key_point=f"point {n}",
            coverage=0.9,
            verdict=Verdict.COVERED,
            evidence=EvidenceSpan(text=answer[s:e], start=s, end=e) if s < e else None,
            similarity=0.5,
        )
        for n, (s, e) in enumerate(spans)
    ]
    result = ScoreResult(question="q", part="main", score=50.0, key_points=points)
    stored = StoredAnswer(
        id=1,
        question_id="q",
        part="main",
        text=answer,
        seconds=1.0,
        submitted_at=_NOW,
        scores=[StoredScore(result=result, scored_at=_NOW)],
    )
    return SessionRecord(uid="u", bank_id="b", started_at=_NOW, answers=[stored])


def _visible(markdown: str) -> tuple[str, set[str]]:
    """The answer's text as a CommonMark viewer (raw HTML allowed) shows it, and its tags."""
    after_score = markdown[markdown.index("**Score: 50/100**") :].split("\n", 1)[1]
    section = re.split("\n\n- [✔◐✘] ", after_score)[0]  # up to the list of key points
    rendered = MarkdownIt("commonmark", {"html": True}).render(section)
    tags = set(re.findall(r"</?([a-z0-9]+)", rendered))
    text = html.unescape(re.sub(r"<[^>]+>", "", rendered))
    return text, tags


@settings(max_examples=300, deadline=None)
@given(_TEXT, st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60)), max_size=3))
def test_markdown_shows_any_answer_as_its_text(answer: str, raw: list[tuple[int, int]]) -> None:
    spans = [(min(s, e, len(answer)), min(max(s, e), len(answer))) for s, e in raw]
    markdown = to_markdown(_with_evidence(answer, spans))
    text, tags = _visible(markdown)
    assert tags <= {"p", "strong", "br"}, (tags, markdown)
    expected = clean(answer)
    shown = re.sub(r"\[\d+\]", "", text)  # the evidence markers
    assert _words(shown) == _words(expected), markdown


def _words(text: str) -> list[str]:
    return text.replace("\u00a0", " ").split()


def test_markdown_evidence_is_bold_behind_its_marker(
    filled: tuple[SqliteTranscriptStore, int],
) -> None:
    store, session = filled
    rendered = MarkdownIt("commonmark").render(to_markdown(store.load_session(session)))
    assert (
        "[2]<strong>After too many failures it opens and fails fast instead of waiting on "
        "timeouts.</strong>" in rendered
    )
