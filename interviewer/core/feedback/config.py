"""Settings for the optional LLM feedback: the `[llm]` table of config.toml plus environment variables.

Feedback is off until an endpoint is configured. The API key is deliberately not a setting: it is read
from the environment when a request is made, held as a `SecretStr`, and never written, logged or shown.
"""

from __future__ import annotations

import email.utils
import json
import math
import re
import time
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from interviewer.core.config_file import replace_table

OPENAI_BASE_URL = "https://api.openai.com/v1"
TABLE = "llm"
ENV_BASE_URL = "INTERVIEWER_LLM_BASE_URL"
ENV_MODEL = "INTERVIEWER_LLM_MODEL"
ENV_TIMEOUT = "INTERVIEWER_LLM_TIMEOUT"
ENV_DEADLINE = "INTERVIEWER_LLM_DEADLINE"
ENV_API_KEY = "INTERVIEWER_LLM_API_KEY"
ENV_OPENAI_KEY = "OPENAI_API_KEY"
_ENV_FIELDS = {
    ENV_BASE_URL: "base_url",
    ENV_MODEL: "model",
    ENV_TIMEOUT: "timeout",
    ENV_DEADLINE: "deadline",
}
_SECRET_KEYS = {"api_key", "key", "token", "apikey", "openai_api_key"}


class LLMConfig(BaseModel):
    """Where feedback comes from and how it is asked for. Holds no secret, so it is safe to save."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    base_url: str = ""
    """The OpenAI-compatible endpoint, e.g. http://127.0.0.1:11434/v1 (Ollama); empty means OpenAI's."""
    model: str = ""
    """The model name the server knows, e.g. llama3.2 or gpt-4o-mini."""
    timeout: float = Field(default=60.0, gt=0, le=600)
    """Seconds to wait for the server to connect, start answering, or send the next piece (CPU models
    can be slow to start)."""
    deadline: float = Field(default=120.0, gt=0, le=3600)
    """Seconds one piece of feedback or one second opinion may take in all, retries included: a
    server that trickles text is cut off here, keeping what it wrote (700 tokens from a CPU model
    take about two minutes)."""
    temperature: float = Field(default=0.3, ge=0, le=2)
    """Sampling temperature; low keeps feedback close to the rubric."""
    max_tokens: int = Field(default=700, ge=16, le=16384)
    """The longest feedback the model may write."""
    second_opinion: bool = False
    """Also ask the model for its own per-key-point verdict, shown beside the rubric's."""
    judge: Literal["local", "llm"] = "local"
    """Whose per-key-point verdicts set the score: `local` (the embedding grader, offline) or `llm`
    (the model's, with the local verdicts shown beside them and the local evidence highlighted).
    `interviewer score --judge` overrides it for one run."""

    @property
    def enabled(self) -> bool:
        """Feedback is on once an endpoint or a model is named anywhere."""
        return bool(self.base_url or self.model)

    @property
    def endpoint(self) -> str:
        return (self.base_url or OPENAI_BASE_URL).rstrip("/")

    @property
    def is_openai(self) -> bool:
        host = urlsplit(self.endpoint).hostname or ""
        return host == "api.openai.com" or host.endswith(".openai.com")


@dataclass(frozen=True)
class LoadedLLMConfig:
    """The effective settings, where each came from, and what was wrong (a user can fix each line)."""

    config: LLMConfig
    problems: tuple[str, ...] = ()
    sources: Mapping[str, str] = field(default_factory=dict)

    @property
    def usable(self) -> bool:
        return self.config.enabled and bool(self.config.model)


def load_llm_config(config_file: Path, environ: Mapping[str, str]) -> LoadedLLMConfig:
    """File first, then the environment on top; a bad value is reported and its default kept."""
    problems: list[str] = []
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for key, value in _read_table(config_file, problems).items():
        if key.lower() in _SECRET_KEYS:
            problems.append(
                f"{config_file}: [{TABLE}] {key} is ignored: keys come only from the environment "
                f"({ENV_API_KEY} or {ENV_OPENAI_KEY}); delete it from the file"
            )
        elif key not in LLMConfig.model_fields:
            problems.append(f"{config_file}: [{TABLE}] unknown setting {key!r}")
        else:
            values[key], sources[key] = value, str(config_file)
    for variable, name in _ENV_FIELDS.items():
        if environ.get(variable, "").strip():
            values[name], sources[name] = environ[variable].strip(), variable
    config = _validated(values, sources, problems)
    if config.enabled and not config.model:
        problems.append(
            f"no model named: set `model` in the [{TABLE}] table of {config_file} or {ENV_MODEL}"
        )
    return LoadedLLMConfig(config, tuple(problems), sources)


def _read_table(path: Path, problems: list[str]) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as error:
        problems.append(f"{path}: cannot read: {error}")
        return {}
    except tomllib.TOMLDecodeError as error:
        problems.append(f"{path}: not valid TOML ({error}); LLM settings there are ignored")
        return {}
    table = data.get(TABLE, {})
    if not isinstance(table, dict):
        problems.append(f"{path}: `{TABLE}` must be a table ([{TABLE}])")
        return {}
    return table


def _validated(values: dict[str, Any], sources: dict[str, str], problems: list[str]) -> LLMConfig:
    """Drops each invalid value (reporting where it came from) rather than losing every setting."""
    while True:
        try:
            return LLMConfig.model_validate(values)
        except ValidationError as error:
            first = error.errors()[0]
            name = str(first["loc"][0]) if first["loc"] else ""
            if name not in values:
                raise  # cannot happen with known keys; a bug, not user input
            problems.append(f"{sources.pop(name, '?')}: {name}: {first['msg']}; using the default")
            del values[name]


def api_key_for(config: LLMConfig, environ: Mapping[str, str]) -> tuple[SecretStr | None, str]:
    """The key to send and the variable it came from.

    OPENAI_API_KEY is only sent to OpenAI itself, so a key meant for OpenAI never leaks to another
    server; any other endpoint takes INTERVIEWER_LLM_API_KEY (or no key: local servers need none).
    """
    if value := environ.get(ENV_API_KEY, "").strip():
        return SecretStr(value), ENV_API_KEY
    if config.is_openai and (value := environ.get(ENV_OPENAI_KEY, "").strip()):
        return SecretStr(value), ENV_OPENAI_KEY
    return None, ""


_TOKEN_LIKE = re.compile(r"\b(sk|key|token)[-_][A-Za-z0-9_\-*.]{6,}", re.IGNORECASE)


def redact(text: str, secret: SecretStr | None) -> str:
    """Removes the key, and anything shaped like one, from text that came back from a server."""
    if secret is not None and (value := secret.get_secret_value()):
        text = text.replace(value, "***")
    return _TOKEN_LIKE.sub(lambda m: f"{m.group(1)}-***", text)


# -- writing ----------------------------------------------------------------------------------------


def render_llm_table(config: LLMConfig) -> str:
    """The `[llm]` table for config.toml; only `LLMConfig` fields, so never a key."""
    lines = [f"[{TABLE}]"]
    for name, value in config.model_dump().items():
        if isinstance(value, bool):
            lines.append(f"{name} = {'true' if value else 'false'}")
        elif isinstance(value, int | float):
            lines.append(f"{name} = {value!r}")
        else:
            lines.append(f"{name} = {json.dumps(str(value), ensure_ascii=False)}")
    return "\n".join(lines) + "\n"


def save_llm_config(path: Path, config: LLMConfig) -> None:
    """Replaces the `[llm]` table of the file, keeping every other table as it was."""
    replace_table(path, TABLE, render_llm_table(config))


# -- retries ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries for 429 and 5xx: exponential backoff, or the server's Retry-After."""

    attempts: int = 3  # tries in all, the first included
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 30.0  # a server asking for longer is not waited for

    def delay(self, tries: int, retry_after: str | None = None) -> float | None:
        """Seconds to wait after `tries` failed tries, or None when it is time to give up."""
        if tries >= self.attempts:
            return None
        asked = parse_retry_after(retry_after)
        if asked is not None:
            return asked if asked <= self.max_retry_after else None
        return float(min(self.base_delay * 2 ** (tries - 1), self.max_delay))


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Retry-After as seconds (RFC 9110: delta-seconds or an HTTP date); None when absent or unusable."""
    if value is None or not value.strip():
        return None
    try:
        seconds = float(value)
    except ValueError:
        parsed = email.utils.parsedate_tz(value)
        if parsed is None:
            return None
        seconds = email.utils.mktime_tz(parsed) - (time.time() if now is None else now)
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)
