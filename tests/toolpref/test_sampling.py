"""ToolPref's sampling: native tools where the engine has them, the grammar as ``constrain``
says, the ground truth as an optional candidate, several engines in one plan.

Models are ``FakeScriptedEngine`` (a chat model with a tool parser cannot run here), except in
the last test, where a real llama-cpp-python server on loopback receives the native tools.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator

import httpx
import jsonschema
import pytest

from datagen.generators.engines import parse_engine_spec
from datagen.generators.engines.fake import FakeScriptedEngine
from datagen.generators.engines.openai import OpenAIEngine
from datagen.generators.sampling import SamplingPlan
from datagen.generators.toolpref.generate import (
    GROUND_TRUTH,
    GenerationConfig,
    generate_stage,
    plan_samples,
)
from datagen.generators.toolpref.prompts import openai_tools
from datagen.generators.toolpref.score import score_candidate
from datagen.schemas import first_error
from tests.engines.conftest import llama_server, llama_servers  # noqa: F401  (fixtures)

TEXT, NATIVE = "fake:toolpref", "fake:toolpref?native_tools=1"
AREA = {
    "name": "area",
    "description": "Area of a triangle.",
    "parameters": {
        "type": "dict",
        "properties": {
            "base": {"type": "integer"},
            "height": {"type": "float", "default": 1.0},
            "sides": {"type": "tuple", "items": {"type": "float"}},
            "meta": {"type": "dict", "properties": {"unit": {"type": "string"}}},
            "anything": {"type": "any", "description": "free"},
        },
        "required": ["base"],
    },
}
WEATHER = {
    "name": "get_weather",
    "description": "",
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
    },
}
TASKS = [
    {
        "task_id": "calls",
        "source": "bfcl",
        "category": "multiple",
        "messages": [{"role": "user", "content": "Area of base 10 and height 5, please."}],
        "tools": [AREA, WEATHER],
        "ground_truth": [{"area": {"base": [10], "height": [5.0, ""]}}],
    },
    {
        "task_id": "words",
        "source": "chats.jsonl",
        "category": "no_call",
        "messages": [{"role": "user", "content": "Thanks, that is all."}],
        "tools": [WEATHER],
        "ground_truth": [],
    },
]


def config(engines: tuple[str, ...] = (TEXT,), **overrides) -> GenerationConfig:
    plan = SamplingPlan(engines=engines, samples_per_task=4)
    return GenerationConfig(plan=plan, **overrides)


def engines_of(*specs: str):
    """The specs' fake engines; any other spec (a ground-truth candidate's) is refused."""
    built = {spec: FakeScriptedEngine.from_spec(parse_engine_spec(spec)) for spec in (TEXT, NATIVE)}
    return lambda spec: built[spec]


def test_openai_tools_are_function_tools_in_json_schema() -> None:
    area, weather = openai_tools([AREA, WEATHER])
    assert area["type"] == "function" and set(area["function"]) == {
        "name",
        "description",
        "parameters",
    }
    parameters = area["function"]["parameters"]
    jsonschema.Draft202012Validator.check_schema(parameters)
    assert parameters["type"] == "object" and parameters["required"] == ["base"]
    properties = parameters["properties"]
    assert properties["height"] == {"type": "number", "default": 1.0}
    assert properties["sides"] == {"type": "array", "items": {"type": "number"}}
    assert properties["meta"]["type"] == "object"
    assert properties["anything"] == {"description": "free"}  # BFCL's "any": left free
    assert weather["function"]["parameters"] == WEATHER["parameters"]


@pytest.mark.parametrize(
    ("constrain", "engine_native", "tools_sent", "grammar"),
    [
        ("auto", False, False, True),
        ("auto", True, True, False),
        ("on", False, False, True),
        ("on", True, False, True),  # a grammar and a tool parser do not mix: tools as text
        ("off", False, False, False),
        ("off", True, True, False),
    ],
)
def test_each_constrain_and_engine_kind_plans_its_requests(
    constrain: str, engine_native: bool, tools_sent: bool, grammar: bool
) -> None:
    native = {TEXT} if engine_native else set()
    planned = plan_samples(TASKS, config=config(constrain=constrain), native_tools=native)
    assert len(planned) == 8
    for sample in planned:
        request, task = sample.request, TASKS[0] if sample.task_id == "calls" else TASKS[1]
        system = request.messages[0]["content"]
        listed = {t["function"]["name"] for t in request.tools}
        assert listed == ({t["name"] for t in task["tools"]} if tools_sent else set())
        assert (request.response_format is not None) is grammar
        assert ("JSON array" in system) is not tools_sent  # the text prompt lists the tools
        assert ('"get_weather"' in system) is not tools_sent
        assert "no function fits" in system.lower()  # a reply without calls is allowed


def test_auto_constrains_only_the_engines_without_native_tools() -> None:
    planned = plan_samples(TASKS, config=config(engines=(TEXT, NATIVE)), native_tools={NATIVE})
    seen = Counter(
        (s.cell.engine, bool(s.request.tools), s.request.response_format is not None)
        for s in planned
    )
    assert set(seen) == {(TEXT, False, True), (NATIVE, True, False)}


def test_unknown_constrain_values_are_refused() -> None:
    with pytest.raises(ValueError, match="constrain must be one of auto, on, off"):
        config(constrain="sometimes")


def test_native_answers_keep_the_errors_toolpref_is_made_of() -> None:
    weather = TASKS[0] | {
        "messages": [{"role": "user", "content": "Weather in Paris?"}],
        "ground_truth": [{"get_weather": {"city": ["Paris"]}}],
    }
    tasks = [weather | {"task_id": f"weather-{i}"} for i in range(30)]
    outcome = generate_stage(tasks, engines=engines_of(NATIVE), config=config((NATIVE,)))
    assert len(outcome.records) == 120 and not outcome.quarantined
    scored = [score_candidate(c, weather) for c in outcome.records]
    assert all(first_error("toolpref/generation.v1", c) is None for c in outcome.records)
    native = [c for c in outcome.records if c["native_calls"]]
    assert native and all(c["text"] == "" for c in native)
    errors = Counter(s["error_type"] for s in scored)
    assert "malformed:not_json" in errors, "an answer in words where a call is expected"
    assert {"wrong_function", "wrong_arguments", "call_count"} <= set(errors), errors
    assert any(s["valid"] for s in scored), errors


def test_ground_truth_joins_once_per_task_after_the_samples_and_scores_full() -> None:
    outcome = generate_stage(
        TASKS, engines=engines_of(TEXT), config=config(ground_truth_candidate=True)
    )
    assert outcome.n_in == len(outcome.records) == 10  # 2 tasks × (4 samples + 1)
    truths = [c for c in outcome.records if c["engine"] == GROUND_TRUTH]
    assert [t["task_id"] for t in truths] == ["calls", "words"]
    assert [c["engine"] for c in outcome.records[:5]] == [TEXT] * 4 + [GROUND_TRUTH]
    for truth, task in zip(truths, TASKS, strict=True):
        assert first_error("toolpref/generation.v1", truth) is None
        assert truth["sample_index"] == 4 and truth["model"] == GROUND_TRUTH
        scored = score_candidate(truth, task)
        assert scored["valid"] and scored["score"] == 1.0
        assert scored["score"] == score_candidate(truth, task, rule="bfcl")["score"]
    assert json.loads(truths[0]["text"]) == [{"name": "area", "arguments": {"base": 10}}]
    assert json.loads(truths[1]["text"]) == []
    ids = [c["candidate_id"] for c in outcome.records]
    assert len(set(ids)) == len(ids)


def test_without_the_option_there_is_no_ground_truth_candidate() -> None:
    outcome = generate_stage(TASKS, engines=engines_of(TEXT), config=config())
    assert len(outcome.records) == 8
    assert GROUND_TRUTH not in {c["engine"] for c in outcome.records}


class RecordingTransport(httpx.AsyncBaseTransport):
    """The real network to the server, keeping the body of every request it carried."""

    def __init__(self) -> None:
        self.network = httpx.AsyncHTTPTransport()
        self.bodies: list[dict] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.content:
            self.bodies.append(json.loads(request.content))
        return await self.network.handle_async_request(request)

    async def aclose(self) -> None:
        await self.network.aclose()


@pytest.fixture
def served(llama_server) -> Iterator[tuple[str, OpenAIEngine, RecordingTransport]]:  # noqa: F811
    spec = f"openai:{llama_server.url}?model=gemma-3-270m&dialect=llamacpp&max_retries=1"
    recording = RecordingTransport()
    engine = OpenAIEngine.from_spec(parse_engine_spec(spec), transport=recording)
    yield spec, engine, recording
    engine.close()


def test_native_tools_reach_a_real_server_beside_a_constrained_engine(served) -> None:
    spec, server, recording = served
    fake = FakeScriptedEngine("toolpref")
    plan = SamplingPlan(  # one cell per engine: each task's two samples, one on each
        engines=(spec, TEXT),
        temperatures=(0.7,),
        prompt_variants=("careful",),
        tool_orders=("given",),
        samples_per_task=2,
    )
    generation = GenerationConfig(plan=plan, max_tokens=24)
    outcome = generate_stage(
        TASKS, engines=lambda s: server if s == spec else fake, config=generation
    )
    assert not outcome.quarantined and len(outcome.records) == 4
    assert len(recording.bodies) == 2, "one chat call per task went to the server"
    by_question = {task["messages"][-1]["content"]: task for task in TASKS}
    for body in recording.bodies:  # in flight together: in any order
        task = by_question.pop(body["messages"][-1]["content"])
        assert body["tools"] == list(openai_tools(task["tools"]))
        assert "grammar" not in body and "response_format" not in body
        assert "JSON array" not in body["messages"][0]["content"]
    for candidate in outcome.records:
        assert candidate["engine"] in (spec, TEXT)
        if candidate["engine"] == TEXT:  # the grammar-constrained engine wrote a call list
            assert isinstance(json.loads(candidate["text"]), list)
        else:
            assert candidate["model"] == "gemma-3-270m"
