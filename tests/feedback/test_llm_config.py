"""LLM settings: file and environment, bad values reported, and the key kept out of everything."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from pydantic import SecretStr

from interviewer.adapters.llm import LLMFeedback, feedback_from_environment
from interviewer.core.feedback.config import (
    LLMConfig,
    RetryPolicy,
    api_key_for,
    load_llm_config,
    parse_retry_after,
    redact,
    save_llm_config,
)
from interviewer.paths import Paths

KEY = "sk-test-DO-NOT-LEAK-0123456789"


def _write(home: Path, text: str) -> Path:
    path = Paths(home).config_file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_nothing_configured_means_feedback_off(_isolated_home: Path) -> None:
    loaded = load_llm_config(Paths(_isolated_home).config_file, {})
    assert not loaded.config.enabled and loaded.problems == ()
    assert feedback_from_environment() is None
    assert (
        feedback_from_environment(environ={"OPENAI_API_KEY": KEY}) is None
    )  # a key is no endpoint


def test_the_file_then_the_environment(_isolated_home: Path) -> None:
    path = _write(
        _isolated_home,
        '[other]\nx = 1\n\n[llm]\nbase_url = "http://127.0.0.1:11434/v1/"\nmodel = "llama3.2"\n'
        "timeout = 12.5\ntemperature = 0.1\nsecond_opinion = true\n",
    )
    loaded = load_llm_config(path, {"INTERVIEWER_LLM_MODEL": "qwen2.5:0.5b"})
    assert loaded.config == LLMConfig(
        base_url="http://127.0.0.1:11434/v1/",
        model="qwen2.5:0.5b",
        timeout=12.5,
        temperature=0.1,
        second_opinion=True,
    )
    assert loaded.config.endpoint == "http://127.0.0.1:11434/v1"
    assert loaded.sources["model"] == "INTERVIEWER_LLM_MODEL"
    assert loaded.sources["timeout"] == str(path)
    assert loaded.usable and not loaded.problems


def test_model_alone_means_openai() -> None:
    config = LLMConfig(model="gpt-4o-mini")
    assert config.enabled and config.endpoint == "https://api.openai.com/v1" and config.is_openai


def test_bad_values_are_reported_and_defaults_kept(_isolated_home: Path) -> None:
    path = _write(
        _isolated_home, '[llm]\nbase_url = "http://h/v1"\ntimeout = "soon"\ncolour = "red"\n'
    )
    loaded = load_llm_config(path, {"INTERVIEWER_LLM_TIMEOUT": "-3"})
    assert loaded.config.timeout == 60.0 and loaded.config.base_url == "http://h/v1"
    text = "\n".join(loaded.problems)
    assert "INTERVIEWER_LLM_TIMEOUT: timeout: Input should be greater than 0" in text
    assert "unknown setting 'colour'" in text
    assert "no model named" in text and not loaded.usable


def test_broken_toml_is_one_problem(_isolated_home: Path) -> None:
    path = _write(_isolated_home, "[llm\nmodel = ")
    loaded = load_llm_config(path, {})
    assert len(loaded.problems) == 1 and "not valid TOML" in loaded.problems[0]
    assert not loaded.config.enabled


def test_a_key_in_the_file_is_ignored_and_reported(_isolated_home: Path) -> None:
    path = _write(_isolated_home, f'[llm]\nmodel = "m"\napi_key = "{KEY}"\n')
    loaded = load_llm_config(path, {})
    assert any("api_key is ignored" in p for p in loaded.problems)
    assert KEY not in "".join(loaded.problems) and KEY not in repr(loaded)
    assert api_key_for(loaded.config, {}) == (None, "")


def test_keys_come_from_the_environment_only_and_openais_only_goes_to_openai() -> None:
    local = LLMConfig(base_url="http://127.0.0.1:8080/v1", model="m")
    openai = LLMConfig(model="gpt-4o-mini")
    assert api_key_for(local, {"OPENAI_API_KEY": KEY}) == (None, "")
    key, source = api_key_for(openai, {"OPENAI_API_KEY": KEY})
    assert key is not None and key.get_secret_value() == KEY and source == "OPENAI_API_KEY"
    both = {"OPENAI_API_KEY": "other", "INTERVIEWER_LLM_API_KEY": KEY}
    key, source = api_key_for(local, both)
    assert key is not None and key.get_secret_value() == KEY
    assert source == "INTERVIEWER_LLM_API_KEY"


def test_the_key_is_never_in_repr_or_a_saved_config(
    _isolated_home: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("INTERVIEWER_LLM_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("INTERVIEWER_LLM_MODEL", "m")
    monkeypatch.setenv("INTERVIEWER_LLM_API_KEY", KEY)
    writer = feedback_from_environment()
    assert isinstance(writer, LLMFeedback)
    assert KEY not in repr(writer) and KEY not in writer.description
    assert "INTERVIEWER_LLM_API_KEY" in repr(writer)
    assert KEY not in repr(writer.config) and KEY not in writer.config.model_dump_json()
    path = Paths.from_env().config_file
    _write(_isolated_home, '# mine\n[tui]\ntheme = "dark"\n\n[llm]\nmodel = "old"\n\n[x]\ny = 2\n')
    save_llm_config(path, writer.config)
    saved = path.read_text(encoding="utf-8")
    assert KEY not in saved and "api_key" not in saved
    assert '[tui]\ntheme = "dark"' in saved and "[x]\ny = 2" in saved and "old" not in saved
    assert load_llm_config(path, {}).config == writer.config  # what is saved reads back the same
    assert KEY not in caplog.text


def test_redact() -> None:
    secret = SecretStr("plainsecret")
    assert redact("got plainsecret and sk-abcdefghij123 back", secret) == "got *** and sk-*** back"
    assert redact("nothing here", None) == "nothing here"


@pytest.mark.parametrize(
    ("tries", "retry_after", "delay"),
    [
        (1, None, 0.5),
        (2, None, 1.0),
        (3, None, None),
        (1, "2", 2.0),
        (1, "0", 0.0),
        (1, "31", None),
    ],
)
def test_retry_policy(tries: int, retry_after: str | None, delay: float | None) -> None:
    assert RetryPolicy(attempts=3).delay(tries, retry_after) == delay


def test_retry_after_as_a_date() -> None:
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == 10.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412490.0) == 0.0
    assert parse_retry_after("soon") is None and parse_retry_after("inf") is None
