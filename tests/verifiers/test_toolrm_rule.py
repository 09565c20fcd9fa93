"""ToolRM's scoring rule, one table of cases: issue 18's examples first, then the edges."""

from __future__ import annotations

import json

import pytest

from datagen.verifiers.toolrm_rule import ERROR_TYPES, json_equal, score_toolrm


def call(name: str, **arguments: object) -> dict:
    return {"name": name, "arguments": arguments}


EMAIL = call("send_email", to="ana@example.com", subject="Lunch", body="At noon?")
EMAIL_TEXT = {"name": "send_email", "arguments": json.dumps(EMAIL["arguments"])}

CASES = [
    # (case, ground truth, calls, score, error_type)
    ("exact", [EMAIL], [EMAIL], 1.0, "ok"),
    (
        "issue: wrong body is 2/3",
        [EMAIL],
        [call("send_email", to="ana@example.com", subject="Lunch", body="At one?")],
        2 / 3,
        "wrong_arguments",
    ),
    (
        "issue: wrong function name is 0",
        [EMAIL],
        [{"name": "send_mail", "arguments": EMAIL["arguments"]}],
        0.0,
        "wrong_function",
    ),
    ("issue: the same call twice is 0", [EMAIL], [EMAIL, EMAIL], 0.0, "call_count"),
    ("too few calls", [EMAIL, call("f", a=1)], [EMAIL], 0.0, "call_count"),
    ("no calls for a non-empty ground truth", [EMAIL], [], 0.0, "call_count"),
    ("empty ground truth, no calls", [], [], 1.0, "ok"),
    ("empty ground truth, a call", [], [EMAIL], 0.0, "no_call_expected"),
    ("arguments as JSON text", [EMAIL], [EMAIL_TEXT], 1.0, "ok"),
    ("ground truth arguments as JSON text", [EMAIL_TEXT], [EMAIL], 1.0, "ok"),
    (
        "key order is irrelevant",
        [EMAIL],
        [call("send_email", body="At noon?", subject="Lunch", to="ana@example.com")],
        1.0,
        "ok",
    ),
    (
        "call order is irrelevant",
        [call("f", a=1), call("g")],
        [call("g"), call("f", a=1)],
        1.0,
        "ok",
    ),
    (
        "each ground-truth call takes its best same-name call, not one-to-one",
        [call("f", a=1, b=2), call("f", a=1, b=3)],
        [call("f", a=1, b=2), call("f", a=9, b=9)],
        (1.0 + 0.5) / 2,  # a one-to-one matching would give (1 + 0) / 2
        "wrong_arguments",
    ),
    (
        "a duplicate among several calls is 0",
        [call("f", a=1), call("f", a=2)],
        [call("f", a=1), call("f", a=1)],  # best matches alone would give (1 + 0) / 2
        0.0,
        "duplicate_call",
    ),
    (
        "a duplicate compares decoded arguments",
        [call("f", a=1), call("f", a=2)],
        [call("f", a=1), {"name": "f", "arguments": '{"a": 1.0}'}],
        0.0,
        "duplicate_call",
    ),
    (
        "same arguments under another name are no duplicate",
        [call("f", a=1), call("g", a=1)],
        [call("f", a=1), call("g", a=1)],
        1.0,
        "ok",
    ),
    (
        "a repeat the ground truth holds is no duplicate",
        [call("f", a=1), call("f", a=1)],
        [call("f", a=1), call("f", a=1)],
        1.0,
        "ok",
    ),
    (
        "nested objects compare whatever their key order",
        [call("find", where={"city": "Lyon", "range": [1, 2], "open": {"now": True}})],
        [call("find", where={"open": {"now": True}, "range": [1, 2], "city": "Lyon"})],
        1.0,
        "ok",
    ),
    (
        "nested arrays compare in order",
        [call("find", where={"range": [1, 2]}, limit=5)],
        [call("find", where={"range": [2, 1]}, limit=5)],
        0.5,
        "wrong_arguments",
    ),
    ("1 equals 1.0", [call("f", a=1)], [call("f", a=1.0)], 1.0, "ok"),
    ("true is not 1", [call("f", a=True, b=0)], [call("f", a=1, b=0)], 0.5, "wrong_arguments"),
    ('"1" is not 1', [call("f", a=1, b=0)], [call("f", a="1", b=0)], 0.5, "wrong_arguments"),
    ("null is a value", [call("f", a=None)], [call("f", a=None)], 1.0, "ok"),
    (
        "an extra key lowers the share by the union",
        [call("f", a=1, b=2)],
        [call("f", a=1, b=2, c=3)],
        2 / 3,
        "wrong_arguments",
    ),
    (
        "a missing key lowers the share by the union",
        [call("f", a=1, b=2)],
        [call("f", a=1)],
        1 / 2,
        "wrong_arguments",
    ),
    ("no arguments on either side", [call("now")], [call("now")], 1.0, "ok"),
    (
        "arguments given, none expected",
        [call("now")],
        [call("now", tz="UTC")],
        0.0,
        "wrong_arguments",
    ),
    (
        "one of two functions wrong",
        [call("f", a=1), call("g", b=2)],
        [call("f", a=1), call("h", b=2)],
        0.5,
        "wrong_function",
    ),
    (
        "a missing function outranks wrong arguments",
        [call("f", a=1), call("g", b=2)],
        [call("f", a=2), call("h", b=2)],
        0.0,
        "wrong_function",
    ),
    (
        "arguments text that is not JSON",
        [EMAIL],
        [{"name": "send_email", "arguments": "{to: ana}"}],
        0.0,
        "malformed_input",
    ),
    (
        "arguments text that is not an object",
        [call("f", a=1)],
        [{"name": "f", "arguments": "[1]"}],
        0.0,
        "malformed_input",
    ),
    ("arguments missing", [call("f")], [{"name": "f"}], 0.0, "malformed_input"),
    ("a call without a name", [call("f")], [{"arguments": {}}], 0.0, "malformed_input"),
    ("calls not a list", [call("f")], {"name": "f", "arguments": {}}, 0.0, "malformed_input"),
    ("calls None", [], None, 0.0, "malformed_input"),
]


@pytest.mark.parametrize(
    ("ground_truth", "calls", "score", "error_type"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_toolrm_rule(ground_truth: list, calls: object, score: float, error_type: str) -> None:
    verdict = score_toolrm(ground_truth=ground_truth, calls=calls)
    assert verdict.score == pytest.approx(score)
    assert verdict.error_type == error_type
    assert verdict.valid is (score == 1.0)
    assert error_type == "ok" if verdict.valid else error_type in ERROR_TYPES
    assert verdict.reason
    shared = verdict.to_verdict()
    assert (shared.value, shared.passed, shared.code) == (verdict.score, verdict.valid, error_type)


def test_reasons_name_the_call_and_the_keys() -> None:
    wrong_body = [call("send_email", to="ana@example.com", subject="Lunch", body="At one?")]
    assert "body" in score_toolrm(ground_truth=[EMAIL], calls=wrong_body).reason
    wrong_name = score_toolrm(ground_truth=[EMAIL], calls=[call("send_mail")])
    assert "'send_email'" in wrong_name.reason
    bad_json = score_toolrm(ground_truth=[EMAIL], calls=[{"name": "x", "arguments": "{"}])
    assert "call 1 (x)" in bad_json.reason


@pytest.mark.parametrize(
    "ground_truth",
    [None, [{"arguments": {}}], [{"name": "f", "arguments": "not json"}], [["f", {}]]],
)
def test_an_unreadable_ground_truth_raises(ground_truth: object) -> None:
    with pytest.raises(ValueError, match="ground truth"):
        score_toolrm(ground_truth=ground_truth, calls=[])


@pytest.mark.parametrize(
    ("left", "right", "equal"),
    [
        (1, 1.0, True),
        (True, 1, False),
        (False, 0.0, False),
        (True, True, True),
        ({"a": 1, "b": [1, {"c": None}]}, {"b": [1, {"c": None}], "a": 1.0}, True),
        ({"a": 1}, {"a": 1, "b": 2}, False),
        ([1, 2], (1, 2), True),
        ([1, 2], [2, 1], False),
        ("a", "A", False),
        (None, 0, False),
        ([], {}, False),
    ],
)
def test_json_equal(left: object, right: object, equal: bool) -> None:
    assert json_equal(left, right) is equal
    assert json_equal(right, left) is equal
