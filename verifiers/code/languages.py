"""The seven languages of IFEvalCode's correctness checks, by the benchmark's own names."""

from __future__ import annotations

from typing import Literal, cast

Language = Literal["python", "java", "javascript", "typescript", "shell", "cpp", "csharp"]

LANGUAGES: tuple[Language, ...] = (
    "python",
    "java",
    "javascript",
    "typescript",
    "shell",
    "cpp",
    "csharp",
)


class UnknownLanguage(ValueError):
    """A language name the harness has no program layout for (names are case-sensitive)."""

    def __init__(self, language: object) -> None:
        super().__init__(f"unknown language {language!r}: IFEvalCode's are {', '.join(LANGUAGES)}")
        self.language = language


def as_language(name: object) -> Language:
    """``name`` as a ``Language``, or ``UnknownLanguage``: a dataset row's field is any str."""
    if name not in LANGUAGES:
        raise UnknownLanguage(name)
    return cast(Language, name)
