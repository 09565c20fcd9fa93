"""Every rule by name, the rules of a language, and the verdicts of many constraints on one
program: ``decide`` (forward checks, filters) and ``candidates`` (backward derivation).

The list is explicit, one line per category module, so that a new rule touches its module's
``RULES`` and nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence

from datagen.verifiers.code.languages import Language, as_language
from datagen.verifiers.constraints import (
    comments,
    constructs,
    formatting,
    imports,
    limits,
    naming,
)
from datagen.verifiers.constraints.parse import parse
from datagen.verifiers.constraints.rules import Constraint, Rule

RULES: tuple[Rule, ...] = (
    *naming.RULES,
    *constructs.RULES,
    *limits.RULES,
    *comments.RULES,
    *imports.RULES,
    *formatting.RULES,
)
BY_NAME: dict[str, Rule] = {rule.name: rule for rule in RULES}


def get_rule(name: str) -> Rule:
    """The rule called ``name``; ``KeyError`` listing the known ones otherwise."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown constraint rule {name!r}; known: {', '.join(BY_NAME)}") from None


def constraint(rule_name: str, /, **params: int | str) -> Constraint:
    """The constraint of rule ``rule_name`` with ``params``, e.g. ``constraint("max_lines",
    max_lines=20)`` (positional-only, so that a parameter may be called ``name``)."""
    return Constraint(get_rule(rule_name), params)


def rules_for(language: str) -> tuple[Rule, ...]:
    """The rules that apply to ``language``."""
    language = as_language(language)
    return tuple(rule for rule in RULES if language in rule.languages)


def decide(code: str, language: str, constraints: Sequence[Constraint]) -> list[bool]:
    """Whether ``code`` satisfies each constraint, by tree-sitter; one parse for all.
    Raises ``UnsupportedLanguage`` for a constraint whose rule does not apply."""
    language = as_language(language)
    for item in constraints:
        item.require(language)
    parsed = parse(code, language)
    return [item.rule.decide(parsed, item.params) for item in constraints]


def candidates(code: str, language: str) -> list[Constraint]:
    """Every constraint of the language's rules, with their ``choices`` and the parameters
    they ``suggest`` for this code, that ``code`` satisfies: the pool backward derivation
    draws from. One parse for all."""
    language: Language = as_language(language)
    parsed = parse(code, language)
    found = []
    for rule in rules_for(language):
        options = list(rule.choices(language))
        if rule.suggest is not None:
            options += [params for params in rule.suggest(parsed) if params not in options]
        found += [Constraint(rule, params) for params in options if rule.decide(parsed, params)]
    return found
