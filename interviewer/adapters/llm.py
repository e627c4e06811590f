"""Feedback and second opinions from any OpenAI-compatible chat endpoint, through `openai.AsyncOpenAI`.

The contract with the UI: `stream` never raises. Chunks arrive as they are written; any fault ends the
stream with one ERROR event whose text is a single line a user can act on, after whatever was already
streamed (kept, and marked incomplete by the caller). 429 and 5xx are retried a bounded number of times
before the first chunk; nothing is retried once text has been shown, so nothing is shown twice. Besides
the per-read `timeout`, the whole request has a `deadline`, so a server that trickles text cannot keep
a command running.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import time
from collections.abc import AsyncIterator, Awaitable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import SecretStr

from interviewer.core.feedback.config import (
    ENV_API_KEY,
    ENV_BASE_URL,
    ENV_DEADLINE,
    ENV_MODEL,
    ENV_TIMEOUT,
    LLMConfig,
    LoadedLLMConfig,
    RetryPolicy,
    api_key_for,
    load_llm_config,
    redact,
)
from interviewer.core.feedback.prompt import (
    Message,
    feedback_messages,
    foreign_scores,
    parse_second_opinion,
    second_opinion_messages,
)
from interviewer.core.ports import (
    FeedbackEvent,
    FeedbackEventKind,
    FeedbackRequest,
    KeyPointOpinion,
    OpinionFailure,
)
from interviewer.paths import Paths

if TYPE_CHECKING:
    from openai import AsyncOpenAI

    from interviewer.core.bank.schema import Question
    from interviewer.core.rubric.schema import Rubric

log = logging.getLogger(__name__)
T = TypeVar("T")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # keeps \t and \n; drops terminal escapes


class StreamFault(Exception):
    """A stream that ended wrongly without the client raising: cut short, odd chunks, max_tokens."""


class DeadlinePassed(StreamFault):
    """The request as a whole ran past `[llm] deadline`, however steadily text was arriving."""


@dataclass(frozen=True)
class Finding:
    """One line of `interviewer doctor`: ok True/False, or None for a warning; `fix` says what to do."""

    ok: bool | None
    text: str
    fix: str = ""


class LLMFeedback:
    """The FeedbackWriter over an OpenAI-compatible endpoint; also gives second opinions."""

    def __init__(
        self,
        config: LLMConfig,
        api_key: SecretStr | None = None,
        *,
        key_source: str = "",
        problems: tuple[str, ...] = (),
        retry: RetryPolicy | None = None,
        nonce: str | None = None,
    ) -> None:
        self.config = config
        self._api_key = api_key
        self.key_source = key_source
        self.problems = problems
        self.retry = retry or RetryPolicy()
        self._nonce = nonce  # None: a fresh random one per prompt

    def __repr__(self) -> str:
        key = f"from {self.key_source}" if self._api_key is not None else "none"
        return f"LLMFeedback({self.description!r}, key={key})"

    @property
    def description(self) -> str:
        return f"{self.config.model or '(no model)'} at {self.config.endpoint}"

    # -- feedback ---------------------------------------------------------------------------------
    async def stream(self, request: FeedbackRequest) -> AsyncIterator[FeedbackEvent]:
        if blocker := self._blocker():
            yield FeedbackEvent(FeedbackEventKind.ERROR, blocker)
            return
        written: list[str] = []
        try:
            async with self._client() as client:
                messages = feedback_messages(request, self._nonce)
                async for text in self._texts(client, messages, self._deadline()):
                    written.append(text)
                    yield FeedbackEvent(FeedbackEventKind.CHUNK, text)
        except Exception as error:  # the contract: every fault is one line, never a raise
            yield FeedbackEvent(
                FeedbackEventKind.ERROR, self._fault(error, partial=bool(written), what="feedback")
            )
            return
        if claims := foreign_scores("".join(written), request.result.score):
            log.info(
                "feedback claimed scores %s; the rubric gave %.0f", claims, request.result.score
            )
            note = f"\n\n> The only score is the rubric's: {request.result.score:.0f}/100."
            yield FeedbackEvent(FeedbackEventKind.CHUNK, note)
        yield FeedbackEvent(FeedbackEventKind.DONE)

    def _deadline(self) -> float:
        """When the request as a whole must be over, on the running loop's clock."""
        return asyncio.get_running_loop().time() + self.config.deadline

    async def _by(self, when: float, step: Awaitable[T]) -> T:
        """One await, cut off at `when`. Only awaits are timed, never a `yield`: the time the
        caller spends on a chunk is its own, and a cancellation never lands in the caller."""
        limit = asyncio.timeout_at(when)
        try:
            async with limit:
                return await step
        except TimeoutError:
            if not limit.expired():
                raise
            raise DeadlinePassed(
                f"it took longer than {self.config.deadline:g} s in all: raise [llm] deadline "
                f"({ENV_DEADLINE}), lower max_tokens, or use a faster model"
            ) from None

    async def _texts(
        self, client: AsyncOpenAI, messages: list[Message], when: float
    ) -> AsyncIterator[str]:
        stream = await self._by(when, self._create(client, messages, stream=True))
        finish: str | None = None
        chunks = aiter(stream)
        while True:
            try:
                chunk = await self._by(when, anext(chunks))
            except StopAsyncIteration:
                break
            choices = getattr(chunk, "choices", None)
            if getattr(chunk, "error", None) is not None or not isinstance(choices, list):
                raise StreamFault("the server sent a chunk that is not a chat completion chunk")
            for choice in choices:
                content = getattr(getattr(choice, "delta", None), "content", None)
                if content is not None and not isinstance(content, str):
                    raise StreamFault("the server sent a chunk whose content is not text")
                if content and (clean := _CONTROL.sub("", content)):
                    yield clean
                finish = getattr(choice, "finish_reason", None) or finish
        if finish is None:
            raise StreamFault("the stream stopped half way (no finish)")
        if finish == "length":
            raise StreamFault(
                f"it reached max_tokens ({self.config.max_tokens}): raise [llm] max_tokens"
            )
        if finish not in ("stop", "eos", "end_turn"):
            raise StreamFault(f"the model stopped early ({finish})")

    # -- second opinion ---------------------------------------------------------------------------
    async def second_opinion(
        self, request: FeedbackRequest
    ) -> list[KeyPointOpinion] | OpinionFailure:
        """The model's own verdict per key point; never raises, a fault is an OpinionFailure."""
        if blocker := self._blocker():
            return OpinionFailure(blocker)
        try:
            async with self._client() as client:
                messages = second_opinion_messages(request, self._nonce)
                create = self._create(client, messages, stream=False)
                completion = await self._by(self._deadline(), create)
            text = completion.choices[0].message.content or ""
        except Exception as error:
            return OpinionFailure(self._fault(error, partial=False, what="second opinion"))
        labels = [kp.key_point for kp in request.result.key_points]
        return parse_second_opinion(text, labels, request.answer)

    # -- rubric drafting --------------------------------------------------------------------------
    async def enrich_rubric(self, question: Question, rubric: Rubric) -> Rubric | OpinionFailure:
        """The offline draft with the LLM's evidence, mistakes and mentions added (and a follow-up's
        key points); never raises, a fault or an unusable reply is an OpinionFailure."""
        from interviewer.core.rubric.enrich import EnrichFailure, enrich_messages, parse_enrichment

        if blocker := self._blocker():
            return OpinionFailure(blocker)
        try:
            async with self._client() as client:
                messages = enrich_messages(question, rubric, self._nonce)
                create = self._create(client, messages, stream=False)
                completion = await self._by(self._deadline(), create)
            text = completion.choices[0].message.content or ""
        except Exception as error:
            return OpinionFailure(self._fault(error, partial=False, what="LLM draft"))
        try:
            return parse_enrichment(text, question, rubric)
        except EnrichFailure as error:
            return OpinionFailure(str(error))

    # -- doctor -----------------------------------------------------------------------------------
    async def probe(self) -> list[Finding]:
        """Reachability, auth, model presence, then one tiny request: what `doctor` reports."""
        if blocker := self._blocker():
            return [Finding(False, blocker)]
        findings: list[Finding] = []
        async with self._client() as client:
            if not await self._probe_models(client, findings):
                return findings
            started = time.perf_counter()
            try:
                ping: list[Message] = [{"role": "user", "content": "Reply with the word OK."}]
                await self._create(client, ping, stream=False, max_tokens=5)
            except Exception as error:
                findings.append(Finding(False, self._fault(error)))
                return findings
        seconds = time.perf_counter() - started
        findings.append(Finding(True, f"model {self.config.model} answered in {seconds:.1f} s"))
        return findings

    async def _probe_models(self, client: AsyncOpenAI, findings: list[Finding]) -> bool:
        from openai import APIConnectionError, AuthenticationError, PermissionDeniedError

        try:
            listing = await client.models.list()
            ids = [m.id for m in listing.data]
        except (APIConnectionError, AuthenticationError, PermissionDeniedError) as error:
            findings.append(Finding(False, self._fault(error)))
            return False
        except Exception:
            findings.append(Finding(None, f"{self.config.endpoint} does not list its models"))
            return True
        accepted = " and accepts the key" if self._api_key is not None else ""
        findings.append(Finding(True, f"{self.config.endpoint} is reachable{accepted}"))
        if self.config.model not in ids:
            shown = ", ".join(ids[:8]) or "none"
            findings.append(
                Finding(
                    None, f"model {self.config.model!r} is not listed (listed: {shown})", _MODEL_FIX
                )
            )
        return True

    # -- plumbing ---------------------------------------------------------------------------------
    def _blocker(self) -> str:
        if not self.config.model:
            return next((p for p in self.problems if "model" in p), "no model is configured")
        return ""

    def _client(self) -> AsyncOpenAI:
        """A client per call: it belongs to the event loop of the caller (TUI worker or CLI run)."""
        from openai import AsyncOpenAI

        key = self._api_key.get_secret_value() if self._api_key is not None else "no-key"
        return AsyncOpenAI(
            base_url=self.config.endpoint,
            api_key=key,
            timeout=self.config.timeout,
            max_retries=0,  # retries are ours: bounded, Retry-After honoured, never mid-stream
        )

    async def _create(
        self, client: AsyncOpenAI, messages: list[Message], *, stream: bool, max_tokens: int = 0
    ) -> Any:
        from openai import InternalServerError, RateLimitError

        tries = 0
        while True:
            tries += 1
            try:
                return await client.chat.completions.create(
                    model=self.config.model,
                    messages=messages,  # type: ignore[arg-type]
                    temperature=self.config.temperature,
                    max_tokens=max_tokens or self.config.max_tokens,
                    stream=stream,
                )
            except (RateLimitError, InternalServerError) as error:
                delay = self.retry.delay(tries, error.response.headers.get("retry-after"))
                if delay is None:
                    setattr(error, "tries", tries)  # noqa: B010 (read back by describe_fault)
                    raise
                log.info("LLM answered %s; retry %d in %.1f s", error.status_code, tries, delay)
                await asyncio.sleep(delay)

    def _fault(self, error: Exception, *, partial: bool | None = None, what: str = "") -> str:
        """One redacted line; `partial` says whether text was shown before the fault."""
        source = (self.key_source or ENV_API_KEY) if self._api_key is not None else ""
        line = describe_fault(error, self.config, key_source=source)
        prefix = "" if partial is None else f"{what} stopped: " if partial else f"no {what}: "
        line = redact(" ".join((prefix + line).split()), self._api_key)[:300]
        line = line[:1].upper() + line[1:]
        log.info("%s", line)  # info: a warning would reach stderr (and the TUI) unconfigured
        return line


_MODEL_FIX = (
    "set [llm] model (or INTERVIEWER_LLM_MODEL) to a listed one, or pull it (ollama pull NAME)"
)


def feedback_from_environment(
    paths: Paths | None = None, environ: Mapping[str, str] | None = None
) -> LLMFeedback | None:
    """The configured writer, or None when no endpoint is configured (feedback is off)."""
    loaded = load_feedback_config(paths, environ)
    if not loaded.config.enabled:
        return None
    key, source = api_key_for(loaded.config, os.environ if environ is None else environ)
    return LLMFeedback(loaded.config, key, key_source=source, problems=loaded.problems)


def load_feedback_config(
    paths: Paths | None = None, environ: Mapping[str, str] | None = None
) -> LoadedLLMConfig:
    paths = paths or Paths.from_env()
    return load_llm_config(paths.config_file, os.environ if environ is None else environ)


# -- faults as one line -------------------------------------------------------------------------


def describe_fault(error: Exception, config: LLMConfig, *, key_source: str = "") -> str:
    """What went wrong and what to do about it, in words a user can act on."""
    import openai

    url = config.endpoint
    if isinstance(error, StreamFault):
        return str(error)
    if isinstance(error, openai.APITimeoutError):
        return (
            f"{url} did not answer within {config.timeout:g} s; check the server is up, "
            f"or raise [llm] timeout ({ENV_TIMEOUT})"
        )
    if isinstance(error, openai.APIConnectionError):
        return _connection_fault(error, url)
    if isinstance(error, openai.APIStatusError):
        return _status_fault(error, config, key_source)
    if isinstance(error, openai.APIError):  # an error event inside the stream
        return f"the server reported an error: {_server_message(error)}"
    if isinstance(error, ValueError):  # json.JSONDecodeError from a chunk that is not JSON
        return "the server sent a malformed chunk"
    return f"unexpected {type(error).__name__}: {error}"


def _connection_fault(error: Exception, url: str) -> str:
    causes: list[str] = []
    cause: BaseException | None = error
    while cause is not None and len(causes) < 6:
        causes.append(type(cause).__name__)
        cause = cause.__cause__ or cause.__context__
    if "ConnectError" in causes or "ConnectionRefusedError" in causes:
        return f"cannot connect to {url}: start the server, or fix [llm] base_url ({ENV_BASE_URL})"
    return f"the connection to {url} broke off ({causes[-1]})"


def _status_fault(error: Any, config: LLMConfig, key_source: str) -> str:
    status, url, message = error.status_code, config.endpoint, _server_message(error)
    tries = getattr(error, "tries", 1)
    if status == 401:
        if not key_source:
            return f"{url} needs an API key (401): set {ENV_API_KEY}"
        return f"{url} rejected the API key (401): check {key_source} ({message})"
    if status == 403:
        return f"{url} refused access (403): {message}"
    if status == 404 and "model" in message.lower():
        return (
            f"model {config.model!r} not found at {url} (404): set [llm] model ({ENV_MODEL}) "
            "to one the server has, or pull it (ollama pull NAME)"
        )
    if status == 404:
        return (
            f"{url}/chat/completions does not exist (404): check [llm] base_url (often ends in /v1)"
        )
    if status == 429:
        wait = error.response.headers.get("retry-after")
        why = f"after {tries} tries" if tries > 1 or not wait else f"and asks to wait {wait} s"
        return f"{url} is rate limiting (429) {why}: try again later"
    if status >= 500:
        return f"{url} failed ({status}) after {tries} tries: {message}"
    return f"{url} refused the request ({status}): {message}"


def _server_message(error: Any) -> str:
    """The server's own words when it sent some (OpenAI's error body), never an HTML page."""
    body = getattr(error, "body", None)
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return str(body["message"])[:160]
    if isinstance(body, str) and body.strip() and not body.lstrip().startswith("<"):
        return body[:160]
    return (
        f"HTTP {getattr(error, 'status_code', '?')}" if body is not None else type(error).__name__
    )
