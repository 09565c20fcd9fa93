"""Functions written by the engine from seed topics: the topics, the prompt and its parser.

The engine sees a Python file of small functions, each under a ``# topic`` comment and
followed by ``print(f(...))`` calls, and continues it after ``# <topic>\\ndef``. A base model
has seen much Python laid out like that (the embedded 270M model wrote a parseable function
with calls for 4 of 4 trial topics), and unconstrained decoding runs about three times faster
than under a JSON-schema grammar (NOTES.md: 60 vs 18 tokens/s), so the answer is free text
and ``parse_written`` turns it into a function record or a reason. Whether the code runs is
not checked here: the same curation as every other source (static filters, sandbox,
determinism) decides, and counts what it drops.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from datagen.generators.engine_stage import engine_stage
from datagen.generators.engines.base import Engine, Request, Result, Sampling
from datagen.generators.sampling import derive_seed
from datagen.generators.sources import read_text_source
from datagen.generators.tear.curation import normalised_tokens
from datagen.generators.tear.sources import literal_args, round_trips
from datagen.schemas.records import Quarantined, Record, SourceError, SourceRead, StageOutcome

SEEDS = "seeds"
DEFAULT_TOPICS = Path(__file__).with_name("seed_topics.txt")
"""The topics shipped with datagen (package data), used by ``--source seeds``."""


@dataclass(frozen=True)
class Example:
    """One few-shot function: its topic, its code and the calls shown after it."""

    topic: str
    code: str
    calls: tuple[str, ...]


EXAMPLES = (
    Example(
        "counting vowels in a word",
        "def count_vowels(word):\n    total = 0\n    for ch in word.lower():\n"
        "        if ch in 'aeiou':\n            total += 1\n    return total",
        ("count_vowels('banana')", "count_vowels('Sky')", "count_vowels('AEIOU')"),
    ),
    Example(
        "the largest gap between neighbours in a list",
        "def largest_gap(numbers):\n    gaps = [b - a for a, b in zip(numbers, numbers[1:])]\n"
        "    return max(gaps) if gaps else 0",
        ("largest_gap([1, 4, 6, 12])", "largest_gap([5])", "largest_gap([3, 2, 10])"),
    ),
)
STOP = ("\n# ", "\n\n\n", "\ndef ", "\nclass ")
"""Where a written function ends: the next topic, two blank lines, or another definition."""

_DEF = re.compile(r"def\s+([A-Za-z_]\w*)\s*\(")


def topics_path(source: str) -> Path | None:
    """The topic file of a ``seeds`` or ``seeds:FILE`` source; None for any other source."""
    if source == SEEDS:
        return DEFAULT_TOPICS
    if source.startswith(SEEDS + ":"):
        return Path(source.removeprefix(SEEDS + ":"))
    return None


def read_topics(path: Path) -> SourceRead:
    """``{topic_id, topic}`` per line of ``path``; blank lines, ``#`` comments and repeats skipped.

    A topic's id is ``<file stem>-<line number>``, so it names the line it came from.
    """
    topics, seen = [], set()
    text = read_text_source(path, expected="a seed topic file, one topic per line")
    for number, line in enumerate(text.splitlines(), start=1):
        topic = " ".join(line.split())
        if not topic or topic.startswith("#") or topic.lower() in seen:
            continue
        seen.add(topic.lower())
        topics.append({"topic_id": f"{path.stem}-{number}", "topic": topic})
    if not topics:
        raise SourceError(f"{path}: no topics, only comments (one topic per line)")
    return SourceRead(topics, [], {"path": str(path)})


def write_prompt(topic: str) -> str:
    """The few-shot file, ending where the engine writes the topic's function."""
    shots = "".join(
        f"# {e.topic}\n{e.code}\n\n" + "".join(f"print({c})\n" for c in e.calls) + "\n\n"
        for e in EXAMPLES
    )
    return f"{shots}# {' '.join(topic.split())}\ndef"


def write_request(topic: Record, *, seed: int, temperature: float, max_tokens: int) -> Request:
    return Request(
        request_id=topic["topic_id"],
        prompt=write_prompt(topic["topic"]),
        sampling=Sampling(
            temperature=temperature,
            max_tokens=max_tokens,
            seed=derive_seed(seed, topic["topic_id"], 0),
            stop=STOP,
        ),
    )


@dataclass(frozen=True)
class Written:
    """A parsed answer: the function record, or why there is none."""

    function: Record | None
    reason: str


_EXAMPLE_TOKENS = [normalised_tokens(e.code) for e in EXAMPLES]


def parse_written(
    text: str, *, function_id: str, inputs_per_function: int, truncated: bool = False
) -> Written:
    """The function the engine wrote (``text`` continues ``def``) with its literal calls.

    The code is the ``def`` line and the indented or blank lines after it; each later line
    that is ``print(f(...))`` or ``f(...)`` with literal arguments is an input. Code that does
    not parse is still returned: the static filter counts it as a syntax error.
    """
    if not isinstance(text, str) or not text.strip():
        return Written(None, "empty_output: the engine wrote nothing")
    lines = ("def" + text).splitlines()
    match = _DEF.match(lines[0])
    if not match:
        return Written(
            None, f"no_function: the text does not open with 'def name(': {lines[0]!r:.60}"
        )
    entry_point = match.group(1)
    end = next(
        (i for i, line in enumerate(lines[1:], 1) if line.strip() and not line[0].isspace()),
        len(lines),
    )
    code = "\n".join(line.rstrip() for line in lines[:end]).strip() + "\n"
    inputs = []
    for line in lines[end:]:
        args = call_args(line.strip(), entry_point=entry_point)
        if args is not None and args not in inputs:
            inputs.append(args)
    if not inputs:
        budget = " (the token budget ran out)" if truncated else ""
        return Written(None, f"no_calls: no literal call of {entry_point} after the code{budget}")
    if _copies_an_example(code):
        return Written(None, "copied_example: the function repeats a few-shot example")
    function = {
        "function_id": function_id,
        "source": SEEDS,
        "code": code,
        "entry_point": entry_point,
        "inputs": inputs[:inputs_per_function],
    }
    return Written(function, "ok")


def call_args(line: str, *, entry_point: str) -> str | None:
    """The argument tuple (as literal text) of ``print(f(...))`` or ``f(...)``, else None."""
    try:
        node = ast.parse(line, mode="eval").body
    except (SyntaxError, ValueError):
        return None
    if _is_call(node, "print") and len(node.args) == 1 and not node.keywords:
        node = node.args[0]
    if not _is_call(node, entry_point):
        return None
    args = literal_args(node)
    if args is None or not round_trips(text := repr(args)):  # repr(inf) does not read back
        return None
    return text


def _is_call(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name


def _copies_an_example(code: str) -> bool:
    try:
        tokens = normalised_tokens(code)
    except (SyntaxError, ValueError):
        return False
    return tokens in _EXAMPLE_TOKENS


def written_function(
    topic: Record, result: Result, *, inputs_per_function: int
) -> Record | Quarantined:
    """The function the engine wrote for ``topic``, or the topic quarantined with the reason."""
    completion = result.completions[0]
    written = parse_written(
        completion.text,
        function_id=topic["topic_id"],
        inputs_per_function=inputs_per_function,
        truncated=completion.finish_reason == "length",
    )
    if written.function is None:
        return Quarantined(topic["topic_id"], written.reason, topic | {"text": completion.text})
    return written.function


def write_stage(
    topics: Sequence[Record],
    *,
    engines: Callable[[str], Engine],
    engine: str,
    seed: int,
    temperature: float,
    max_tokens: int,
    inputs_per_function: int,
) -> StageOutcome:
    """One engine request per topic, in one batch; each answer parsed into a function."""
    return engine_stage(
        topics,
        stage="write",
        engines=engines,
        requests=lambda topic: [
            (
                engine,
                write_request(topic, seed=seed, temperature=temperature, max_tokens=max_tokens),
            )
        ],
        parse=lambda topic, _, result: [
            written_function(topic, result, inputs_per_function=inputs_per_function)
        ],
    )
