"""Forward constraints: the menu, the pick request and its parsing, the written answer, and
the stage chain on the named fake engine (``fake:ifevalcode``) and a fault injector."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest

from datagen.generators.engines.base import Result
from datagen.generators.engines.fake import FakeScriptedEngine
from datagen.generators.ifevalcode.forward import (
    PICKED,
    forward_stages,
    menu,
    parse_picks,
    pick_count,
    pick_request,
    picked_problem,
    written_row,
)
from datagen.generators.ifevalcode.pipeline import forward_and_keep
from datagen.generators.ifevalcode.sources import read_problems
from datagen.schemas import records_to_table, table_to_records
from datagen.verifiers.code.languages import LANGUAGES
from datagen.verifiers.code_checks import CodeRow, check_rows, code_sandbox
from datagen.verifiers.constraints import rules_for
from tests.fakes import FakeResultsEngine
from tests.sandbox.helpers import NEEDS_ROOT

KNOBS = {"seed": 0, "low": 2, "high": 15, "mean": 5.0}
FORWARD = {**KNOBS, "engine": "fake:ifevalcode", "pick_temperature": 0.7,
           "write_temperature": 0.2, "write_max_tokens": 640}  # fmt: skip


@pytest.fixture(scope="module")
def problems() -> list[dict]:
    return read_problems("seeds").records


def fake(spec: str) -> FakeScriptedEngine:
    return FakeScriptedEngine(spec.removeprefix("fake:"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_menu_offers_each_rule_of_the_language_with_its_choices(language: str) -> None:
    options = menu(language)
    with_choices = {rule.name for rule in rules_for(language) if rule.choices(language)}
    assert {item.rule.name for item in options.values()} == with_choices
    assert len(with_choices) >= 10
    for key, item in options.items():
        assert key.split("=")[0] == item.rule.name
        assert language in item.rule.languages


def test_the_pick_request_asks_for_exactly_the_drawn_number_of_menu_ids(problems) -> None:
    problem = problems[0]
    count = pick_count(problem, **KNOBS)
    request = pick_request(problem, count=count, seed=0, temperature=0.7)
    items = request.response_format.json_schema["properties"]["instructions"]
    assert items["minItems"] == items["maxItems"] == count
    ids = items["items"]["enum"]
    assert sorted(ids) == sorted(menu(problem["programming_language"]))
    other = pick_request(problems[1], count=count, seed=0, temperature=0.7)
    assert (
        ids != other.response_format.json_schema["properties"]["instructions"]["items"]["enum"]
    )  # each problem sees the menu in its own order, so no id is favoured by place
    prompt = request.messages[-1]["content"]
    assert problem["english_question"] in prompt and f"Choose exactly {count}" in prompt
    counts = [pick_count(p, **KNOBS) for p in problems]
    assert min(counts) >= 2 and max(counts) <= 15 and 3 <= sum(counts) / len(counts) <= 7


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("not json", "malformed_picks: not JSON"),
        ('["max_lines=20"]', "malformed_picks: no list"),
        ('{"instructions": ["max_lines=7"]}', "malformed_picks: unknown ids ['max_lines=7']"),
        ('{"instructions": ["max_lines=20", "max_lines=50"]}', "too_few_constraints: 1 distinct"),
        (
            '{"instructions": ["function_names_snake_case", "function_names_camel_case"]}',
            "too_few_constraints: 1 distinct",  # one slot: the two contradict each other
        ),
    ],
)
def test_a_malformed_or_too_small_pick_is_quarantined_with_its_reason(
    problems, text: str, reason: str
) -> None:
    outcome = picked_problem(problems[0], text, low=2)
    assert outcome.reason.startswith(reason) and outcome.record["text"] == text


def test_the_first_pick_of_a_rule_counts() -> None:
    options = menu("python")
    text = json.dumps({"instructions": ["max_lines=20", "no_tabs", "max_lines=50"]})
    picked, reason = parse_picks(text, options, low=2)
    assert reason is None
    assert [(c.rule.name, dict(c.params)) for c in picked] == [
        ("max_lines", {"max_lines": 20}),
        ("no_tabs", {}),
    ]


def test_a_cut_or_empty_answer_is_quarantined(problems) -> None:
    problem = problems[0] | {PICKED: ["no_tabs", "max_lines=50"]}
    assert written_row(problem, "```python\ndef f(", truncated=True).reason.startswith(
        "truncated_response"
    )
    assert written_row(problem, "```python\n```", truncated=False).reason == "empty_response"
    row = written_row(problem, "```python\nx = 1\n```", truncated=False)
    assert row["direction"] == "forward" and row["id"] == f"{problem['id']}-forward"
    assert [c["kind"] for c in row["constraints"]] == ["no_tabs", "max_lines"]


def test_engine_errors_are_quarantined_per_problem(problems) -> None:
    problem = problems[0]
    broken = Result(
        request_id=f"{problem['id']}-pick", completions=(), prompt_tokens=0, model="m",
        error="boom", error_kind="server",
    )  # fmt: skip
    engine = FakeResultsEngine({broken.request_id: broken})
    (picked, written), checkers = forward_stages([problem], engines=lambda _: engine, **FORWARD)
    assert picked.records == [] and written.n_in == 0 and checkers == {}
    assert picked.quarantined[0].reason == "engine_error:server: boom"


def test_the_fake_picks_and_writes_rows_for_every_language(problems) -> None:
    (picked, written), checkers = forward_stages(problems, engines=fake, **FORWARD)
    assert picked.n_in == len(problems) and len(picked.records) >= len(problems) - 2
    languages = {row["programming_language"] for row in written.records}
    assert languages == set(LANGUAGES)
    for row in written.records:
        assert 2 <= len(row["constraints"]) <= 15
        assert [c.kind for c in checkers[row["id"]]] == [c["kind"] for c in row["constraints"]]
        assert len({c["kind"] for c in row["constraints"]}) == len(row["constraints"])


def test_the_same_run_picks_the_same_constraints(problems) -> None:
    first, _ = forward_stages(problems[:6], engines=fake, **FORWARD)
    again, _ = forward_stages(problems[:6], engines=fake, **FORWARD)
    other, _ = forward_stages(problems[:6], engines=fake, **(FORWARD | {"seed": 1}))
    assert first[1].records == again[1].records
    assert first[1].records != other[1].records


@NEEDS_ROOT
def test_kept_forward_rows_pass_both_checks_and_the_rest_say_why(problems) -> None:
    """The fake picks constraints the reference breaks about one time in ten, so the keep
    stage both keeps rows and quarantines rows whose answer breaks an instruction."""
    chosen = [p for p in problems if p["programming_language"] in ("python", "shell", "java")]
    _, written, kept = forward_and_keep(chosen, engines=fake, **FORWARD)
    assert kept.n_in == len(written.records)
    assert kept.records and kept.quarantined
    reasons = {q.reason.split(":")[0] for q in kept.quarantined}
    assert reasons <= {"reference_breaks_instructions", "checker_accepts_everything"}
    assert "reference_breaks_instructions" in reasons
    fields = ("id", "programming_language", "reference_response", "check_correctness",
              "check_instruction")  # fmt: skip
    rows = [CodeRow(*(r[name] for name in fields)) for r in kept.records]
    with code_sandbox() as sandbox:
        verdicts = list(check_rows(sandbox, rows))
    assert all(v.correct and v.instruction for v in verdicts)


def test_rows_whose_constraints_take_no_parameters_round_trip_through_parquet(
    problems, tmp_path
) -> None:
    """Seen on the embedded engine: picks of parameterless rules only made a struct column
    without fields, which Parquet refuses; the constraints are stored as JSON text."""
    problem = problems[0] | {PICKED: ["no_tabs", "no_trailing_whitespace"]}
    row = written_row(problem, "```python\nx = 1\n```", truncated=False)
    pq.write_table(records_to_table("ifevalcode/problem.v1", [row]), tmp_path / "rows.parquet")
    table = pq.read_table(tmp_path / "rows.parquet")
    assert table_to_records("ifevalcode/problem.v1", table) == [row]
