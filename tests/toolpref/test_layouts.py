"""Readers of released tool-calling layouts: literal rows of each, ugly rows, detection, hf:."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from datagen.generators.toolpref.formats import MalformedRow
from datagen.generators.toolpref.layouts import python_calls, python_type_schema
from datagen.generators.toolpref.row_layouts import LAYOUTS, row_layout
from datagen.generators.toolpref.sources import (
    detect_format,
    interleave_sources,
    merge_reads,
    read_source,
    read_sources,
)
from datagen.schemas.records import SourceError

DATA = Path(__file__).parent / "data"
WEATHER = {
    "name": "get_weather",
    "description": "Current weather in a city",
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string"}, "unit": {"type": "string"}},
        "required": ["city"],
    },
}
XLAM_TOOL = {
    "name": "get_weather",
    "description": "...",
    "parameters": {
        "city": {"type": "str", "description": "..."},
        "unit": {"type": "str", "description": "...", "default": "celsius"},
    },
}


def xlam(answers: object, tools: object = None) -> dict:
    tools = json.dumps([XLAM_TOOL]) if tools is None else tools
    answers = answers if isinstance(answers, str) else json.dumps(answers)
    return {"id": 1, "query": "Weather in Oslo?", "tools": tools, "answers": answers}


def apigen(call: str, tools: object = None) -> dict:
    return {
        "conversations": [
            {"from": "human", "value": "Weather in Bergen?"},
            {"from": "function_call", "value": call},
            {"from": "observation", "value": '{"temperature": 9}'},
            {"from": "gpt", "value": "9 degrees."},
        ],
        "system": "You are a weather agent.",
        "tools": json.dumps([WEATHER]) if tools is None else tools,
    }


GLAIVE_SYSTEM = (
    "SYSTEM: You are a helpful assistant with access to the following functions. "
    "Use them if required -\n" + json.dumps(WEATHER, indent=4)
)


def glaive(call: str, system: str = GLAIVE_SYSTEM) -> dict:
    chat = (
        f"USER: Weather in Oslo?\n\n\nASSISTANT: <functioncall> {call} <|endoftext|>\n\n\n"
        'FUNCTION RESPONSE: {"temperature": 4}\n\n\nASSISTANT: 4 degrees. <|endoftext|>'
    )
    return {"system": system, "chat": chat}


def hermes(call: str, role: str = "gpt") -> dict:
    system = f"You may call functions. <tools> {json.dumps([WEATHER])} </tools> Use them."
    return {
        "conversations": [
            {"from": "system", "value": system},
            {"from": "human", "value": "Weather in Oslo?"},
            {"from": role, "value": f"<tool_call>\n{call}\n</tool_call>"},
            {"from": "tool", "value": '<tool_response>{"temperature": 4}</tool_response>'},
            {"from": "gpt", "value": "4 degrees."},
        ]
    }


def toolace(call: str) -> dict:
    return {
        "system": f"You can call these functions: {json.dumps([WEATHER])}. Answer [f(a=1)].",
        "conversations": [
            {"from": "user", "value": "Weather in Oslo?"},
            {"from": "assistant", "value": call},
            {"from": "tool", "value": '[{"name": "get_weather", "results": {"t": 4}}]'},
            {"from": "assistant", "value": "4 degrees."},
        ],
    }


OSLO = [{"get_weather": {"city": ["Oslo"]}}]
GOOD = [
    ("xlam", xlam([{"name": "get_weather", "arguments": {"city": "Oslo"}}]), [OSLO]),
    (
        "apigen_mt",
        apigen('{"name": "get_weather", "arguments": {"city": "Bergen"}}'),
        [[{"get_weather": {"city": ["Bergen"]}}], []],
    ),
    ("glaive", glaive('{"name": "get_weather", "arguments": \'{"city": "Oslo"}\'}'), [OSLO, []]),
    ("glaive", glaive('{"name": "get_weather", "arguments": {"city": "Oslo"}}'), [OSLO, []]),
    ("hermes", hermes('{"name": "get_weather", "arguments": {"city": "Oslo"}}'), [OSLO, []]),
    ("toolace", toolace('[get_weather(city="Oslo")]'), [OSLO, []]),
    (
        "toolace",
        toolace('[get_weather(city="Oslo"), get_weather(city="Bergen", unit="celsius")]'),
        [[*OSLO, {"get_weather": {"city": ["Bergen"], "unit": ["celsius"]}}], []],
    ),
]


def read_rows(tmp_path: Path, rows: list[dict], fmt: str | None = None, name: str = "rows"):
    path = tmp_path / f"{name}.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return read_source(str(path), fmt=fmt, every_turn=True)


@pytest.mark.parametrize(("layout", "row", "ground_truths"), GOOD)
def test_a_literal_row_gives_a_task_per_assistant_turn(tmp_path, layout, row, ground_truths):
    assert row_layout(row) == layout
    read = read_rows(tmp_path, [row])
    assert read.rejects == [] and read.lineage["format"] == layout
    assert [t["ground_truth"] for t in read.records] == ground_truths
    assert all(t["source"] == "rows.jsonl" for t in read.records)
    assert read.records[0]["messages"][-1]["role"] == "user"


def test_xlam_parameters_become_json_schema_and_defaults_are_not_required(tmp_path):
    (task,) = read_rows(tmp_path, [GOOD[0][1]]).records
    assert task["tools"][0]["parameters"] == {
        "type": "object",
        "properties": {
            "city": {"type": "string", "description": "..."},
            "unit": {"type": "string", "description": "...", "default": "celsius"},
        },
        "required": ["city"],
    }


BAD = [
    ("xlam", xlam("[{not json"), "invalid_answers"),
    ("xlam", xlam([]), "no_answers"),
    ("xlam", xlam([], tools="[{broken"), "invalid_tools"),
    ("xlam", xlam([{"name": "get_weather", "arguments": {"unit": "kelvin"}}]), "schema_mismatch"),
    ("xlam", xlam([{"name": "get_wether", "arguments": {}}]), "unknown_function"),
    ("xlam", {"id": 1, "query": "?", "answers": "[]"}, "missing_field: tools"),
    (
        "xlam",
        xlam([], tools=json.dumps([{"name": "f", "parameters": {"x": {"type": "Widget"}}}])),
        "invalid_tool: unknown parameter type",
    ),
    ("apigen_mt", apigen('{"name": "get_weather", "arguments": {"city": 9}}'), "schema_mismatch"),
    ("apigen_mt", apigen("{oops"), "invalid_tool_call"),
    ("apigen_mt", apigen('{"arguments": {}}'), "invalid_tool_call"),
    ("apigen_mt", {"conversations": [{"from": "human", "value": "x"}]}, "missing_field: tools"),
    ("glaive", glaive('{"name": "get_weather", "arguments": \'{city: Oslo}\'}'), "invalid_arg"),
    ("glaive", glaive("{}", system="SYSTEM: You are a helpful assistant."), "missing_tools"),
    ("hermes", hermes('{"name": "get_weather", "arguments": {"city": 1}}'), "schema_mismatch"),
    ("hermes", hermes('{"name": "get_weather"}', role="narrator"), "invalid_message"),
    ("toolace", toolace("[get_weather(city=open('x'))]"), "invalid_arguments"),
    ("toolace", toolace('[get_weather("Oslo")]'), "invalid_arguments"),
]


@pytest.mark.parametrize(("layout", "row", "reason"), BAD)
def test_an_ugly_row_is_quarantined_with_its_reason(tmp_path, layout, row, reason):
    read = read_rows(tmp_path, [row], fmt=layout)
    assert read.rejects, read.records
    assert read.rejects[0].reason.startswith(reason), read.rejects[0].reason


def test_an_unknown_role_in_apigen_mt_is_quarantined(tmp_path):
    row = apigen('{"name": "get_weather", "arguments": {"city": "Bergen"}}')
    row["conversations"][2]["from"] = "robot"
    (reject,) = read_rows(tmp_path, [row]).rejects
    assert reject.reason == "invalid_message: turn 2: unknown role 'robot'"


def test_a_bad_json_line_is_quarantined_and_the_rest_read(tmp_path):
    path = tmp_path / "rows.jsonl"
    path.write_text("{nope\n" + json.dumps(GOOD[0][1]) + "\n")
    read = read_source(str(path))
    assert [r.reason.split(":")[0] for r in read.rejects] == ["invalid_json"]
    assert [t["task_id"] for t in read.records] == ["rows/2-1"]


TYPES = [
    ("str", {"type": "string"}, False),
    ("int", {"type": "integer"}, False),
    ("float", {"type": "number"}, False),
    ("bool", {"type": "boolean"}, False),
    ("list", {"type": "array"}, False),
    ("dict", {"type": "object"}, False),
    ("List[int]", {"type": "array", "items": {"type": "integer"}}, False),
    (
        "List[Dict[str, int]]",
        {"type": "array", "items": {"type": "object", "additionalProperties": {"type": "integer"}}},
        False,
    ),
    ("Optional[str]", {"type": "string"}, True),
    ("str, optional", {"type": "string"}, True),
    ("Union[int, str]", {"anyOf": [{"type": "integer"}, {"type": "string"}]}, False),
    ("Any", {}, False),
]


@pytest.mark.parametrize(("text", "schema", "optional"), TYPES)
def test_python_type_names_as_json_schema(text, schema, optional):
    assert python_type_schema(text) == (schema, optional)


@pytest.mark.parametrize("text", ["Widget", "List[int", "Callable[[int], str]"])
def test_unknown_python_types_are_refused(text):
    with pytest.raises(MalformedRow, match="invalid_tool"):
        python_type_schema(text)


@pytest.mark.parametrize(
    ("text", "calls"),
    [
        ('[f(a=1, b="x")]', [("f", {"a": 1, "b": "x"})]),
        ("[pkg.g(xs=[1, 2], flag=True)]", [("pkg.g", {"xs": [1, 2], "flag": True})]),
        ("The answer is 4.", None),
        ("[1, 2]", None),
        ("[__import__('os').system('x')]", None),  # not a named call: text, never run
    ],
)
def test_python_calls_are_read_with_ast_never_run(text, calls):
    got = python_calls(text)
    expected = calls and [
        {"type": "function", "function": {"name": n, "arguments": a}} for n, a in calls
    ]
    assert got == expected


@pytest.mark.parametrize(
    ("name", "layout"),
    [
        ("xlam.jsonl", "xlam"),
        ("apigen_mt.jsonl", "apigen_mt"),
        ("glaive.jsonl", "glaive"),
        ("toolace.jsonl", "toolace"),
        ("hermes_sharegpt.jsonl", "hermes"),
        ("openai_multiturn.jsonl", "openai"),
    ],
)
def test_detect_layout(name, layout):
    assert detect_format(DATA / name) == layout


def test_a_forced_format_reads_every_row_in_it(tmp_path):
    read = read_rows(tmp_path, [GOOD[0][1]], fmt="hermes")
    assert [r.reason for r in read.rejects] == ["missing_field: conversations or messages"]
    with pytest.raises(SourceError, match="unknown source format"):
        read_rows(tmp_path, [GOOD[0][1]], fmt="sharegpt")


EXPERIMENTAL = [
    (
        "toolalpaca",
        {
            "Name": "Weather",
            "Function_Description": {"get_weather": "city: the city"},
            "Instances": [
                {
                    "input": "Weather in Oslo?",
                    "output": "4 degrees.",
                    "intermediate_steps": [
                        [["get_weather", '{"city": "Oslo"}', "Thought: ..."], '{"t": 4}']
                    ],
                },
                {
                    "input": "And Bergen?",
                    "output": "9 degrees.",
                    "intermediate_steps": [
                        ['Action: get_weather\nAction Input: {"city": "Bergen"}', '{"t": 9}']
                    ],
                },
            ],
        },
        [OSLO, [], [{"get_weather": {"city": ["Bergen"]}}], []],
    ),
    (
        "button",
        {
            "tools": json.dumps([WEATHER]),
            "messages": [
                {"role": "user", "content": "Weather in Oslo?"},
                {
                    "role": "assistant",
                    "content": "",
                    "function_call": {"name": "get_weather", "arguments": '{"city": "Oslo"}'},
                },
                {"role": "function", "content": '{"t": 4}'},
                {"role": "assistant", "content": "4 degrees."},
            ],
        },
        [OSLO, []],
    ),
    (
        "complexfuncbench",
        {
            "id": "Car-Rental-0",
            "functions": [WEATHER],
            "conversations": [
                {"role": "user", "content": "Weather in Oslo and Bergen?"},
                {
                    "role": "assistant",
                    "function_call": [
                        {"name": "get_weather", "arguments": {"city": "Oslo"}},
                        {"name": "get_weather", "arguments": {"city": "Bergen"}},
                    ],
                },
                {"role": "observation", "content": [{"t": 4}, {"t": 9}]},
                {"role": "assistant", "content": "4 and 9 degrees."},
            ],
        },
        [[*OSLO, {"get_weather": {"city": ["Bergen"]}}], []],
    ),
]


@pytest.mark.parametrize(("layout", "row", "ground_truths"), EXPERIMENTAL)
def test_an_experimental_layout_as_its_card_documents_it(tmp_path, layout, row, ground_truths):
    assert row_layout(row) == layout
    read = read_rows(tmp_path, [row])
    assert read.rejects == [] and read.lineage["experimental"] is True
    assert [t["ground_truth"] for t in read.records] == ground_truths


def test_a_hugging_face_dataset_folder_is_read_through_datasets(tmp_path):
    folder = tmp_path / "xlam-function-calling-60k"
    (folder / "data").mkdir(parents=True)
    rows = [xlam([{"name": "get_weather", "arguments": {"city": f"C{i}"}}]) for i in range(3)]
    pq.write_table(pa.Table.from_pylist(rows), folder / "data" / "train-00000-of-00001.parquet")
    read = read_source(f"hf:{folder}")
    assert read.lineage["source"] == f"hf:{folder}" and read.lineage["format"] == "xlam"
    assert [t["task_id"] for t in read.records] == [
        f"xlam-function-calling-60k-train/{n}-1" for n in (1, 2, 3)
    ]
    assert {t["source"] for t in read.records} == {f"hf:{folder}"}
    with pytest.raises(SourceError, match="cannot load the dataset"):
        read_source(f"hf:{folder}:test")


def test_several_sources_keep_their_names_and_interleave():
    files = [str(DATA / name) for name in ("xlam.jsonl", "toolace.jsonl", "glaive.jsonl")]
    merged = merge_reads(read_sources(files, every_turn=True))
    order = [t["source"] for t in interleave_sources(merged.records)][:3]
    assert order == ["xlam.jsonl", "toolace.jsonl", "glaive.jsonl"]
    assert merged.lineage["source"] == "xlam.jsonl+toolace.jsonl+glaive.jsonl"


def test_two_sources_giving_the_same_task_ids_are_refused(tmp_path):
    (tmp_path / "a").mkdir()
    copy = tmp_path / "a" / "xlam.jsonl"
    copy.write_bytes((DATA / "xlam.jsonl").read_bytes())
    with pytest.raises(SourceError, match="both give task"):
        merge_reads(read_sources([str(DATA / "xlam.jsonl"), str(copy)]))


def test_the_recipe_names_the_readers_layouts_and_reads_one_source_as_text():
    from datagen.generators.toolpref.recipe import LAYOUT_NAMES, ToolPrefConfig

    assert set(LAYOUT_NAMES) == set(LAYOUTS)
    assert ToolPrefConfig(source="chats.jsonl").source == ("chats.jsonl",)
    with pytest.raises(ValueError, match="source_format must be one of"):
        ToolPrefConfig(source_format="sharegpt")
