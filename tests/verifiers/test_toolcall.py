"""Table tests of ``check_tool_calls``: good, noisy and malformed model outputs."""

from __future__ import annotations

import itertools
import random
from typing import Any

import pytest

from datagen.verifiers.toolcall import ToolCallVerdict, check_tool_calls, infer_category
from datagen.verifiers.toolcall_inputs import parse_calls
from datagen.verifiers.toolcall_pairs import Expectations, PairGrades, best_assignment, grade_call
from datagen.verifiers.toolcall_params import CheckerError

TRIANGLE = {
    "name": "calculate_triangle_area",
    "description": "Area of a triangle from its base and height.",
    "parameters": {
        "type": "dict",
        "properties": {
            "base": {"type": "integer", "description": "The base."},
            "height": {"type": "integer", "description": "The height."},
            "unit": {"type": "string", "description": "The unit of measure."},
        },
        "required": ["base", "height"],
    },
}
TRIANGLE_TRUTH = [{"calculate_triangle_area": {"base": [10], "height": [5], "unit": ["units", ""]}}]
WEATHER = {
    "name": "get_weather",
    "description": "Weather in a city.",
    "parameters": {
        "type": "dict",
        "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
        "required": ["city"],
    },
}
WEATHER_TRUTH = [
    {"get_weather": {"city": ["Paris"], "days": [3]}},
    {"get_weather": {"city": ["Berlin"], "days": ["", 1]}},
]


def call(name: str = "calculate_triangle_area", **arguments: Any) -> dict:
    return {"name": name, "arguments": arguments}


def check_triangle(calls: Any) -> ToolCallVerdict:
    return check_tool_calls(functions=[TRIANGLE], ground_truth=TRIANGLE_TRUTH, calls=calls)


@pytest.mark.parametrize(
    ("calls", "error_type", "reason"),
    [
        pytest.param([call(base=10, height=5, unit="units")], "ok", "", id="exact"),
        pytest.param([call(base=10, height=5)], "ok", "", id="optional_omitted"),
        pytest.param([call(base=10, height=5, unit="UNITS.")], "ok", "", id="string_normalised"),
        pytest.param([call(height=5, base=10)], "ok", "", id="argument_order"),
        pytest.param(
            [{"name": "calculate_triangle_area", "arguments": '{"base": 10, "height": 5}'}],
            "ok",
            "",
            id="arguments_as_json_text",
        ),
        pytest.param(
            [call(height=5)],
            "simple_function_checker:missing_required",
            "missing required parameter 'base' in call 1 (calculate_triangle_area)",
            id="missing_required",
        ),
        pytest.param(
            [call(base="10", height=5)],
            "type_error:simple",
            "parameter 'base' should be integer, got str '10' in call 1",
            id="string_for_int",
        ),
        pytest.param(
            [call(base=True, height=5)], "type_error:simple", "got bool True", id="bool_for_int"
        ),
        pytest.param(
            [call(base=10.0, height=5)], "type_error:simple", "got float 10.0", id="float_for_int"
        ),
        pytest.param(
            [call(base=11, height=5)],
            "value_error:others",
            "parameter 'base' has value 11, expected one of [10]",
            id="wrong_number",
        ),
        pytest.param(
            [call(base=10, height=5, unit="meters")],
            "value_error:string",
            "parameter 'unit' has value 'meters'",
            id="wrong_string",
        ),
        pytest.param(
            [call(base=10, height=5, color="red")],
            "simple_function_checker:unexpected_param",
            "unexpected parameter 'color'",
            id="unknown_param",
        ),
        pytest.param(
            [call("triangle_area", base=10, height=5)],
            "simple_function_checker:wrong_func_name",
            "called 'triangle_area' instead of 'calculate_triangle_area'",
            id="wrong_name",
        ),
        pytest.param(
            [], "simple_function_checker:wrong_count", "expected 1 call(s), got 0", id="none"
        ),
        pytest.param(
            [call(base=10, height=5)] * 2,
            "simple_function_checker:wrong_count",
            "got 2",
            id="twice",
        ),
    ],
)
def test_simple_call_verdicts(calls: list, error_type: str, reason: str) -> None:
    verdict = check_triangle(calls)
    assert verdict.error_type == error_type
    assert verdict.valid is (error_type == "ok")
    assert (verdict.score == 1.0) is verdict.valid
    assert reason in verdict.reason


@pytest.mark.parametrize(
    "calls",
    [
        pytest.param(None, id="none"),
        pytest.param("calculate_triangle_area(base=10, height=5)", id="text"),
        pytest.param(call(base=10, height=5), id="bare_dict"),
        pytest.param(42, id="number"),
        pytest.param([None], id="list_of_none"),
        pytest.param([["calculate_triangle_area", {"base": 10}]], id="call_as_list"),
        pytest.param([{"arguments": {"base": 10}}], id="no_name"),
        pytest.param([{"name": 7, "arguments": {}}], id="name_not_text"),
        pytest.param(
            [{"name": ["calculate_triangle_area"], "arguments": {}}], id="name_unhashable"
        ),
        pytest.param([{"name": "calculate_triangle_area"}], id="no_arguments"),
        pytest.param([{"name": "calculate_triangle_area", "arguments": [10, 5]}], id="args_list"),
        pytest.param(
            [{"name": "calculate_triangle_area", "arguments": "{base: 10"}], id="bad_json"
        ),
        pytest.param([{"name": "calculate_triangle_area", "arguments": "[10, 5]"}], id="json_list"),
        pytest.param([{"name": "calculate_triangle_area", "arguments": {1: 10}}], id="int_key"),
        pytest.param([call(base={10}, height=5)], id="set_value"),
        pytest.param([call(base=10, height=object())], id="object_value"),
        pytest.param([call(base=[[{"a": b"x"}]], height=5)], id="bytes_deep_inside"),
        pytest.param([call(base=10, height=5), "oops"], id="second_call_junk"),
        pytest.param(
            [{"name": "calculate_triangle_area", "arguments": "[" * 100_000 + "]" * 100_000}],
            id="json_too_deep",
        ),
    ],
)
def test_malformed_output_scores_zero(calls: Any) -> None:
    verdict = check_triangle(calls)
    assert (verdict.valid, verdict.score) == (False, 0.0)
    assert verdict.error_type.startswith("malformed:")
    assert verdict.reason


def test_deeply_nested_value_is_malformed_not_a_crash() -> None:
    value: Any = 10
    for _ in range(500):
        value = [value]
    verdict = check_triangle([call(base=value, height=5)])
    assert (verdict.error_type, verdict.score) == ("malformed:argument_value", 0.0)


def test_more_right_parameters_score_higher() -> None:
    scores = [
        check_triangle(calls).score
        for calls in (
            "not calls",
            [],
            [call("area", base=10, height=5)],
            [call(base="ten", height="five")],
            [call(base="ten", height=5)],
            [call(base=11, height=5)],
            [call(base=10, height=5, unit="cm")],
            [call(base=10, height=5)],
        )
    ]
    assert scores == sorted(scores) and len(set(scores)) == len(scores), scores
    assert scores[-1] == 1.0 and max(scores[:-1]) < 1.0


def test_parallel_calls_match_in_any_order() -> None:
    def check(calls: list) -> ToolCallVerdict:
        return check_tool_calls(functions=[WEATHER], ground_truth=WEATHER_TRUTH, calls=calls)

    paris, berlin = call("get_weather", city="Paris", days=3), call("get_weather", city="berlin")
    assert infer_category(WEATHER_TRUTH, [WEATHER]) == "parallel"
    assert check([paris, berlin]).valid and check([berlin, paris]).valid
    one_wrong = check([paris, call("get_weather", city="Rome")])
    only_one = check([paris])
    both_wrong = check([call("get_weather", city="Rome"), call("get_weather", city="Oslo")])
    assert one_wrong.error_type == "parallel_function_checker_no_order:cannot_find_match"
    assert "expected call 2 (get_weather)" in one_wrong.reason
    assert only_one.error_type == "parallel_function_checker_no_order:wrong_count"
    assert 1.0 > one_wrong.score > max(only_one.score, both_wrong.score)
    assert min(only_one.score, both_wrong.score) > 0.0


def test_multiple_category_picks_among_functions() -> None:
    truth = [{"get_weather": {"city": ["Paris"], "days": ["", 3]}}]
    functions = [TRIANGLE, WEATHER]
    assert infer_category(truth, functions) == "multiple"
    right = check_tool_calls(
        functions=functions, ground_truth=truth, calls=[call("get_weather", city="Paris")]
    )
    wrong = check_tool_calls(
        functions=functions, ground_truth=truth, calls=[call(base=10, height=5)]
    )
    assert right.valid and not wrong.valid
    assert wrong.error_type == "simple_function_checker:wrong_func_name"


JSON_SCHEMA_TRIANGLE = {
    "type": "function",
    "function": {
        "name": "calculate_triangle_area",
        "parameters": {
            "type": "object",
            "properties": {
                "base": {"type": "integer"},
                "height": {"type": "number"},
                "unit": {"type": "string"},
            },
        },
    },
}


@pytest.mark.parametrize(
    ("arguments", "valid"),
    [
        ({"base": 10, "height": 5}, True),
        ({"base": 10, "height": 5.0}, True),
        ({"base": 10}, False),
        ({"base": 10, "height": "5"}, False),
    ],
)
def test_json_schema_and_openai_wrapped_docs(arguments: dict, valid: bool) -> None:
    """``object``/``number``/no ``required`` are read as BFCL's ``dict``/``float``/none."""
    truth = [{"calculate_triangle_area": {"base": [10], "height": [5.0], "unit": ["", "cm"]}}]
    verdict = check_tool_calls(
        functions=[JSON_SCHEMA_TRIANGLE], ground_truth=truth, calls=[call(**arguments)]
    )
    assert verdict.valid is valid, verdict


def test_checker_errors_are_verdicts_not_exceptions() -> None:
    doc = {"name": "f", "parameters": {"type": "dict", "properties": {"t": {"type": "date"}}}}
    verdict = check_tool_calls(
        functions=[doc], ground_truth=[{"f": {"t": ["x"]}}], calls=[call("f", t="x")]
    )
    assert (verdict.valid, verdict.error_type) == (False, "checker_error:unsupported_type")
    assert 0.0 < verdict.score < 1.0


@pytest.mark.parametrize(
    ("functions", "ground_truth"),
    [
        pytest.param(TRIANGLE, TRIANGLE_TRUTH, id="functions_not_list"),
        pytest.param([TRIANGLE], TRIANGLE_TRUTH[0], id="truth_not_list"),
        pytest.param([{"description": "no name"}], TRIANGLE_TRUTH, id="doc_without_name"),
        pytest.param([TRIANGLE], [{}], id="empty_truth_call"),
        pytest.param([TRIANGLE], [{"calculate_triangle_area": {"base": 10}}], id="values_not_list"),
        pytest.param([TRIANGLE], ["calculate_triangle_area"], id="truth_call_not_dict"),
    ],
)
def test_unreadable_docs_or_answers_raise(functions: Any, ground_truth: Any) -> None:
    with pytest.raises(ValueError, match=r"must|needs"):
        check_tool_calls(
            functions=functions, ground_truth=ground_truth, calls=[call(base=10, height=5)]
        )


@pytest.mark.parametrize(
    ("calls_expected", "docs", "category"),
    [
        (1, [TRIANGLE], "simple"),
        (1, [TRIANGLE, WEATHER], "multiple"),
        (2, [WEATHER], "parallel"),
        (2, [TRIANGLE, WEATHER], "parallel_multiple"),
        (2, [WEATHER, dict(WEATHER)], "parallel"),
        (1, [{"type": "function", "function": TRIANGLE}, WEATHER], "multiple"),
    ],
)
def test_infer_category(calls_expected: int, docs: list, category: str) -> None:
    assert infer_category(WEATHER_TRUTH[:calls_expected], docs) == category


def test_to_verdict_carries_code_and_detail() -> None:
    good = check_triangle([call(base=10, height=5)]).to_verdict()
    bad = check_triangle([call(height=5)]).to_verdict()
    assert (good.value, good.passed, good.reason) == (1.0, True, "ok")
    assert not bad.passed and bad.value == check_triangle([call(height=5)]).score
    assert bad.code == "simple_function_checker:missing_required"
    assert "'base'" in bad.reason


def test_best_assignment_is_optimal() -> None:
    """Against brute force, on random matrices full of ties (the dynamic-programming path)."""
    rng = random.Random(7)
    for _ in range(300):
        rows, columns = rng.randint(1, 5), rng.randint(1, 5)
        credit = [[rng.choice([0.0, 0.5, 0.75, 1.0]) for _ in range(columns)] for _ in range(rows)]
        small, large = sorted((rows, columns))
        matrix = credit if rows <= columns else [list(c) for c in zip(*credit, strict=True)]
        brute = max(
            sum(matrix[r][c] for r, c in enumerate(chosen))
            for chosen in itertools.permutations(range(large), small)
        )
        assert best_assignment(credit) == pytest.approx(brute), credit


ROME = call("get_weather", city="Rome")
PAIR_OUTPUTS = [
    pytest.param([call("get_weather", city="Paris", days=3), ROME], id="one_wrong"),
    pytest.param([ROME, call("get_weather", city="berlin", days="1")], id="wrong_type"),
    pytest.param([call("get_weather", city="Berlin")] * 3, id="same_call_thrice"),
    pytest.param([call("get_weather", days=3)], id="one_call_missing_city"),
    pytest.param([call(base=10, height=5), ROME, call("get_weather", city="paris")], id="mixed"),
    pytest.param([call("get_weather", city="Paris", extra=1, days=3.0)], id="extra_and_float"),
]


@pytest.mark.parametrize("functions", [[WEATHER], [TRIANGLE]], ids=["docs", "no_weather_doc"])
@pytest.mark.parametrize("calls", PAIR_OUTPUTS)
def test_pair_grades_are_the_pairs_own_grades(functions: list, calls: list) -> None:
    """Issues read first (as BFCL's matching does) change no credit: ``share`` equals the best
    assignment over every pair graded afresh, with a missing doc graded leniently."""
    expectations = Expectations(functions, WEATHER_TRUTH, first_doc=False)
    parsed = parse_calls(calls)
    assert isinstance(parsed, list)
    credit = [[grade_call(expectations.lenient(i), c)[1] for c in parsed] for i in range(2)]
    expected_share = best_assignment(credit) / max(2, len(parsed))
    last = len(parsed) - 1
    for read_first in (
        [],
        [(0, 0)],
        [(0, last), (1, 0)],
        [(1, last), (0, 0)],
        [(index, p) for index in (0, 1) for p in range(len(parsed))],
    ):
        grades = PairGrades(expectations, parsed)
        for index, position in read_first:
            if functions == [WEATHER]:
                issue = grades.issue(index, position)
                assert issue == grade_call(expectations.get(index), parsed[position])[0]
            else:
                with pytest.raises(CheckerError, match="no function doc"):
                    grades.issue(index, position)
        assert grades.share() == pytest.approx(expected_share)
    assert 0.0 < expected_share < 1.0
