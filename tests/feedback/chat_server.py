"""A small OpenAI-compatible chat-completions server for tests, on the standard library only.

It speaks the shape shared by OpenAI, Ollama's /v1, llama.cpp's server and vLLM: `GET /v1/models`,
`POST /v1/chat/completions` answered as one JSON object or, with `"stream": true`, as Server-Sent Events
(`data: {chunk}` lines, a last chunk carrying `finish_reason`, then `data: [DONE]`). Errors use OpenAI's
body `{"error": {"message", "type", "code"}}`; `Script.dialect` words an unknown model's 404 the way
Ollama, vLLM or llama.cpp do. A test sets `server.script` to make it misbehave.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Fault(StrEnum):
    NONE = "none"
    HANG = "hang"  # accept the request, never answer
    HANG_MID_STREAM = "hang_mid_stream"  # send a few chunks, then go silent
    RATE_LIMITED = "rate_limited"  # 429 with Retry-After
    SERVER_ERROR = "server_error"  # 500
    UNAVAILABLE = "unavailable"  # 503
    CUT = "cut"  # a few chunks, then close the connection (body read to EOF)
    CUT_CHUNKED = "cut_chunked"  # a few chunks, then close inside a chunked body
    MALFORMED = "malformed"  # a few chunks, then a `data:` line that is not JSON
    WRONG_SHAPE = "wrong_shape"  # a few chunks, then JSON that is no chat chunk
    STREAM_ERROR = "stream_error"  # a few chunks, then `data: {"error": ...}`
    LENGTH = "length"  # stops with finish_reason "length"
    NO_V1 = "no_v1"  # every path is a 404 HTML page (a base URL that misses /v1)
    BAD_GATEWAY = "bad_gateway"  # a proxy's 502 HTML page


_MID_STREAM = {
    Fault.HANG_MID_STREAM,
    Fault.CUT,
    Fault.CUT_CHUNKED,
    Fault.MALFORMED,
    Fault.WRONG_SHAPE,
    Fault.STREAM_ERROR,
}


@dataclass
class Script:
    """What the server does next. `fault_times` requests misbehave, then it behaves."""

    reply: str = (
        "## What went well\nYou named the three states.\n\n"
        "## What was missed or shaky\nFallbacks.\n\n## How to improve\nDescribe a fallback."
    )
    models: list[str] = field(default_factory=lambda: ["tiny-test"])
    api_key: str | None = None  # when set, requests must carry `Authorization: Bearer <key>`
    echo_key: bool = False  # a 401 body repeats the key it got, as some servers do
    fault: Fault = Fault.NONE
    fault_times: int = 1_000_000
    retry_after: str | None = "0"
    chunk_chars: int = 12
    good_chunks: int = 3  # chunks sent before a mid-stream fault
    chunk_delay: float = 0.0  # seconds between streamed chunks: > 0 makes a server that trickles
    dialect: str = (
        "openai"  # how an unknown model is refused: "openai", "ollama", "vllm", "llamacpp"
    )
    replier: Callable[[dict[str, Any]], str] | None = None  # a reply computed from the request

    def reply_to(self, body: dict[str, Any]) -> str:
        return self.reply if self.replier is None else self.replier(body)


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    at: float


class ChatServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.script = Script()
        self.requests: list[Recorded] = []
        self.release = threading.Event()  # set at shutdown so hanging handlers return
        self._lock = threading.Lock()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"

    def chat_requests(self) -> list[Recorded]:
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    def record(self, handler: BaseHTTPRequestHandler, body: dict[str, Any]) -> Fault:
        """Logs the request and says which fault (if any) this one gets."""
        with self._lock:
            headers = {k.lower(): v for k, v in handler.headers.items()}
            self.requests.append(
                Recorded(handler.command, handler.path, headers, body, time.time())
            )
            if self.script.fault is not Fault.NONE and self.script.fault_times > 0:
                self.script.fault_times -= 1
                return self.script.fault
            return Fault.NONE

    def start(self) -> ChatServer:
        threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        self.release.set()
        self.shutdown()
        self.server_close()


def free_port() -> int:
    """A port nothing listens on (bound, read, released): connecting to it is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _chunk(delta: dict[str, Any], finish: str | None, model: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def _completion(text: str, model: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: ChatServer

    def log_message(self, format: str, *args: Any) -> None:  # quiet test output
        pass

    # -- plumbing ---------------------------------------------------------------------------------
    def _json(self, status: int, payload: object, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, message: str, kind: str, code: str | None = None) -> None:
        headers = {}
        if status == 429 and self.server.script.retry_after is not None:
            headers["Retry-After"] = self.server.script.retry_after
        body = {"error": {"message": message, "type": kind, "code": code}}
        self._json(status, body, headers)

    def _body(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            data = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            return {}
        return data if isinstance(data, dict) else {}

    def _hang(self) -> None:
        self.server.release.wait(30)
        self.close_connection = True

    def _authorised(self) -> bool:
        expected = self.server.script.api_key
        if expected is None:
            return True
        got = self.headers.get("Authorization", "")
        if got == f"Bearer {expected}":
            return True
        shown = got.removeprefix("Bearer ") if self.server.script.echo_key else "(hidden)"
        self._error(401, f"Incorrect API key provided: {shown}", "invalid_request_error")
        return False

    # -- routes -----------------------------------------------------------------------------------
    def do_GET(self) -> None:
        fault = self.server.record(self, {})
        if fault is Fault.NO_V1 or not self.path.startswith("/v1/models"):
            return self._html(404, b"<html><body><h1>404 Not Found</h1></body></html>")
        if fault is Fault.HANG:
            return self._hang()
        if not self._authorised():
            return None
        models = [
            {"id": m, "object": "model", "created": 0, "owned_by": "test"}
            for m in self.server.script.models
        ]
        return self._json(200, {"object": "list", "data": models})

    def do_POST(self) -> None:
        body = self._body()
        fault = self.server.record(self, body)
        if fault is Fault.NO_V1 or self.path != "/v1/chat/completions":
            return self._html(404, b"<html><body><h1>404 Not Found</h1></body></html>")
        if fault is Fault.HANG:
            return self._hang()
        if not self._authorised():
            return None
        model = str(body.get("model", ""))
        if model not in self.server.script.models:
            return self._unknown_model(model)
        if fault is Fault.BAD_GATEWAY:
            return self._html(502, b"<html><body><h1>502 Bad Gateway</h1></body></html>")
        status = {Fault.RATE_LIMITED: 429, Fault.SERVER_ERROR: 500, Fault.UNAVAILABLE: 503}
        if fault in status:
            return self._error(status[fault], f"test fault {fault.value}", "server_error")
        if body.get("stream"):
            return self._stream(model, fault, body)
        return self._json(200, _completion(self.server.script.reply_to(body), model))

    def _unknown_model(self, model: str) -> None:
        """Each server family words and wraps its 404 differently."""
        dialect = self.server.script.dialect
        if dialect == "ollama":
            message = f'model "{model}" not found, try pulling it first'
            return self._error(404, message, "api_error")
        if dialect == "vllm":
            body: dict[str, object] = {
                "object": "error",
                "message": f"The model `{model}` does not exist.",
                "type": "NotFoundError",
                "param": None,
                "code": 404,
            }
            return self._json(404, body)
        if dialect == "llamacpp":
            body = {"error": {"code": 404, "message": "model not found", "type": "not_found_error"}}
            return self._json(404, body)
        message = f"The model `{model}` does not exist or you do not have access to it."
        return self._error(404, message, "invalid_request_error", "model_not_found")

    def _html(self, status: int, data: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    # -- streaming --------------------------------------------------------------------------------
    def _stream(self, model: str, fault: Fault, body: dict[str, Any]) -> None:
        chunked = fault is not Fault.CUT
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Connection", "close")
        self.end_headers()
        send = self._send_chunked if chunked else self._send_raw
        reply, size = self.server.script.reply_to(body), self.server.script.chunk_chars
        pieces = [reply[i : i + size] for i in range(0, len(reply), size)]
        send(_chunk({"role": "assistant", "content": ""}, None, model))
        for index, piece in enumerate(pieces):
            if fault in _MID_STREAM and index == self.server.script.good_chunks:
                return self._misbehave(fault, send)
            if self.server.release.wait(self.server.script.chunk_delay):
                return None  # shutting down
            try:
                send(_chunk({"content": piece}, None, model))
            except OSError:  # the client gave up on a trickling stream
                return None
        finish = "length" if fault is Fault.LENGTH else "stop"
        send(_chunk({}, finish, model))
        send("[DONE]")
        self.wfile.write(b"0\r\n\r\n")

    def _misbehave(self, fault: Fault, send: Any) -> None:
        if fault is Fault.HANG_MID_STREAM:
            return self._hang()
        if fault is Fault.MALFORMED:
            send('{"choices": [{"delta": {"content": "bro')
        elif fault is Fault.WRONG_SHAPE:
            send({"unexpected": True, "choices": "not a list"})
        elif fault is Fault.STREAM_ERROR:
            send({"error": {"message": "the model crashed", "type": "server_error"}})
        self.wfile.flush()
        self.close_connection = True
        if fault in (Fault.MALFORMED, Fault.WRONG_SHAPE, Fault.STREAM_ERROR):
            send("[DONE]")
            self.wfile.write(b"0\r\n\r\n")
        return None  # CUT / CUT_CHUNKED: the handler returns and the socket closes mid-body

    def _event(self, payload: object) -> bytes:
        data = payload if isinstance(payload, str) else json.dumps(payload)
        return f"data: {data}\n\n".encode()

    def _send_chunked(self, payload: object) -> None:
        event = self._event(payload)
        self.wfile.write(f"{len(event):x}\r\n".encode() + event + b"\r\n")
        self.wfile.flush()

    def _send_raw(self, payload: object) -> None:
        self.wfile.write(self._event(payload))
        self.wfile.flush()
