"""Table tests of the pairwise critique reward and the shared ``Verdict``."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from datagen.verifiers.critique import critique_options, critique_reward, parse_choice
from datagen.verifiers.verdict import Verdict


@pytest.mark.parametrize(
    ("completion", "label", "value", "code"),
    [
        pytest.param("Response 1 is right.\n<choice>\n1\n</choice>", 1, 1.0, "correct", id="spec"),
        pytest.param("<choice>2</choice>", 2, 1.0, "correct", id="tight"),
        pytest.param("<choice> \t2 \n</choice>", "2", 1.0, "correct", id="text_label"),
        pytest.param("<choice>1</choice>", " 1\n", 1.0, "correct", id="padded_text_label"),
        pytest.param("<choice>1</choice>", np.int64(1), 1.0, "correct", id="numpy_label"),
        pytest.param("<choice>1</choice>", 2, 0.0, "wrong_choice", id="wrong"),
        pytest.param(
            "<choice>1</choice> on reflection <choice>2</choice>", 2, 1.0, "correct", id="last_wins"
        ),
        pytest.param(
            "<choice>2</choice> then <choice>maybe</choice>",
            2,
            1.0,
            "correct",
            id="last_valid_wins",
        ),
        pytest.param("I prefer response 1.", 1, 0.0, "no_choice_tag", id="no_tag"),
        pytest.param("", 1, 0.0, "no_choice_tag", id="empty"),
        pytest.param(None, 1, 0.0, "no_choice_tag", id="none"),
        pytest.param(b"<choice>1</choice>", 1, 0.0, "no_choice_tag", id="bytes"),
        pytest.param("<choice>3</choice>", 1, 0.0, "invalid_choice", id="three"),
        pytest.param("<choice>12</choice>", 1, 0.0, "invalid_choice", id="twelve"),
        pytest.param("<choice>1.</choice>", 1, 0.0, "invalid_choice", id="punctuated"),
        pytest.param("<choice>Response 1</choice>", 1, 0.0, "invalid_choice", id="words"),
        pytest.param("<choice>1", 1, 0.0, "invalid_choice", id="unclosed"),
        pytest.param("<CHOICE>1</CHOICE>", 1, 0.0, "no_choice_tag", id="upper_case_tag"),
        pytest.param("<choice>1</choice>", 3, 0.0, "invalid_label", id="label_three"),
        pytest.param("<choice>1</choice>", True, 0.0, "invalid_label", id="label_bool"),
        pytest.param("<choice>1</choice>", None, 0.0, "invalid_label", id="label_none"),
        pytest.param("<choice>1</choice>", "one", 0.0, "invalid_label", id="label_word"),
    ],
)
def test_critique_reward(completion: Any, label: Any, value: float, code: str) -> None:
    verdict = critique_reward(completion, label)
    assert (verdict.value, verdict.code) == (value, code), verdict
    assert verdict.passed is (value == 1.0)


@pytest.mark.parametrize(
    ("text", "choice"),
    [
        ("<choice>\n1\n</choice>", 1),
        ("a <choice>2</choice> b <choice>1</choice>", 1),
        ("<choice></choice>", None),
        ("<choice>0</choice>", None),
        ("no tag", None),
        (None, None),
        (12, None),
    ],
)
def test_parse_choice(text: Any, choice: int | None) -> None:
    assert parse_choice(text) == choice


@pytest.mark.parametrize(
    ("completion", "label", "value", "code"),
    [
        pytest.param("<evaluation>ok</evaluation>\n<choice>\n1\n</choice>", 1, 1.0, "correct",
                     id="spec"),
        pytest.param("<choice>\n 2 \n</choice>", "2", 1.0, "correct", id="spaces_inside"),
        pytest.param("\n<choice>\n2\n</choice>\n", 2, 1.0, "correct", id="outer_whitespace"),
        pytest.param("<choice>\n1\n</choice> no, <choice>\n2\n</choice>", 2, 0.0, "wrong_choice",
                     id="first_wins"),
        pytest.param("<choice>\nmaybe\n</choice> <choice>\n2\n</choice>", 2, 0.0,
                     "invalid_choice", id="first_invalid_is_final"),
        pytest.param("<choice>1</choice> then <choice>\n2\n</choice>", 2, 1.0, "correct",
                     id="first_in_newline_form"),
        pytest.param("<choice>2</choice>", 2, 0.0, "invalid_choice", id="tight_needs_newlines"),
        pytest.param("<choice> 2\n</choice>", 2, 0.0, "invalid_choice", id="no_leading_newline"),
        pytest.param("<choice>\r\n1\r\n</choice>", 1, 0.0, "invalid_choice", id="crlf"),
        pytest.param("<choice>\n12\n</choice>", 1, 0.0, "invalid_choice", id="twelve"),
        pytest.param("no verdict", 1, 0.0, "no_choice_tag", id="no_tag"),
        pytest.param(None, 1, 0.0, "no_choice_tag", id="none"),
        pytest.param("<choice>\n1\n</choice>", 3, 0.0, "invalid_label", id="label_three"),
    ],
)  # fmt: skip
def test_strict_critique_reward_is_toolrms(
    completion: Any, label: Any, value: float, code: str
) -> None:
    """ToolRM's released reward: ``re.search(r"<choice>\\n(.*?)\\n</choice>", text, DOTALL)``."""
    verdict = critique_reward(completion, label, parser="strict")
    assert (verdict.value, verdict.code) == (value, code), verdict


def test_strict_invalid_choice_names_the_form_it_wants() -> None:
    verdict = critique_reward("<choice>1</choice>", 1, parser="strict")
    assert "the first <choice>\\n…\\n</choice>" in verdict.reason


def test_an_unknown_parser_scores_zero_with_a_reason() -> None:
    verdict = critique_reward("<choice>\n1\n</choice>", 1, parser="fuzzy")
    assert (verdict.value, verdict.code) == (0.0, "invalid_parser")


@pytest.mark.parametrize(
    ("extra_info", "options"),
    [
        ({"parser": "strict", "mode": "think"}, {"parser": "strict"}),
        ({"parser": np.str_("lenient")}, {"parser": "lenient"}),
        ({"index": 0}, {}),
        ({"parser": None}, {}),
        (None, {}),
        ("strict", {}),
    ],
)
def test_critique_options_read_the_rows_parser(extra_info: Any, options: dict) -> None:
    assert critique_options(extra_info) == options


def test_wrong_choice_reason_names_both_sides() -> None:
    assert critique_reward("<choice>1</choice>", 2).reason == "wrong_choice: chose 1, label is 2"


@pytest.mark.parametrize("value", [-0.1, 1.5, float("nan")])
def test_verdict_value_must_be_in_unit_interval(value: float) -> None:
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        Verdict(value, False, "bad")


def test_verdict_code_drops_detail() -> None:
    assert Verdict(0.0, False, "no_choice_tag: the text has none").code == "no_choice_tag"
    assert Verdict(1.0, True, "correct").code == "correct"
