"""The checker library of IFEvalCode's constraints: one rule per constraint kind, each deciding
from a tree-sitter parse whether code satisfies it and emitting the equivalent standard-library
Python ``check_instruction`` fragment.

``decide(code, language, constraints)`` gives tree-sitter's verdicts (one parse for all);
``check_instruction(constraints, language=...)`` the source a dataset row carries;
``candidates(code, language)`` every constraint, with sensible parameters, that code
satisfies (backward derivation); ``rules_for(language)`` the rules to pick from (forward).

Modules: ``rules`` (``Rule``, ``Constraint``), ``registry``, one per category (``naming``,
``constructs``, ``limits``, ``comments``, ``imports``, ``formatting``), ``parse`` and
``syntax`` (tree-sitter), ``checker_lex``, ``checker_functions``, ``checker_syntax`` and
``checker_text`` (the standard-library code checkers inline), ``emit``. Python rules that
read structure fail code that ``ast.parse`` refuses, on both sides.
"""

from __future__ import annotations

from datagen.verifiers.constraints.emit import check_instruction, failure_message
from datagen.verifiers.constraints.registry import (
    RULES,
    candidates,
    constraint,
    decide,
    get_rule,
    rules_for,
)
from datagen.verifiers.constraints.rules import Constraint, Rule, UnsupportedLanguage

__all__ = [
    "RULES",
    "Constraint",
    "Rule",
    "UnsupportedLanguage",
    "candidates",
    "check_instruction",
    "constraint",
    "decide",
    "failure_message",
    "get_rule",
    "rules_for",
]
