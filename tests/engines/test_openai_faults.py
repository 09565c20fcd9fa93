"""The openai engine's retries, errors, limits and threads, against named fake servers.

Faults (429, 5xx, timeouts, refused connections) cannot be provoked on a real local server
on demand, so ``FakeServer`` plays one through ``httpx.MockTransport``; everything else in
the engine is real.
"""

from __future__ import annotations

import asyncio
import email.utils
import inspect
import json
import re
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from datagen.generators.engines import EngineError, Request, Sampling, parse_engine_spec
from datagen.generators.engines.openai import OpenAIEngine


def texts(result) -> list[str]:
    """The texts of a result's completions, in order."""
    return [c.text for c in result.completions]


Reply = Callable[[int, httpx.Request, Any], Any]


def fake_completion(texts: list[str], *, completion_tokens: int | None = None) -> httpx.Response:
    """A 200 ``/completions`` answer with one choice per text."""
    choices = [{"index": i, "text": t, "finish_reason": "stop"} for i, t in enumerate(texts)]
    used = len(texts) * 2 if completion_tokens is None else completion_tokens
    usage = {"prompt_tokens": 3, "completion_tokens": used}
    return httpx.Response(200, json={"model": "fake-served", "choices": choices, "usage": usage})


def fake_ok(_call: int, _request: httpx.Request, body: Any) -> httpx.Response:
    return fake_completion([f"echo {body['prompt']}"] * body["n"])


class FakeServer:
    """A fake OpenAI-compatible server: ``reply(call_number, request, body)`` answers each call
    (a response, an awaitable of one, or a raised httpx error). It records every call and the
    most calls it ever had in flight at once."""

    def __init__(self, reply: Reply = fake_ok) -> None:
        self.reply = reply
        self.calls: list[tuple[httpx.Request, Any]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.transport = httpx.MockTransport(self._handle)

    async def _handle(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        self.calls.append((request, body))
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            answer = self.reply(len(self.calls) - 1, request, body)
            return await answer if inspect.isawaitable(answer) else answer
        finally:
            self.in_flight -= 1

    def engine(self, **overrides: Any) -> OpenAIEngine:
        settings = {"urls": ["http://fake-a/v1"], "model": "fake-model", "backoff": 0.001}
        return OpenAIEngine(**{**settings, **overrides}, transport=self.transport)


def ask(prompt: str = "hi", *, n: int = 1, seed: int = 0, request_id: str | None = None) -> Request:
    return Request(
        request_id=request_id or prompt, prompt=prompt, sampling=Sampling(n=n, seed=seed)
    )


def fake_fail_first(fault: Callable[[httpx.Request], httpx.Response]) -> Reply:
    """The first call fails with ``fault``; later calls succeed."""

    def reply(call: int, request: httpx.Request, body: Any) -> httpx.Response:
        return fault(request) if call == 0 else fake_ok(call, request, body)

    return reply


def _raise(kind: type[httpx.TransportError]) -> Callable[[httpx.Request], httpx.Response]:
    def fault(request: httpx.Request) -> httpx.Response:
        raise kind("injected", request=request)

    return fault


@pytest.mark.parametrize(
    ("retry_after", "max_delay", "low", "high"),
    [
        ("0.4", 5.0, 0.4, 3.0),  # seconds, honoured although backoff is 1 ms
        ("3600", 0.1, 0.0, 2.0),  # capped by max_delay
        ("date+2", 5.0, 0.5, 4.0),  # an HTTP date (one-second resolution)
        ("soon", 5.0, 0.0, 1.0),  # unreadable: plain backoff
    ],
)
def test_fake_server_429_then_ok_honours_retry_after(retry_after, max_delay, low, high):
    if retry_after == "date+2":
        retry_after = email.utils.formatdate(time.time() + 2, usegmt=True)
    headers = {"Retry-After": retry_after}
    fake = FakeServer(fake_fail_first(lambda _: httpx.Response(429, headers=headers)))
    engine = fake.engine(max_delay=max_delay)
    started = time.monotonic()
    [result] = engine.generate([ask("x")])
    elapsed = time.monotonic() - started
    engine.close()
    assert texts(result) == ["echo x"]
    assert len(fake.calls) == 2
    assert low <= elapsed < high


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_fake_server_transient_status_is_retried(status):
    fake = FakeServer(fake_fail_first(lambda _: httpx.Response(status, text="busy")))
    engine = fake.engine()
    [result] = engine.generate([ask("x")])
    engine.close()
    assert (result.error, texts(result), len(fake.calls)) == (None, ["echo x"], 2)


@pytest.mark.parametrize(
    "error",
    [httpx.ReadTimeout, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ConnectError,
     httpx.RemoteProtocolError, httpx.ReadError],
)  # fmt: skip
def test_fake_server_timeouts_and_broken_connections_are_retried(error):
    fake = FakeServer(fake_fail_first(_raise(error)))
    engine = fake.engine()
    [result] = engine.generate([ask("x")])
    engine.close()
    assert (result.error, texts(result), len(fake.calls)) == (None, ["echo x"], 2)


def test_fake_server_exhausted_retries_fail_only_that_request():
    def reply(call: int, request: httpx.Request, body: Any) -> httpx.Response:
        if body["prompt"] == "doomed":
            return httpx.Response(503, json={"error": {"message": "replica draining"}})
        return fake_ok(call, request, body)

    fake = FakeServer(reply)
    engine = fake.engine(max_retries=2)
    results = engine.generate([ask("a"), ask("doomed"), ask("b")])
    engine.close()
    assert [texts(r) for r in results] == [["echo a"], [], ["echo b"]]
    assert [r.error is None for r in results] == [True, False, True]
    assert "gave up after 3 attempts" in results[1].error
    assert "HTTP 503" in results[1].error and "replica draining" in results[1].error
    assert results[1].error_kind == "other"
    assert sum(body["prompt"] == "doomed" for _, body in fake.calls) == 3


@pytest.mark.parametrize(
    ("status", "answer", "message"),
    [
        (400, {"json": {"error": {"message": "max_tokens too large"}}}, "max_tokens too large"),
        (422, {"json": {"detail": [{"msg": "field required"}]}}, "field required"),
        (401, {"text": "Invalid API key"}, "Invalid API key"),
        (404, {}, "(empty body)"),
    ],
)
def test_fake_server_refusal_raises_engine_error_without_retry(status, answer, message):
    fake = FakeServer(lambda *_: httpx.Response(status, **answer))
    engine = fake.engine()
    with pytest.raises(EngineError, match=rf"HTTP {status}: .*{re.escape(message)}"):
        engine.generate([ask("x")])
    engine.close()
    assert len(fake.calls) == 1


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        ({"text": "<html>proxy error</html>"}, "body is not JSON"),
        ({"json": {"detail": "ok?"}}, "no 'choices' list"),
        ({"json": {"choices": "text"}}, "no 'choices' list"),
        ({"json": {"choices": [1]}}, "a choice is not an object"),
        ({"json": ["choices"]}, "no 'choices' list"),
        ({"json": {"choices": []}}, "no choices"),
    ],
)
def test_fake_server_malformed_success_ends_that_request(answer, error):
    fake = FakeServer(lambda *_: httpx.Response(200, **answer))
    engine = fake.engine()
    [result] = engine.generate([ask("x")])
    engine.close()
    assert result.completions == ()
    assert error in (result.error or "") and result.error_kind == "invalid_output"
    assert len(fake.calls) == 1  # a server that answers 200 with garbage will do it again


def test_fake_server_ignoring_n_gets_extra_seeded_calls():
    fake = FakeServer(lambda _c, _r, body: fake_completion([f"seed={body['seed']} n={body['n']}"]))
    engine = fake.engine()
    [result] = engine.generate([ask("x", n=3, seed=10)])
    engine.close()
    assert texts(result) == ["seed=10 n=3", "seed=11 n=2", "seed=12 n=1"]
    assert (result.prompt_tokens, result.model) == (3, "fake-served")


@pytest.mark.parametrize("extra", [0, 2])
def test_fake_server_honouring_n_needs_one_call(extra):
    fake = FakeServer(lambda _c, _r, body: fake_completion(["x"] * (body["n"] + extra)))
    engine = fake.engine()
    [result] = engine.generate([ask("x", n=4)])
    engine.close()
    assert (len(result.completions), len(fake.calls)) == (4, 1)


def test_fake_server_sees_at_most_concurrency_calls_at_once():
    async def slow(call: int, request: httpx.Request, body: Any) -> httpx.Response:
        await asyncio.sleep(0.02)
        return fake_ok(call, request, body)

    fake = FakeServer(slow)
    engine = fake.engine(concurrency=4)
    results = engine.generate([ask(str(i)) for i in range(24)])
    engine.close()
    assert [texts(r) for r in results] == [[f"echo {i}"] for i in range(24)]
    assert fake.max_in_flight == 4


def test_fake_server_concurrency_bound_is_shared_by_caller_threads():
    async def slow(call: int, request: httpx.Request, body: Any) -> httpx.Response:
        await asyncio.sleep(0.02)
        return fake_ok(call, request, body)

    fake = FakeServer(slow)
    engine = fake.engine(concurrency=3)
    outputs: dict[int, list[list[str]]] = {}

    def work(worker: int) -> None:
        results = engine.generate([ask(f"{worker}-{i}") for i in range(8)])
        outputs[worker] = [texts(r) for r in results]

    threads = [threading.Thread(target=work, args=(w,)) for w in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    engine.close()
    assert outputs == {w: [[f"echo {w}-{i}"] for i in range(8)] for w in range(3)}
    assert fake.max_in_flight == 3


def test_fake_server_generate_works_inside_a_running_event_loop():
    fake = FakeServer()
    engine = fake.engine()

    async def caller() -> list[str]:
        return texts(engine.generate([ask("inside")])[0])

    assert asyncio.run(caller()) == ["echo inside"]
    engine.close()
    assert texts(engine.generate([ask("after close")])[0]) == ["echo after close"]
    engine.close()


def test_fake_server_dead_url_fails_over_to_the_live_one():
    def reply(call: int, request: httpx.Request, body: Any) -> httpx.Response:
        if request.url.host == "fake-dead":
            raise httpx.ConnectError("connection refused", request=request)
        return fake_ok(call, request, body)

    fake = FakeServer(reply)
    engine = fake.engine(urls=["http://fake-dead/v1", "http://fake-a/v1/"], max_retries=3)
    results = engine.generate([ask(str(i)) for i in range(6)])
    engine.close()
    assert [texts(r) for r in results] == [[f"echo {i}"] for i in range(6)]
    hosts = [request.url.host for request, _ in fake.calls]
    assert hosts.count("fake-a") == 6 and "fake-dead" in hosts
    assert all(str(request.url).endswith("/v1/completions") for request, _ in fake.calls)


@pytest.mark.parametrize("key", [None, "secret-123"])
def test_fake_server_receives_the_api_key_from_the_named_variable(monkeypatch, key):
    query = "model=m"
    if key is not None:
        monkeypatch.setenv("DATAGEN_TEST_OPENAI_KEY", key)
        query += "&api_key_env=DATAGEN_TEST_OPENAI_KEY"
    fake = FakeServer()
    spec = parse_engine_spec(f"openai:http://fake-a/v1?{query}")
    engine = OpenAIEngine.from_spec(spec, transport=fake.transport)
    engine.generate([ask("x")])
    engine.close()
    [(request, _)] = fake.calls
    assert request.headers.get("authorization") == (f"Bearer {key}" if key else None)
    assert "secret" not in engine.name


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("openai:http://x/v1?model=m&api_key_env=DATAGEN_UNSET_KEY", "DATAGEN_UNSET_KEY names"),
        ("openai:?model=m", "needs at least one base URL"),
        ("openai:ftp://x/v1?model=m", "must look like http://HOST:PORT/v1"),
        ("openai:http://x/v1,?model=m&modle=n", "unknown option.*modle"),
        ("openai:http://x/v1?model=m&concurrency=many", "concurrency='many' is not a valid int"),
        ("openai:http://x/v1?model=m&concurrency=0", "concurrency >= 1"),
        ("openai:http://x/v1?model=m&timeout=-1", "timeout > 0"),
        ("openai:http://x/v1?model=m&dialect=sglang", "unknown dialect 'sglang'"),
    ],
)
def test_bad_specs_fail_with_a_clear_message(monkeypatch, spec, message):
    monkeypatch.delenv("DATAGEN_UNSET_KEY", raising=False)
    with pytest.raises(EngineError, match=message):
        OpenAIEngine.from_spec(parse_engine_spec(spec), transport=FakeServer().transport)


@pytest.mark.parametrize(
    ("models", "expected"),
    [
        (["only-one"], "only-one"),
        (["a", "b"], "lists \\['a', 'b'\\]"),
        ([], "lists no models"),
    ],
)
def test_fake_server_model_list_names_the_model(models, expected):
    listing = {"object": "list", "data": [{"id": m, "object": "model"} for m in models]}
    fake = FakeServer(lambda *_: httpx.Response(200, json=listing))
    if len(models) == 1:
        engine = fake.engine(model=None)
        assert engine.model == expected
        engine.close()
    else:
        with pytest.raises(EngineError, match=expected):
            fake.engine(model=None)
    assert [(r.method, r.url.path) for r, _ in fake.calls] == [("GET", "/v1/models")]


def test_fake_server_chat_tool_calls_are_parsed():
    message = {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {"id": "1", "type": "function",
             "function": {"name": "get_weather", "arguments": '{"city": "Oslo"}'}},
            {"id": "2", "type": "function", "function": {"name": "broken", "arguments": "{oops"}},
        ],
    }  # fmt: skip
    answer = {"choices": [{"index": 0, "message": message, "finish_reason": "tool_calls"}]}
    fake = FakeServer(lambda *_: httpx.Response(200, json=answer))
    engine = fake.engine()
    tools = ({"type": "function", "function": {"name": "get_weather", "parameters": {}}},)
    request = Request(request_id="t", messages=({"role": "user", "content": "w?"},), tools=tools)
    [result] = engine.generate([request])
    engine.close()
    [completion] = result.completions
    assert [(c.name, c.arguments) for c in completion.tool_calls] == [
        ("get_weather", {"city": "Oslo"})
    ]
    assert '"{oops"' in completion.text and completion.finish_reason == "tool_calls"
    [(sent, body)] = fake.calls
    assert sent.url.path == "/v1/chat/completions" and body["tools"] == list(tools)
    assert (result.model, result.prompt_tokens, completion.completion_tokens) == (
        "fake-model",
        0,
        0,
    )


@pytest.mark.parametrize(
    ("fault", "kind"),
    [
        (httpx.ReadTimeout("read timed out"), "timeout"),
        (httpx.ConnectError("connection refused"), "refused"),
        (httpx.RemoteProtocolError("peer closed"), "other"),
        (429, "refused"),
        (408, "timeout"),
    ],
)
def test_a_request_given_up_on_says_what_kind_of_failure_it_was(fault, kind):
    def reply(*_: Any) -> httpx.Response:
        if isinstance(fault, int):
            return httpx.Response(fault, json={"error": {"message": "busy"}})
        raise fault

    fake = FakeServer(reply)
    engine = fake.engine(max_retries=1)
    [result] = engine.generate([ask("x")])
    engine.close()
    assert result.error is not None and result.error_kind == kind
