"""ToolPref task sources: hand-written OpenAI/Hermes fixtures in ``data/`` and BFCL's real data."""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections import Counter
from importlib.resources import files
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from datagen.generators.toolpref.bfcl_wheel import BFCL_VERSION, DATA_PREFIX
from datagen.generators.toolpref.sources import (
    BFCL_CATEGORIES,
    SourceRead,
    bfcl_part,
    detect_format,
    interleave_categories,
    read_bfcl,
    read_openai_jsonl,
    read_source,
    segment_conversation,
)
from datagen.schemas.records import SourceError

DATA = Path(__file__).parent / "data"
TASK_SCHEMA = json.loads((files("datagen.schemas") / "toolpref" / "task.v1.json").read_text())
GOOD_FILES = [
    "openai_multiturn.jsonl",
    "hermes_sharegpt.jsonl",
    "hermes_messages.jsonl",
    "hermes_array.json",
]


def read(name: str) -> SourceRead:
    return read_source(str(DATA / name))


def by_id(name: str) -> dict[str, dict]:
    return {task["task_id"]: task for task in read(name).records}


def weather(city: str, unit: str | None = None) -> dict:
    args = {"city": [city]} | ({"unit": [unit]} if unit else {})
    return {"get_weather": args}


# (file, task id, category, roles of the context, ground truth)
GOOD_TASKS = [
    ("openai_multiturn.jsonl", "openai_multiturn/1-1", "multiple", ["system", "user"],
     [weather("Paris", "celsius")]),
    ("openai_multiturn.jsonl", "openai_multiturn/1-2", "parallel_multiple",
     ["system", "user", "assistant", "tool", "assistant", "user"],
     [{"book_hotel": {"city": ["Paris"], "nights": [2]}}, weather("Lyon")]),
    ("openai_multiturn.jsonl", "openai_multiturn/3-1", "simple", ["system", "user"],
     [{"convert": {"value": [5], "from": ["km"], "to": ["mi"]}}]),
    ("hermes_sharegpt.jsonl", "hermes_sharegpt/1-1", "multiple", ["user"],
     [weather("Paris", "celsius")]),
    ("hermes_sharegpt.jsonl", "hermes_sharegpt/1-2", "parallel_multiple",
     ["user", "assistant", "tool", "assistant", "user"],
     [{"book_hotel": {"city": ["Paris"], "nights": [2]}},
      {"book_hotel": {"city": ["Lyon"], "nights": [3]}}]),
    ("hermes_sharegpt.jsonl", "hermes_sharegpt/1-3", "multiple",
     ["user", "assistant", "tool", "assistant", "user", "assistant", "tool", "tool", "assistant",
      "user"],
     [weather("Lyon")]),
    ("hermes_sharegpt.jsonl", "hermes_sharegpt/2-1", "simple", ["system", "user"],
     [{"search": {"query": ["BFCL"]}}]),
    ("hermes_sharegpt.jsonl", "hermes_sharegpt/3-1", "multiple", ["user"],
     [{"search": {"query": ["Oslo news"]}}]),
    ("hermes_messages.jsonl", "hermes_messages/1-1", "simple", ["user"], [weather("Oslo")]),
    ("hermes_messages.jsonl", "hermes_messages/1-2", "parallel",
     ["user", "assistant", "tool", "assistant", "user"], [weather("Bergen"), weather("Tromsø")]),
    ("hermes_array.json", "hermes_array/1-1", "simple", ["system", "user"],
     [{"search": {"query": ["BFCL"]}}]),
]  # fmt: skip


@pytest.mark.parametrize(("name", "task_id", "category", "roles", "ground_truth"), GOOD_TASKS)
def test_file_task(name, task_id, category, roles, ground_truth):
    task = by_id(name)[task_id]
    assert task["source"] == name
    assert task["category"] == category
    assert [message["role"] for message in task["messages"]] == roles
    assert task["ground_truth"] == ground_truth


@pytest.mark.parametrize("name", GOOD_FILES)
def test_good_file_gives_exactly_its_tasks(name):
    result = read(name)
    assert result.rejects == []
    assert [t["task_id"] for t in result.records] == [
        row[1] for row in GOOD_TASKS if row[0] == name
    ]
    validator = Draft202012Validator(TASK_SCHEMA)
    for task in result.records:
        assert list(validator.iter_errors(task)) == []
        assert json.loads(json.dumps(task)) == task  # plain JSON, even from Python literals


def test_openai_history_keeps_earlier_calls_and_results():
    messages = by_id("openai_multiturn.jsonl")["openai_multiturn/1-2"]["messages"]
    call = {"name": "get_weather", "arguments": '{"city": "Paris", "unit": "celsius"}'}
    assert messages[2] == {
        "role": "assistant",
        "content": "",
        "tool_calls": [{"id": "call_a", "type": "function", "function": call}],
    }
    assert messages[3] == {"role": "tool", "content": '{"temp": 18}', "tool_call_id": "call_a"}
    assert (
        messages[5]["content"] == "Book me a hotel there for 2 nights and check Lyon's weather too."
    )


def test_hermes_history_becomes_openai_messages():
    task = by_id("hermes_sharegpt.jsonl")["hermes_sharegpt/1-2"]
    call, result = task["messages"][1], task["messages"][2]
    assert call["tool_calls"][0]["function"] == {
        "name": "get_weather",
        "arguments": '{"city": "Paris", "unit": "celsius"}',
    }
    assert result == {
        "role": "tool",
        "content": '{"name": "get_weather", "content": {"temp": 18}}',
        "tool_call_id": call["tool_calls"][0]["id"],
    }
    # the system turn only wrapped the <tools> list, which travels in "tools"
    assert [tool["name"] for tool in task["tools"]] == ["get_weather", "book_hotel"]


def test_hermes_parallel_results_answer_their_calls_in_order():
    messages = by_id("hermes_sharegpt.jsonl")["hermes_sharegpt/1-3"]["messages"]
    call_ids = [call["id"] for call in messages[5]["tool_calls"]]
    assert len(set(call_ids)) == 2
    assert [messages[6]["tool_call_id"], messages[7]["tool_call_id"]] == call_ids
    assert json.loads(messages[5]["tool_calls"][1]["function"]["arguments"]) == {
        "city": "Lyon",
        "nights": 3,
    }


def test_hermes_text_around_calls_stays_as_content():
    task = by_id("hermes_sharegpt.jsonl")["hermes_sharegpt/2-1"]
    assert task["messages"][0] == {"role": "system", "content": "You are a helpful assistant."}
    assert task["tools"][0]["parameters"]["required"] == ["query"]


def test_openai_tools_become_bfcl_function_docs():
    task = by_id("openai_multiturn.jsonl")["openai_multiturn/3-1"]
    assert task["tools"] == [
        {
            "name": "convert",
            "description": "",
            "parameters": {
                "type": "object",
                "properties": {
                    "value": {"type": "number"},
                    "from": {"type": "string"},
                    "to": {"type": "string"},
                },
                "required": [],
            },
        }
    ]
    assert task["messages"] == [
        {"role": "system", "content": "Be brief."},  # "developer" is the newer name of system
        {"role": "user", "content": "Convert 5 km to miles"},  # text parts joined
    ]


def test_segment_conversation_keeps_bfcl_types_and_names_its_source():
    tool = {"name": "f", "description": "d", "parameters": {"type": "dict", "properties": {}}}
    messages = [
        {"role": "user", "content": "go"},
        {"role": "assistant", "tool_calls": [{"function": {"name": "f", "arguments": {}}}]},
    ]
    (task,) = segment_conversation(messages, [tool], record_id="mine/7")
    assert task["task_id"] == "mine/7-1"
    assert task["source"] == "mine"
    assert task["tools"][0]["parameters"] == {"type": "dict", "properties": {}, "required": []}
    assert task["ground_truth"] == [{"f": {}}]


MALFORMED = [
    ("malformed_openai.jsonl", 1, "invalid_json: Expecting value"),
    ("malformed_openai.jsonl", 2, "invalid_row: row is a list"),
    ("malformed_openai.jsonl", 3, "missing_field: tools"),
    ("malformed_openai.jsonl", 4, "empty_tools"),
    ("malformed_openai.jsonl", 5, "invalid_tools: tools:"),
    ("malformed_openai.jsonl", 6, "invalid_tool: not a named function doc"),
    ("malformed_openai.jsonl", 7, "duplicate_tool: get_weather"),
    ("malformed_openai.jsonl", 8, "invalid_arguments: get_weather: Expecting property name"),
    ("malformed_openai.jsonl", 9, "invalid_arguments: get_weather: arguments are list"),
    ("malformed_openai.jsonl", 10, "unknown_function: get_wether"),
    ("malformed_openai.jsonl", 11, "no_tool_calls"),
    ("malformed_openai.jsonl", 12, "invalid_message: message 0: unknown role 'robot'"),
    ("malformed_openai.jsonl", 13, "no_user_message"),
    ("malformed_openai.jsonl", 14, "invalid_tool_call: message 1: a call has no function name"),
    ("malformed_openai.jsonl", 15, "invalid_message: message 0: content is not text"),
    ("malformed_openai.jsonl", 16, "invalid_messages"),
    ("malformed_hermes.jsonl", 1, "invalid_tool_call: turn 2: unclosed <tool_call> block"),
    ("malformed_hermes.jsonl", 2, "invalid_tool_call: turn 2: Expecting property name"),
    ("malformed_hermes.jsonl", 3, "invalid_tool_call: turn 2: block has no function name"),
    ("malformed_hermes.jsonl", 4, "missing_tools"),
    ("malformed_hermes.jsonl", 5, "empty_tools"),
    ("malformed_hermes.jsonl", 6, "unknown_function: get_wether"),
    ("malformed_hermes.jsonl", 7, "invalid_message: turn 1: unknown role 'narrator'"),
    ("malformed_hermes.jsonl", 8, "missing_tools"),  # a JSON-mode row: schema, no tools
    ("malformed_hermes.jsonl", 9, "invalid_tools: <tools> block"),
    ("malformed_hermes.jsonl", 10, "missing_field: conversations or messages"),
    ("malformed_hermes.jsonl", 11, "invalid_arguments: get_weather: Expecting property name"),
    ("malformed_hermes.jsonl", 12, "no_tool_calls"),
    ("malformed_hermes.jsonl", 13, "invalid_tool_call: turn 2: Expecting property name"),  # a set
]


@pytest.mark.parametrize(("name", "line", "reason"), MALFORMED)
def test_malformed_row_is_rejected_with_its_reason(name, line, reason):
    rejects = {reject.record_id: reject for reject in read(name).rejects}
    reject = rejects[f"{Path(name).stem}/{line}"]
    assert reject.reason.startswith(reason), reject.reason


@pytest.mark.parametrize("name", ["malformed_openai.jsonl", "malformed_hermes.jsonl"])
def test_malformed_file_yields_only_rejects(name):
    result = read(name)
    assert result.records == []
    assert len(result.rejects) == sum(1 for row in MALFORMED if row[0] == name)


def test_reject_keeps_the_raw_input():
    rejects = read("malformed_openai.jsonl").rejects
    assert rejects[0].record == {"raw": '{"messages": ['}
    assert rejects[1].record == {"raw": [1, 2]}
    assert rejects[9].record["messages"][1]["tool_calls"][0]["function"]["name"] == "get_wether"


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("openai_multiturn.jsonl", "openai"),
        ("malformed_openai.jsonl", "openai"),  # the first two rows cannot tell; the third can
        ("hermes_sharegpt.jsonl", "hermes"),
        ("hermes_messages.jsonl", "hermes"),
        ("hermes_array.json", "hermes"),
        ("malformed_hermes.jsonl", "hermes"),
    ],
)
def test_detect_format(name, fmt):
    assert detect_format(DATA / name) == fmt


def write(tmp_path: Path, content: bytes | str, name: str = "rows.jsonl") -> Path:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


@pytest.mark.parametrize(
    ("content", "error", "match"),
    [
        (None, SourceError, "no such file"),
        ("", SourceError, "the file is empty"),
        ("not json\n", SourceError, "no line is JSON"),
        ((DATA / "not_tool_chat.jsonl").read_text(), SourceError, "first 2 JSON rows"),
        (b'{"messages": "\xff"}\n', SourceError, "not UTF-8"),
    ],
    ids=["missing", "empty", "garbage", "chat_without_tools", "latin1"],
)
def test_unreadable_source_raises(tmp_path, content, error, match):
    path = tmp_path / "absent.jsonl" if content is None else write(tmp_path, content)
    with pytest.raises(error, match=match):
        read_source(str(path))


def test_directory_is_not_a_source(tmp_path):
    with pytest.raises(SourceError, match="not a file"):
        read_openai_jsonl(tmp_path)


def test_mixed_file_is_read_in_its_first_format(tmp_path):
    openai = (DATA / "openai_multiturn.jsonl").read_text().splitlines()[2]
    hermes = (DATA / "hermes_sharegpt.jsonl").read_text().splitlines()[1]
    result = read_source(str(write(tmp_path, f"{openai}\n{hermes}\n")))
    assert [t["task_id"] for t in result.records] == ["rows/1-1"]
    assert [(r.record_id, r.reason) for r in result.rejects] == [
        ("rows/2", "missing_field: messages")
    ]


def test_file_lineage():
    path = DATA / "hermes_messages.jsonl"
    assert read(path.name).lineage == {
        "source": "hermes_messages.jsonl",
        "path": str(path.resolve()),
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "license": None,
        "format": "hermes",
    }


def fake_tasks(*pairs: str) -> list[dict]:
    """Tasks named ``<category>:<n>`` for interleaving."""
    return [{"task_id": pair, "category": pair.split(":")[0]} for pair in pairs]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ([], []),
        (["simple:1", "simple:2"], ["simple:1", "simple:2"]),
        (
            ["zeta:1", "live_simple:1", "simple_python:1", "simple_python:2", "simple:1",
             "multiple:1", "parallel:1", "simple_python:3", "live_simple:2"],
            ["simple_python:1", "multiple:1", "parallel:1", "live_simple:1", "simple:1",
             "zeta:1", "simple_python:2", "live_simple:2", "simple_python:3"],
        ),
    ],
    ids=["empty", "one_category", "bfcl_order_then_sorted_others"],
)  # fmt: skip
def test_interleave_categories(given, expected):
    result = interleave_categories(fake_tasks(*given))
    assert [t["task_id"] for t in result] == expected


@pytest.fixture(scope="module")
def bfcl() -> SourceRead:
    return read_bfcl()


def test_bfcl_reads_every_category(bfcl):
    counts = Counter(task["category"] for task in bfcl.records)
    assert set(counts) == set(BFCL_CATEGORIES)
    assert min(counts.values()) > 0
    assert bfcl.rejects == []
    assert len({task["task_id"] for task in bfcl.records}) == len(bfcl.records)
    assert bfcl.lineage == {
        "source": "bfcl",
        "package": "bfcl-eval",
        "version": BFCL_VERSION,
        "license": "Apache-2.0",
        "categories": list(BFCL_CATEGORIES),
        "part": "train",
        "bench_share": 0.6,
    }


def test_bfcl_train_and_bench_parts_split_the_tasks_by_id(bfcl):
    bench = read_bfcl(part="bench")
    train_ids = {t["task_id"] for t in bfcl.records}
    bench_ids = {t["task_id"] for t in bench.records}
    assert not train_ids & bench_ids
    assert all(bfcl_part(i) == "train" for i in train_ids)
    assert all(bfcl_part(i) == "bench" for i in bench_ids)
    share = len(bench_ids) / (len(train_ids) + len(bench_ids))
    assert 0.57 < share < 0.63  # TRBench-BFCL holds 1,397 of BFCL's 2,351 single-turn tasks
    assert set(Counter(t["category"] for t in bench.records)) == set(BFCL_CATEGORIES)
    assert read_source("bfcl:bench").records == bench.records


def test_an_unknown_bfcl_part_is_refused():
    with pytest.raises(SourceError, match="unknown BFCL part 'test'"):
        read_bfcl(part="test")


def test_bfcl_tasks_are_valid(bfcl):
    validator = Draft202012Validator(TASK_SCHEMA)
    for task in bfcl.records:
        assert list(validator.iter_errors(task)) == [], task["task_id"]
        names = {tool["name"] for tool in task["tools"]}
        assert {name for call in task["ground_truth"] for name in call} <= names
    first = next(t for t in bfcl.records if t["category"] == "simple_python")
    assert first["source"] == "bfcl"
    assert first["messages"][-1]["role"] == "user"


def test_bfcl_first_tasks_cover_every_category(bfcl):
    first = interleave_categories(bfcl.records)[: len(BFCL_CATEGORIES)]
    assert [task["category"] for task in first] == list(BFCL_CATEGORIES)


def test_bfcl_unknown_category_is_refused():
    with pytest.raises(ValueError, match="no category 'simple_cobol'"):
        read_bfcl(categories=["simple_cobol"])


def bfcl_wheel_with(tmp_path: Path, questions: list[dict], answers: list[dict]) -> Path:
    """A wheel-shaped zip holding one category, ``simple_python``."""
    wheel = tmp_path / "bfcl.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for folder, rows in (("", questions), ("possible_answer/", answers)):
            text = "".join(json.dumps(row) + "\n" for row in rows)
            archive.writestr(f"{DATA_PREFIX}{folder}BFCL_v4_simple_python.json", text)
    return wheel


USER = [{"role": "user", "content": "area?"}]
AREA = {"name": "area", "description": "", "parameters": {"type": "dict", "properties": {}}}


@pytest.mark.parametrize(
    ("question", "ground_truth", "reason"),
    [
        ({"question": [USER, USER], "function": [AREA]}, [{"area": {}}], "multi_turn_question"),
        ({"question": [USER], "function": []}, [{"area": {}}], "empty_tools"),
        ({"question": [USER], "function": [AREA]}, [{"volume": {}}], "unknown_function: volume"),
        ({"question": [USER], "function": [AREA]}, [], "invalid_ground_truth"),
        ({"question": [USER], "function": [AREA]}, [{"area": {}, "b": {}}], "invalid_ground_truth"),
    ],
    ids=["two_turns", "no_tools", "unknown_function", "no_answer", "two_names_in_one_call"],
)
def test_bfcl_bad_row_is_rejected(tmp_path, question, ground_truth, reason):
    # both ids are in the train part read_bfcl reads by default
    good = {"id": "simple_python_1", "question": [USER], "function": [AREA]}
    questions = [good, {"id": "simple_python_2", **question}]
    answers = [
        {"id": "simple_python_1", "ground_truth": [{"area": {}}]},
        {"id": "simple_python_2", "ground_truth": ground_truth},
    ]
    result = read_bfcl(
        categories=["simple_python"], wheel=bfcl_wheel_with(tmp_path, questions, answers)
    )
    assert [task["task_id"] for task in result.records] == ["bfcl/simple_python_1"]
    (reject,) = result.rejects
    assert reject.record_id == "bfcl/simple_python_2"
    assert reject.reason.startswith(reason)
    assert reject.record["question"]["question"] == question["question"]
