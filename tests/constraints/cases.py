"""The shape of the rule tables: one program, the constraint it is judged against, the
verdict it must get from both the tree-sitter decision and the emitted checker."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Case:
    rule: str
    language: str
    code: str
    expected: bool
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        verdict = "accept" if self.expected else "reject"
        params = ",".join(f"{key}={value}" for key, value in self.params.items())
        first = next((line.strip() for line in self.code.splitlines() if line.strip()), "")
        return f"{self.rule}[{params}]-{self.language}-{verdict}-{first[:40]}"


def cases(
    rule: str,
    language: str,
    *,
    accept: Sequence[str] = (),
    reject: Sequence[str] = (),
    **params: Any,
) -> list[Case]:
    """The table rows of one rule, one language and one parameter choice; each program is
    dedented and ends with a newline."""

    def program(code: str) -> str:
        return textwrap.dedent(code).strip("\n") + "\n"

    return [
        Case(rule, language, program(code), expected, params)
        for expected, codes in ((True, accept), (False, reject))
        for code in codes
    ]
