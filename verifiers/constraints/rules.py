"""A constraint kind (``Rule``) and one use of it with parameters (``Constraint``).

A rule is data plus three plain functions, not a class to subclass: ``text`` phrases it as
an instruction, ``decide`` judges a tree-sitter parse (the verdict backward derivation and
filters use), ``emit`` writes the standard-library Python that judges a response the same way
(what a dataset row's ``check_instruction`` runs). The agreement tests hold ``decide`` and
``emit`` to each other on every rule's table of programs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from datagen.verifiers.code.languages import Language
from datagen.verifiers.constraints.parse import Parsed

Category = Literal["naming", "constructs", "limits", "comments", "imports", "formatting"]
"""The paper's groups of constraints."""

Params = Mapping[str, int | str]
"""A rule's parameters by name, e.g. ``{"max_lines": 20}`` or ``{"mode": "forbidden"}``."""

MODES = ("required", "forbidden")
"""The values of a construct rule's ``mode``."""


def no_parameters(language: Language) -> tuple[Params, ...]:
    """The one choice of a rule without parameters."""
    return ({},)


@dataclass(frozen=True, kw_only=True)
class Rule:
    """One constraint kind.

    ``parameters`` maps each parameter to ``int``, ``str`` or the tuple of its allowed
    values. ``emit(language, params)`` returns the body of a function of ``code`` (the
    response's extracted code) that returns whether the code satisfies the constraint; it may
    call the functions of the ``checker_*`` modules, which ``emit.py`` inlines.
    ``choices(language)`` lists sensible parameters for picking constraints forward;
    ``suggest(parsed)`` adds ones read off a program (a required name), for backward
    derivation. ``doc`` defines the rule exactly, including where its definition was
    narrowed so that its regular expressions and tree-sitter agree.
    """

    name: str
    category: Category
    languages: frozenset[Language]
    doc: str
    text: Callable[[Params], str]
    decide: Callable[[Parsed, Params], bool]
    emit: Callable[[Language, Params], str]
    parameters: Mapping[str, type | tuple[str, ...]] = field(default_factory=dict)
    choices: Callable[[Language], tuple[Params, ...]] = no_parameters
    suggest: Callable[[Parsed], Iterable[Params]] | None = None
    group: str = ""
    """Rules of one group read as contradicting each other (function names in snake_case and
    in camelCase: code of one-word names meets both), so a problem gets at most one of them."""

    @property
    def slot(self) -> str:
        """What a problem may hold one constraint of: the rule's group, else the rule."""
        return self.group or self.name


class UnsupportedLanguage(ValueError):
    """A rule asked about a language it does not declare."""

    def __init__(self, rule: Rule, language: str) -> None:
        supported = ", ".join(sorted(rule.languages))
        super().__init__(f"rule {rule.name!r} does not support {language!r} (only {supported})")


@dataclass(frozen=True)
class Constraint:
    """A rule with its parameters, checked against the rule's ``parameters`` on creation."""

    rule: Rule
    params: Params = field(default_factory=dict)

    def __post_init__(self) -> None:
        expected, given = set(self.rule.parameters), set(self.params)
        if expected != given:
            raise ValueError(
                f"rule {self.rule.name!r} takes parameters {sorted(expected)}, got {sorted(given)}"
            )
        for name, kind in self.rule.parameters.items():
            value = self.params[name]
            valid = value in kind if isinstance(kind, tuple) else type(value) is kind
            if not valid:
                raise ValueError(f"rule {self.rule.name!r}: {name}={value!r} is not {kind!r}")

    @property
    def text(self) -> str:
        """The instruction, in English."""
        return self.rule.text(self.params)

    def require(self, language: str) -> None:
        """Raise ``UnsupportedLanguage`` unless the rule applies to ``language``."""
        if language not in self.rule.languages:
            raise UnsupportedLanguage(self.rule, language)


def mode_text(params: Params, required: str, forbidden: str) -> str:
    """A construct rule's text for its ``mode``."""
    return required if params["mode"] == "required" else forbidden


def mode_choices(language: Language) -> tuple[Params, ...]:
    return tuple({"mode": mode} for mode in MODES)
