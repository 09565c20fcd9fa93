"""The registry: rules by name and language, ``decide`` on many constraints at once, and
``candidates`` for backward derivation."""

from __future__ import annotations

import pytest

from datagen.verifiers.code.languages import LANGUAGES
from datagen.verifiers.constraints.emit import check_instruction
from datagen.verifiers.constraints.registry import (
    BY_NAME,
    RULES,
    candidates,
    constraint,
    decide,
    get_rule,
    rules_for,
)
from datagen.verifiers.constraints.rules import Constraint, UnsupportedLanguage

CATEGORIES = {"naming", "constructs", "limits", "comments", "imports", "formatting"}


def test_rules_have_unique_names_and_cover_every_category() -> None:
    assert len(BY_NAME) == len(RULES)
    assert {rule.category for rule in RULES} == CATEGORIES
    assert all(rule.languages <= set(LANGUAGES) and rule.doc for rule in RULES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_has_rules_of_most_categories(language: str) -> None:
    categories = {rule.category for rule in rules_for(language)}
    assert categories >= CATEGORIES - ({"imports"} if language == "shell" else set())


@pytest.mark.parametrize(
    ("rule", "language"),
    [(rule, language) for rule in RULES for language in sorted(rule.languages)],
    ids=lambda value: getattr(value, "name", value),
)
def test_choices_are_valid_constraints_with_an_instruction(rule, language: str) -> None:
    for params in rule.choices(language):
        text = Constraint(rule, params).text
        assert text.endswith(".") and text[0].isupper()


def test_unknown_rule_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="max_lines"):
        get_rule("max_loc")


def test_decide_gives_one_verdict_per_constraint_in_order() -> None:
    code = "def solve(xs):\n    return [x for x in xs]\n"
    constraints = [
        constraint("list_comprehension", mode="required"),
        constraint("list_comprehension", mode="forbidden"),
        constraint("function_name", name="solve"),
        constraint("max_lines", max_lines=1),
    ]
    assert decide(code, "python", constraints) == [True, False, True, False]


def test_decide_refuses_a_rule_outside_its_languages() -> None:
    with pytest.raises(UnsupportedLanguage, match="list_comprehension"):
        decide("int main() {}", "cpp", [constraint("list_comprehension", mode="required")])


PROGRAM = """\
import java.util.*;

/** Counts distinct words. */
public class Main {
    /** The number of distinct words. */
    static int countDistinct(String[] words) {
        Set<String> seen = new HashSet<>();
        for (String w : words) {
            seen.add(w);
        }
        return seen.size();
    }

    /** Entry point. */
    public static void main(String[] args) {
        System.out.println(countDistinct(args));
    }
}
"""


def test_candidates_are_what_the_code_satisfies_by_both_verdicts() -> None:
    found = candidates(PROGRAM, "java")
    names = {(item.rule.name, tuple(item.params.values())) for item in found}
    assert ("function_name", ("countDistinct",)) in names
    assert ("function_names_camel_case", ()) in names
    assert ("for_loop", ("required",)) in names and ("for_loop", ("forbidden",)) not in names
    assert ("forbidden_import", ("java.util.stream",)) in names
    assert ("no_imports", ()) not in names
    assert ("max_lines", (10,)) not in names and ("max_lines", (20,)) in names
    assert ("function_docs", ()) in names and ("indentation", (4,)) in names
    namespace: dict[str, object] = {}
    exec(check_instruction(found, language="java"), namespace)
    namespace["check_instruction"](f"```java\n{PROGRAM}```")  # type: ignore[operator]


def test_candidates_of_code_that_is_not_python_are_only_text_rules() -> None:
    found = candidates("def broken(:\n    pass\n", "python")
    assert {item.rule.category for item in found} <= {"limits", "formatting"}
    assert not any(item.rule.name == "indentation" for item in found)
