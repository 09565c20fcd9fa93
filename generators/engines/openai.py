"""The ``openai`` engine: any OpenAI-compatible server over HTTP (vLLM, SGLang, llama.cpp).

Spec: ``openai:URL[,URL...]?model=NAME&api_key_env=VAR&concurrency=16&timeout=60&
max_retries=5&dialect=vllm`` with base URLs such as ``http://127.0.0.1:8000/v1``.

- Several URLs are load-balanced per HTTP call: the URL with the fewest calls in flight,
  ties taken in rotation, so replicas share the work and a retry may land on another one.
- ``concurrency`` bounds the calls in flight across all URLs and all caller threads: the
  engine runs one event loop in a background thread and every ``generate`` (from any
  Prefect worker thread, or from a thread that already runs a loop) submits to it.
- 408, 429, 5xx, timeouts and connection errors are retried with exponential backoff and
  jitter (``Retry-After`` honoured, capped at ``max_delay``). Other 4xx raise
  ``EngineError`` with the server's message: no retry fixes a refused request.
- When a request's retries run out, its ``Result`` carries ``error`` and no completions;
  the rest of the batch goes on. A 200 whose body is not a completion is not retried and
  ends the same way.
- ``n`` is sent in one call. Servers that ignore it (llama-cpp-python's answers one choice)
  get further calls for the missing texts, seeded ``seed + 1``, ``seed + 2``, ...
- ``timeout`` (seconds) applies to each phase of a call; without streaming the read phase
  lasts the whole generation, so raise it for long outputs on a busy server.
- ``model`` may be left out when the server lists exactly one model on ``GET /models``.
- ``dialect`` chooses how constraints are sent (see ``openai_wire``).
"""

from __future__ import annotations

import asyncio
import email.utils
import os
import random
import threading
import time
from collections.abc import Coroutine, Sequence
from typing import Any, TypeVar

import httpx

from datagen.generators import progress
from datagen.generators.engines.base import (
    Completion,
    EngineError,
    ErrorKind,
    Request,
    Result,
)
from datagen.generators.engines.openai_wire import (
    CHAT_PATH,
    DIALECTS,
    MalformedResponse,
    build_call,
    parse_response,
)
from datagen.generators.engines.spec import EngineSpec

T = TypeVar("T")
SPEC_OPTIONS = ("model", "api_key_env", "concurrency", "timeout", "max_retries", "dialect")
SPEC_FORM = "openai:URL[,URL...]?model=NAME&api_key_env=VAR&concurrency=16&timeout=60"


class _GaveUp(Exception):
    """One request failed for good; it becomes that request's ``Result.error``."""

    def __init__(self, message: str, kind: ErrorKind) -> None:
        super().__init__(message)
        self.kind = kind


class OpenAIEngine:
    """An ``Engine`` backed by one or more OpenAI-compatible servers."""

    native_tools = True
    """Requests' ``tools`` go in the body and ``tool_calls`` come back parsed. A server must
    be started with tool parsing on (vLLM's ``--enable-auto-tool-choice --tool-call-parser``),
    or it refuses such requests; ToolPref's ``--constrain on`` then sends the tools as text."""

    def __init__(
        self,
        *,
        urls: Sequence[str],
        model: str | None = None,
        name: str | None = None,
        api_key: str | None = None,
        dialect: str = "vllm",
        concurrency: int = 16,
        timeout: float = 60.0,
        max_retries: int = 5,
        backoff: float = 0.5,
        max_delay: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        """``backoff`` is the first retry delay in seconds (doubled per attempt, with
        jitter); ``max_delay`` caps every delay, ``Retry-After`` included. ``transport``
        replaces the network (tests inject ``httpx.MockTransport``)."""
        if not urls:
            raise EngineError(f"the openai engine needs at least one base URL: {SPEC_FORM}")
        self.urls = [_checked_url(url) for url in urls]
        if dialect not in DIALECTS:
            raise EngineError(f"unknown dialect {dialect!r}; use one of {', '.join(DIALECTS)}")
        if concurrency < 1 or timeout <= 0 or max_retries < 0 or backoff < 0 or max_delay < 0:
            raise EngineError(
                "need concurrency >= 1, timeout > 0, max_retries >= 0, backoff >= 0, "
                f"max_delay >= 0; got {concurrency}, {timeout}, {max_retries}, {backoff}, "
                f"{max_delay}"
            )
        self.name = name or f"openai:{','.join(self.urls)}"
        self.dialect = dialect
        self.concurrency = concurrency
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_delay = max_delay
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._transport = transport
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._client: httpx.AsyncClient | None = None
        self._semaphore: asyncio.Semaphore | None = None
        self._in_flight = dict.fromkeys(self.urls, 0)
        self._turn = 0
        self.model = model or self._run(self._only_served_model())

    @classmethod
    def from_spec(
        cls, spec: EngineSpec, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> OpenAIEngine:
        """Build from ``openai:URL[,URL...]?key=value...``; the API key comes from the
        environment variable that ``api_key_env`` names, so no secret lands in lineage."""
        options = dict(spec.options)
        unknown = sorted(set(options) - set(SPEC_OPTIONS))
        if unknown:
            raise EngineError(
                f"engine spec {spec}: unknown option(s) {', '.join(unknown)}; "
                f"known: {', '.join(SPEC_OPTIONS)}"
            )
        api_key = None
        if var := options.get("api_key_env"):
            api_key = os.environ.get(var)
            if not api_key:
                raise EngineError(
                    f"engine spec {spec}: api_key_env={var} names an environment variable "
                    "that is not set (or is empty); export it or drop api_key_env"
                )
        return cls(
            urls=[url for url in spec.target.split(",") if url.strip()],
            model=options.get("model") or None,
            name=str(spec),
            api_key=api_key,
            dialect=options.get("dialect", "vllm"),
            concurrency=_number(spec, options, "concurrency", int, 16),
            timeout=_number(spec, options, "timeout", float, 60.0),
            max_retries=_number(spec, options, "max_retries", int, 5),
            transport=transport,
        )

    def generate(self, requests: Sequence[Request]) -> list[Result]:
        """One result per request, in order; bodies are built (and checked) before any call."""
        calls = [
            build_call(request, model=self.model, dialect=self.dialect) for request in requests
        ]
        if not calls:
            return []
        progress.expect("generate", sum(r.sampling.n for r in requests))
        return self._run(self._generate_all(requests, calls))

    def close(self) -> None:
        """Close connections and stop the loop thread; a later ``generate`` starts afresh.

        Call it when no ``generate`` is running (a running one would never return)."""
        with self._lock:
            loop, thread, self._loop, self._thread = self._loop, self._thread, None, None
        if loop is None or thread is None:
            return
        asyncio.run_coroutine_threadsafe(self._close_client(), loop).result()
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()

    # -- the event loop thread ------------------------------------------------------------

    def _run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        with self._lock:
            if self._loop is None:
                self._loop = asyncio.new_event_loop()
                self._thread = threading.Thread(
                    target=self._loop.run_forever, name=f"engine {self.name}", daemon=True
                )
                self._thread.start()
            loop = self._loop
        return asyncio.run_coroutine_threadsafe(coroutine, loop).result()

    def _http(self) -> tuple[httpx.AsyncClient, asyncio.Semaphore]:
        """The client and semaphore, created on the loop thread that uses them."""
        if self._client is None or self._semaphore is None:
            limits = httpx.Limits(
                max_connections=self.concurrency, max_keepalive_connections=self.concurrency
            )
            self._client = httpx.AsyncClient(
                headers=self._headers,
                timeout=self.timeout,
                limits=limits,
                transport=self._transport,
            )
            self._semaphore = asyncio.Semaphore(self.concurrency)
        return self._client, self._semaphore

    async def _close_client(self) -> None:
        client, self._client, self._semaphore = self._client, None, None
        if client is not None:
            await client.aclose()

    # -- requests -------------------------------------------------------------------------

    async def _generate_all(
        self, requests: Sequence[Request], calls: list[tuple[str, dict[str, Any]]]
    ) -> list[Result]:
        tasks = [
            asyncio.ensure_future(self._generate_one(request, path, body))
            for request, (path, body) in zip(requests, calls, strict=True)
        ]
        try:
            return list(await asyncio.gather(*tasks))
        except BaseException:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise

    async def _generate_one(self, request: Request, path: str, body: dict[str, Any]) -> Result:
        wanted, seed = request.sampling.n, request.sampling.seed
        completions: list[Completion] = []
        prompt_tokens, model = 0, self.model
        try:
            for extra in range(wanted):  # each call yields >= 1 text, so n calls suffice
                call = {**body, "n": wanted - len(completions), "seed": seed + extra}
                payload = await self._send("POST", path, call)
                try:
                    got, prompt_tokens_now, served = parse_response(payload, chat=path == CHAT_PATH)
                except MalformedResponse as exc:
                    message = f"malformed response to POST {path}: {exc}"
                    raise _GaveUp(message, "invalid_output") from exc
                if not got:
                    raise _GaveUp(f"POST {path} answered with no choices", "invalid_output")
                completions.extend(got)
                prompt_tokens, model = prompt_tokens or prompt_tokens_now, served or model
                if len(completions) >= wanted:
                    break
        except _GaveUp as exc:
            progress.advance("generate", wanted)
            return Result(
                request_id=request.request_id,
                completions=(),
                prompt_tokens=0,
                model=self.model,
                error=str(exc),
                error_kind=exc.kind,
            )
        progress.advance("generate", wanted)
        return Result(
            request_id=request.request_id,
            completions=tuple(completions[:wanted]),
            prompt_tokens=prompt_tokens,
            model=model,
        )

    async def _send(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """The decoded JSON answer, after retries; ``_GaveUp`` or ``EngineError`` otherwise."""
        client, semaphore = self._http()
        failure = ""
        kind: ErrorKind = "other"
        for attempt in range(self.max_retries + 1):
            async with semaphore:
                url = self._pick_url()
                self._in_flight[url] += 1
                try:
                    response = await client.request(method, url + path, json=body)
                except httpx.TransportError as exc:  # timeouts, refused and reset connections
                    response, failure = None, f"{type(exc).__name__} ({exc}) from {url}{path}"
                    kind = _transport_kind(exc)
                finally:
                    self._in_flight[url] -= 1
            delay = self._backoff_delay(attempt)
            if response is not None:
                status = response.status_code
                if status < 300:
                    try:
                        return response.json()
                    except ValueError as exc:
                        message = f"{method} {url}{path}: body is not JSON ({exc})"
                        raise _GaveUp(message, "invalid_output") from exc
                message = _server_message(response)
                if status not in (408, 429) and status < 500:
                    raise EngineError(
                        f"{method} {url}{path} refused the request: HTTP {status}: {message}"
                    )
                failure = f"HTTP {status} from {url}{path}: {message}"
                kind = "timeout" if status == 408 else "refused" if status == 429 else "other"
                retry_after = _retry_after_seconds(response.headers.get("Retry-After"))
                if retry_after is not None:
                    delay = min(retry_after, self.max_delay)
            if attempt < self.max_retries:
                await asyncio.sleep(delay)
        raise _GaveUp(f"gave up after {self.max_retries + 1} attempts; last: {failure}", kind)

    def _pick_url(self) -> str:
        """The URL with the fewest calls in flight, ties in rotation (loop thread only)."""
        start, self._turn = self._turn, (self._turn + 1) % len(self.urls)
        rotated = self.urls[start:] + self.urls[:start]
        return min(rotated, key=lambda url: self._in_flight[url])

    def _backoff_delay(self, attempt: int) -> float:
        return min(self.max_delay, self.backoff * 2**attempt) * random.uniform(0.5, 1.0)

    async def _only_served_model(self) -> str:
        try:
            payload = await self._send("GET", "/models")
        except _GaveUp as exc:
            raise EngineError(f"no model given and GET /models failed: {exc}") from exc
        data = payload.get("data") if isinstance(payload, dict) else None
        ids = [m.get("id") for m in data or [] if isinstance(m, dict)]
        if len(ids) != 1 or not isinstance(ids[0], str):
            raise EngineError(
                f"no model given and {self.urls[0]}/models lists {ids or 'no models'}; "
                f"add ?model=NAME to the spec ({SPEC_FORM})"
            )
        return ids[0]


def _checked_url(url: str) -> str:
    url = url.strip().rstrip("/")
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise EngineError(f"invalid base URL {url!r}: {exc}") from exc
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise EngineError(f"base URL {url!r} must look like http://HOST:PORT/v1 ({SPEC_FORM})")
    return url


def _number(spec: EngineSpec, options: dict[str, str], key: str, kind: type, default: Any) -> Any:
    if key not in options:
        return default
    try:
        return kind(options[key])
    except ValueError as exc:
        raise EngineError(
            f"engine spec {spec}: {key}={options[key]!r} is not a valid {kind.__name__}"
        ) from exc


def _server_message(response: httpx.Response) -> str:
    """The server's own error text: OpenAI's ``error.message``, FastAPI's ``detail``, or
    the start of the body."""
    try:
        payload = response.json()
    except ValueError:
        return response.text[:500] or "(empty body)"
    if isinstance(payload, dict):
        error = payload.get("error")
        if isinstance(error, dict) and error.get("message"):
            return str(error["message"])[:2000]
        for key in ("detail", "message", "error"):
            if payload.get(key):
                return str(payload[key])[:2000]
    return response.text[:500]


def _retry_after_seconds(value: str | None) -> float | None:
    """``Retry-After`` as seconds: either a number or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _transport_kind(exc: httpx.TransportError) -> ErrorKind:
    if isinstance(exc, httpx.TimeoutException):
        return "timeout"
    return "refused" if isinstance(exc, httpx.ConnectError) else "other"
