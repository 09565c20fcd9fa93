"""Hand-written cases, one per quirk of BFCL's rules, run through BFCL's checker and ours.

Each case states BFCL's verdict too, so a case that stops exercising its rule fails loudly.
"""

from __future__ import annotations

from typing import Any

import pytest

from datagen.verifiers.toolcall import check_tool_calls
from tests.verifiers.bfcl_mutations import to_bfcl, to_calls


def doc(name: str, properties: dict[str, dict], required: tuple[str, ...] = ()) -> dict:
    return {
        "name": name,
        "description": f"{name} for tests",
        "parameters": {"type": "dict", "properties": properties, "required": list(required)},
    }


INT = {"type": "integer"}
FLOAT = {"type": "float"}
STRING = {"type": "string"}
F_N = [doc("f", {"n": INT}, ("n",))]
F_X = [doc("f", {"x": FLOAT}, ("x",))]
F_S = [doc("f", {"s": STRING}, ("s",))]
F_AB = [doc("f", {"a": INT, "b": STRING}, ("a",))]
F_ARR_STR = [doc("f", {"v": {"type": "array", "items": STRING}}, ("v",))]
F_ARR_INT = [doc("f", {"v": {"type": "array", "items": INT}}, ("v",))]
F_ARR_FLOAT = [doc("f", {"v": {"type": "array", "items": FLOAT}}, ("v",))]
F_TUPLE = [doc("f", {"v": {"type": "tuple", "items": INT}}, ("v",))]
F_DICT = [doc("f", {"d": {"type": "dict", "properties": {}}}, ("d",))]
F_DICTS = [doc("f", {"v": {"type": "array", "items": {"type": "dict"}}}, ())]
F_ANY = [doc("f", {"s": {"type": "any"}}, ("s",))]
F_BOOL = [doc("f", {"b": {"type": "boolean"}}, ("b",))]
F_G = [doc("f", {"x": INT}, ("x",)), doc("g", {"x": INT}, ("x",))]
F_DOT = [doc("math.sqrt", {"n": INT}, ("n",))]


def quirk(
    name: str, functions: list, truth: list, output: list, category: str, bfcl_says: bool
) -> Any:
    """One hand-written case; ``bfcl_says`` is BFCL's verdict, checked too."""
    return pytest.param(functions, truth, output, category, bfcl_says, id=name)


def gt(*calls: tuple[str, dict[str, list]]) -> list[dict]:
    return [{name: params} for name, params in calls]


QUIRKS = [
    quirk("bool_is_not_int", F_N, gt(("f", {"n": [1]})), [("f", {"n": True})], "simple", False),
    quirk("int_promotes_to_float", F_X, gt(("f", {"x": [2.0]})), [("f", {"x": 2})], "simple", True),
    quirk("float_is_not_int", F_N, gt(("f", {"n": [2]})), [("f", {"n": 2.0})], "simple", False),
    quirk("int_float_vs_int_answer", F_X, gt(("f", {"x": [5]})), [("f", {"x": 5})], "simple", True),
    quirk(
        "huge_int_for_float_raises",
        F_X,
        gt(("f", {"x": [1.0]})),
        [("f", {"x": 10**400})],
        "simple",
        False,
    ),
    quirk(
        "variable_answer_exact", F_N, gt(("f", {"n": ["k"]})), [("f", {"n": "k"})], "simple", True
    ),
    quirk(
        "variable_not_normalised",
        F_N,
        gt(("f", {"n": ["k"]})),
        [("f", {"n": "K"})],
        "simple",
        False,
    ),
    quirk(
        "string_normalised",
        F_S,
        gt(("f", {"s": ["New York, NY"]})),
        [("f", {"s": "new york ny"})],
        "simple",
        True,
    ),
    quirk(
        "string_tab_kept",
        F_S,
        gt(("f", {"s": ["New York"]})),
        [("f", {"s": "New\tYork"})],
        "simple",
        False,
    ),
    quirk(
        "string_quotes_unified",
        F_S,
        gt(("f", {"s": ["it's"]})),
        [("f", {"s": 'IT"S'})],
        "simple",
        True,
    ),
    quirk(
        "string_wrong_word",
        F_S,
        gt(("f", {"s": ["Paris"]})),
        [("f", {"s": "London"})],
        "simple",
        False,
    ),
    quirk("null_answer", F_S, gt(("f", {"s": [None]})), [("f", {"s": None})], "simple", True),
    quirk(
        "optional_omittable",
        F_AB,
        gt(("f", {"a": [1], "b": ["", "x"]})),
        [("f", {"a": 1})],
        "simple",
        True,
    ),
    quirk(
        "optional_needed",
        F_AB,
        gt(("f", {"a": [1], "b": ["x"]})),
        [("f", {"a": 1})],
        "simple",
        False,
    ),
    quirk(
        "empty_answer_takes_punctuation",
        F_AB,
        gt(("f", {"a": [1], "b": [""]})),
        [("f", {"a": 1, "b": "_"})],
        "simple",
        True,
    ),
    quirk(
        "required_cannot_be_omitted",
        [doc("f", {"a": INT, "b": STRING}, ("a", "b"))],
        gt(("f", {"a": [1], "b": ["", "x"]})),
        [("f", {"a": 1})],
        "simple",
        False,
    ),
    quirk(
        "documented_but_unanswered",
        F_AB,
        gt(("f", {"a": [1]})),
        [("f", {"a": 1, "b": "x"})],
        "simple",
        False,
    ),
    quirk(
        "undocumented_param", F_N, gt(("f", {"n": [1]})), [("f", {"n": 1, "z": 1})], "simple", False
    ),
    quirk(
        "array_elements_normalised",
        F_ARR_STR,
        gt(("f", {"v": [["New York", "LA"]]})),
        [("f", {"v": ["new york", "la"]})],
        "simple",
        True,
    ),
    quirk(
        "array_order_matters",
        F_ARR_STR,
        gt(("f", {"v": [["a", "b"]]})),
        [("f", {"v": ["b", "a"]})],
        "simple",
        False,
    ),
    quirk(
        "array_nested_type",
        F_ARR_INT,
        gt(("f", {"v": [[1, 2]]})),
        [("f", {"v": ["1", "2"]})],
        "simple",
        False,
    ),
    quirk(
        "array_optional_skips_nested",
        F_ARR_INT,
        gt(("f", {"v": [[1, 2], ""]})),
        [("f", {"v": ["1", "2"]})],
        "simple",
        False,
    ),
    quirk(
        "array_empty_is_omitted",
        F_ARR_INT,
        gt(("f", {"v": [[1, 2], ""]})),
        [("f", {"v": []})],
        "simple",
        True,
    ),
    quirk(
        "array_no_nested_promotion",
        F_ARR_FLOAT,
        gt(("f", {"v": [[1.0, 2.5]]})),
        [("f", {"v": [1, 2.5]})],
        "simple",
        False,
    ),
    quirk(
        "array_int_elements_vs_int_answer",
        F_ARR_FLOAT,
        gt(("f", {"v": [[1, 2]]})),
        [("f", {"v": [1, 2]})],
        "simple",
        True,
    ),
    quirk(
        "tuple_takes_list",
        F_TUPLE,
        gt(("f", {"v": [[1, 2]]})),
        [("f", {"v": [1, 2]})],
        "simple",
        True,
    ),
    quirk(
        "tuple_takes_tuple",
        F_TUPLE,
        gt(("f", {"v": [[1, 2]]})),
        [("f", {"v": (1, 2)})],
        "simple",
        True,
    ),
    quirk(
        "dict_values_normalised",
        F_DICT,
        gt(("f", {"d": [{"city": ["New York"], "n": [1]}]})),
        [("f", {"d": {"city": "new-york", "n": 1}})],
        "simple",
        True,
    ),
    quirk(
        "dict_key_omittable",
        F_DICT,
        gt(("f", {"d": [{"city": ["NY"], "n": [1, ""]}]})),
        [("f", {"d": {"city": "NY"}})],
        "simple",
        True,
    ),
    quirk(
        "dict_key_needed",
        F_DICT,
        gt(("f", {"d": [{"city": ["NY"], "n": [1]}]})),
        [("f", {"d": {"city": "NY"}})],
        "simple",
        False,
    ),
    quirk(
        "dict_extra_key",
        F_DICT,
        gt(("f", {"d": [{"city": ["NY"]}]})),
        [("f", {"d": {"city": "NY", "x": 2}})],
        "simple",
        False,
    ),
    quirk(
        "list_of_dicts",
        F_DICTS,
        gt(("f", {"v": [[{"a": [1]}, {"a": [2]}]]})),
        [("f", {"v": [{"a": 1}, {"a": 2}]})],
        "simple",
        True,
    ),
    quirk(
        "list_of_dicts_order",
        F_DICTS,
        gt(("f", {"v": [[{"a": [1]}, {"a": [2]}]]})),
        [("f", {"v": [{"a": 2}, {"a": 1}]})],
        "simple",
        False,
    ),
    quirk(
        "list_of_dicts_empty_is_omitted",
        F_DICTS,
        gt(("f", {"v": [[{"a": [1]}], ""]})),
        [("f", {"v": []})],
        "simple",
        True,
    ),
    quirk(
        "list_of_dicts_non_dict_raises",
        F_DICTS,
        gt(("f", {"v": [[{"a": [1]}], ""]})),
        [("f", {"v": [5]})],
        "simple",
        False,
    ),
    quirk(
        "unknown_type_raises",
        [doc("f", {"t": {"type": "datetime"}}, ("t",))],
        gt(("f", {"t": ["x"]})),
        [("f", {"t": "x"})],
        "simple",
        False,
    ),
    quirk(
        "array_without_items_raises",
        [doc("f", {"v": {"type": "array"}}, ("v",))],
        gt(("f", {"v": [[1]]})),
        [("f", {"v": [1]})],
        "simple",
        False,
    ),
    quirk(
        "any_is_string", F_ANY, gt(("f", {"s": ["abc"]})), [("f", {"s": "A.B.C"})], "simple", True
    ),
    quirk(
        "boolean_exact", F_BOOL, gt(("f", {"b": [False]})), [("f", {"b": False})], "simple", True
    ),
    quirk("boolean_not_int", F_BOOL, gt(("f", {"b": [False]})), [("f", {"b": 0})], "simple", False),
    quirk(
        "parallel_any_order",
        F_N,
        gt(("f", {"n": [1]}), ("f", {"n": [2]})),
        [("f", {"n": 2}), ("f", {"n": 1})],
        "parallel",
        True,
    ),
    quirk(
        "parallel_greedy_first_match",
        F_N,
        gt(("f", {"n": [1, 2]}), ("f", {"n": [1]})),
        [("f", {"n": 1}), ("f", {"n": 2})],
        "parallel",
        False,
    ),
    quirk(
        "parallel_duplicate",
        F_N,
        gt(("f", {"n": [1]}), ("f", {"n": [2]})),
        [("f", {"n": 1}), ("f", {"n": 1})],
        "parallel",
        False,
    ),
    quirk(
        "parallel_unknown_function_raises",
        F_N,
        gt(("g", {"n": [1]}), ("g", {"n": [2]})),
        [("g", {"n": 1}), ("g", {"n": 2})],
        "parallel",
        False,
    ),
    quirk("parallel_nothing_expected", F_N, [], [], "parallel", True),
    quirk(
        "multiple_checks_first_only",
        F_G,
        gt(("f", {"x": [1]}), ("g", {"x": [2]})),
        [("f", {"x": 1}), ("g", {"x": 99})],
        "multiple",
        True,
    ),
    quirk(
        "multiple_wrong_function", F_G, gt(("g", {"x": [1]})), [("f", {"x": 1})], "multiple", False
    ),
    quirk("simple_uses_first_doc", F_G, gt(("g", {"x": [1]})), [("f", {"x": 1})], "simple", True),
    quirk(
        "simple_two_calls",
        F_N,
        gt(("f", {"n": [1]})),
        [("f", {"n": 1}), ("f", {"n": 1})],
        "simple",
        False,
    ),
    quirk("simple_no_call", F_N, gt(("f", {"n": [1]})), [], "simple", False),
    quirk(
        "dotted_name_kept",
        F_DOT,
        gt(("math.sqrt", {"n": [4]})),
        [("math.sqrt", {"n": 4})],
        "simple",
        True,
    ),
    quirk(
        "dotted_name_not_underscored",
        F_DOT,
        gt(("math.sqrt", {"n": [4]})),
        [("math_sqrt", {"n": 4})],
        "simple",
        False,
    ),
    quirk(
        "live_category_is_simple",
        F_N,
        gt(("f", {"n": [1]})),
        [("f", {"n": 1})],
        "live_simple",
        True,
    ),
]


@pytest.mark.parametrize(("functions", "truth", "output", "category", "bfcl_says"), QUIRKS)
def test_bfcl_quirks(
    bfcl_check, functions: list, truth: list, output: list, category: str, bfcl_says: bool
) -> None:
    bfcl_valid, bfcl_error = bfcl_check(functions, to_bfcl(output), truth, category)
    ours = check_tool_calls(
        functions=functions, ground_truth=truth, calls=to_calls(output), category=category
    )
    assert bfcl_valid is bfcl_says, f"the case no longer shows its rule: BFCL says {bfcl_error}"
    assert ours.valid is bfcl_valid, ours
    if bfcl_error.startswith("raised:"):
        assert ours.error_type.startswith("checker_error:"), ours
    elif not bfcl_valid:
        assert ours.error_type == bfcl_error, ours


def test_quirk_table_reaches_bfcl_raising(bfcl_check) -> None:
    """At least the cases named ``*_raises`` make BFCL's own code raise."""
    raising = [case.values for case in QUIRKS if case.id.endswith("_raises")]
    errors = [
        bfcl_check(functions, to_bfcl(output), truth, category)[1]
        for functions, truth, output, category, _ in raising
    ]
    assert len(raising) >= 3
    assert all(error.startswith("raised:") for error in errors), errors
