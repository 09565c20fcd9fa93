"""A²Search's prompts and the configurations a run is made of: what the recipe validates and
the views render, without the search index and agent loop behind them (the command line
imports every recipe at start-up).
"""

from __future__ import annotations

from dataclasses import dataclass

from datagen.generators.engines.base import Message

QUESTION_FIELDS = ("id", "question", "answers", "answer_set")
"""Our fields of a question row, which a source's ``--map`` may name columns for."""

PROTOCOL_RULES = (
    "Answer the question by searching a document collection. Think inside <think> and "
    "</think>. To search, write <search>your query</search>: the search results come back "
    "between <result> and </result>. Search as often as you need. When you are done, write "
    "every answer the documents support inside one <answer></answer>, separated by ';'."
)
TOOLS_RULES = (
    "Answer the question by searching a document collection with the search function, as "
    "often as you need. When you are done, write every answer the documents support inside one "
    "<answer></answer>, separated by ';'."
)
EXHAUSTIVE = (
    " The question may have several correct answers: look for all of them before answering."
)
PROMPTS = {"default": "", "exhaustive": EXHAUSTIVE}
"""Prompt variants of the agent, by name (one dimension of an agent configuration): what each
adds to its protocol's rules."""
RULES = {"tags": PROTOCOL_RULES, "tools": TOOLS_RULES}
PROTOCOL_NAMES = ("tags", "tools")


@dataclass(frozen=True, kw_only=True)
class AgentConfig:
    """One agent configuration: whose trajectories are filtered together."""

    engine: str
    prompt: str
    temperature: float

    @property
    def id(self) -> str:
        return f"{self.engine}|{self.prompt}|t={self.temperature:g}"


def agent_messages(question: str, prompt: str, protocol: str = "tags") -> tuple[Message, ...]:
    return (
        {"role": "system", "content": RULES[protocol] + PROMPTS[prompt]},
        {"role": "user", "content": f"Question: {question}"},
    )


VERIFY_PROMPTS = {
    "default": "You check answers against documents. Given a question, documents and a "
    "candidate answer, say 'yes' if the documents show that the candidate is a correct answer "
    "to the question, else 'no'.",
    "strict": "Say 'yes' only if a document states the candidate answer for this question "
    "explicitly; if the documents do not settle it, say 'no'.",
}


@dataclass(frozen=True, kw_only=True)
class VerifierConfig:
    engine: str
    prompt: str

    @property
    def id(self) -> str:
        return f"{self.engine}|{self.prompt}"


def parse_mapping(text: str | None) -> dict[str, str]:
    """``question=question.text,answers=answer+answer_aliases`` → our field → source column."""
    mapping: dict[str, str] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        field, sep, column = part.partition("=")
        field, column = field.strip(), column.strip()
        if not sep or field not in QUESTION_FIELDS or not column:
            fields = ", ".join(QUESTION_FIELDS)
            raise ValueError(f"bad mapping {part!r}: write FIELD=COLUMN, FIELD one of {fields}")
        mapping[field] = column
    return mapping
