"""``engine_stage``: one batch per engine, outputs in order, failures in one vocabulary."""

from __future__ import annotations

import pytest

from datagen.generators.engine_stage import engine_stage
from datagen.generators.engines import Completion, Request, Result, Sampling
from datagen.schemas.records import Quarantined
from tests.fakes import FakeResultsEngine


def _result(rid: str, *texts: str, error: str | None = None, kind=None) -> Result:
    completions = tuple(
        Completion(text=t, finish_reason="stop", completion_tokens=1) for t in texts
    )
    return Result(
        request_id=rid,
        completions=completions,
        prompt_tokens=3,
        model="m",
        error=error,
        error_kind=kind,
    )


def _request(rid: str, n: int = 1) -> Request:
    return Request(request_id=rid, prompt=f"say {rid}", sampling=Sampling(n=n))


def _one_engine(results: dict[str, Result], *, n: int, parse) -> object:
    """The stage over record ``a`` with one request of ``n`` samples, on a fake engine."""
    engine = FakeResultsEngine(results)
    return engine_stage(
        [{"id": "a"}],
        stage="ask",
        engines=lambda _: engine,
        requests=lambda r: [("e", _request("a", n=n))],
        parse=parse,
    )


RECORDS = [{"id": "a", "engine": "one"}, {"id": "b", "engine": "two"}, {"id": "c", "engine": "one"}]


def test_one_generate_per_engine_and_outputs_in_record_order() -> None:
    engines = {
        "one": FakeResultsEngine({"a": _result("a", "A"), "c": _result("c", "C")}),
        "two": FakeResultsEngine({"b": _result("b", "B")}),
    }
    outcome = engine_stage(
        RECORDS,
        stage="ask",
        engines=engines.__getitem__,
        requests=lambda r: [(r["engine"], _request(r["id"]))],
        parse=lambda r, _, result: [{"id": r["id"], "text": result.completions[0].text}],
    )
    assert [r["text"] for r in outcome.records] == ["A", "B", "C"]
    assert engines["one"].calls == [["a", "c"]] and engines["two"].calls == [["b"]]
    assert (outcome.stage, outcome.n_in, outcome.n_filtered, outcome.quarantined) == (
        "ask",
        3,
        0,
        [],
    )


@pytest.mark.parametrize(
    ("result", "reason"),
    [
        (
            _result("a", error="read timed out", kind="timeout"),
            "engine_error:timeout: read timed out",
        ),
        (_result("a", error="HTTP 429", kind="refused"), "engine_error:refused: HTTP 429"),
        (
            _result("a", error="too long", kind="context_length"),
            "engine_error:context_length: too long",
        ),
        (_result("a", error="boom"), "engine_error:other: boom"),
        (_result("a", "only one"), "engine_error:invalid_output: 1 completions for 3 samples"),
    ],
)
def test_engine_failures_are_quarantined_per_sample_with_their_kind(result, reason) -> None:
    outcome = _one_engine(
        {"a": result}, n=3, parse=lambda *_: pytest.fail("a failed request is not parsed")
    )
    assert [(q.record_id, q.reason) for q in outcome.quarantined] == [
        (f"a#{i}", reason) for i in range(3)
    ]
    assert outcome.n_in == 3 and outcome.records == []


def test_parse_may_quarantine_and_drop_samples_which_are_counted() -> None:
    outcome = _one_engine(
        {"a": _result("a", *"xyz")},
        n=3,
        parse=lambda r, _, result: [{"t": "x"}, Quarantined("a#1", "bad_answer: y", r)],
    )
    assert (outcome.n_in, len(outcome.records), outcome.n_filtered) == (3, 1, 1)
    assert [q.reason for q in outcome.quarantined] == ["bad_answer: y"]


def test_parse_cannot_invent_outputs() -> None:
    with pytest.raises(AssertionError, match="parse made 2 outputs"):
        _one_engine({"a": _result("a", "x")}, n=1, parse=lambda *_: [{"t": 1}, {"t": 2}])
