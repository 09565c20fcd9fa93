"""A critic evaluated on critique rows: accuracy per order and ToolRM's pair metric.

Every critique row shows one pair of responses in one order (``label`` 1: the chosen response
first, 2: second) and asks which is better. A critic answers every row; an answer is marked by
``critique_reward`` with the row's own parser (``strict`` for a row that names none, as
TRBench scores), so an answer without a parsable ``<choice>`` is wrong and keeps its reason.

The figures, per category and overall, follow TRBench-BFCL (arXiv 2510.26167):

- accuracy of the rows with label 1 and of those with label 2: a critic with a position bias
  scores high on one and low on the other;
- pair accuracy: a pair counts as right only when all its rows are (both orders, for a version
  built with ``--orders both``; a pair with one row, ``--orders swap``, counts by that row);
- W-Avg: the categories' pair accuracies weighted by their numbers of pairs, which is the
  overall pair accuracy, as the paper weights it.

Pure functions: the items, the requests and the marks. The command (``flows/evaluate.py``)
reads the version, calls the engine once and stores the figures.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from datagen.generators.engines.base import Message, Request, Result, Sampling
from datagen.verifiers.critique import critique_reward

TEMPERATURE = 0.0
"""Greedy answers: a benchmark figure should not depend on a sampling draw."""
EVAL_PARSER = "strict"
"""The parser of a row that names none: the benchmark's, ToolRM's released reward."""
COLUMNS = ("row_id", "pair_id", "category", "prompt", "label", "parser")
"""The columns an evaluation reads (every critique schema has them; ``parser`` may be absent)."""


class CriticEvalError(ValueError):
    """Rows that cannot be evaluated; the message names the row."""


@dataclass(frozen=True, kw_only=True)
class CriticItem:
    """One critique row as the evaluation needs it."""

    row_id: str
    pair_id: str
    category: str
    messages: tuple[Message, ...]
    label: int
    parser: str


@dataclass(frozen=True, kw_only=True)
class CriticEvaluation:
    """The figures and the counts they are made of. ``figures``: ``w_avg``, the overall
    ``accuracy_1``, ``accuracy_2`` and ``pair_accuracy``, and the same three per category
    (``None`` where there was nothing to count); ``counts``: rows and right answers per label,
    pairs and right pairs, overall and per category, and every answer's reason."""

    figures: dict[str, Any]
    counts: dict[str, Any]


def critic_items(
    rows: Iterable[Mapping[str, Any]], *, limit: int | None = None
) -> list[CriticItem]:
    """The items of a version's rows in row order, those of the first ``limit`` pairs only
    when given (a pair's rows are kept together wherever they are). A row id seen twice is
    refused, since answers are matched by it."""
    items: list[CriticItem] = []
    pairs: set[str] = set()
    seen: set[str] = set()
    for row in rows:
        pair_id = str(row["pair_id"])
        if limit is not None and pair_id not in pairs and len(pairs) >= limit:
            continue
        row_id = str(row["row_id"])
        if row_id in seen:
            raise CriticEvalError(f"row {row_id!r} appears twice in the version")
        seen.add(row_id)
        pairs.add(pair_id)
        items.append(
            CriticItem(
                row_id=row_id,
                pair_id=pair_id,
                category=str(row["category"]),
                messages=tuple(dict(message) for message in row["prompt"]),
                label=int(row["label"]),
                parser=row.get("parser") or EVAL_PARSER,
            )
        )
    return items


def request_id(item: CriticItem) -> str:
    """The id of a row's request, by which its answer is found."""
    return f"critic:{item.row_id}"


def critic_requests(items: Sequence[CriticItem], *, max_tokens: int, seed: int) -> list[Request]:
    """One request per row: its prompt as the critic's chat, answered greedily."""
    sampling = Sampling(temperature=TEMPERATURE, max_tokens=max_tokens, seed=seed)
    return [
        Request(request_id=request_id(item), messages=item.messages, sampling=sampling)
        for item in items
    ]


def _answer(result: Result | None) -> tuple[str | None, str | None]:
    """The answer text of a result, or why there is none (``engine_error:<kind>``)."""
    if result is None:
        return None, "missing_answer"
    if result.error is not None or not result.completions:
        return None, f"engine_error:{result.error_kind or 'other'}"
    return result.completions[0].text, None


def mark(item: CriticItem, result: Result | None) -> tuple[bool, str]:
    """Whether the critic chose the row's label, and the reason (``correct``,
    ``wrong_choice``, ``no_choice_tag``, ``invalid_choice``, ``engine_error:<kind>``, ...)."""
    text, failed = _answer(result)
    if failed is not None:
        return False, failed
    verdict = critique_reward(text, item.label, parser=item.parser)
    return verdict.passed, verdict.reason.split(":", 1)[0]


@dataclass
class _Tally:
    """Rows and right answers per label, and the pairs, of one category (or all)."""

    rows: Counter[int]
    right: Counter[int]
    pairs: dict[str, bool]
    """Pair id → whether every row of the pair so far was right."""

    @classmethod
    def empty(cls) -> _Tally:
        return cls(Counter(), Counter(), {})

    def add(self, item: CriticItem, correct: bool) -> None:
        self.rows[item.label] += 1
        self.right[item.label] += correct
        self.pairs[item.pair_id] = self.pairs.get(item.pair_id, True) and correct

    def counts(self) -> dict[str, int]:
        return {
            "rows": sum(self.rows.values()),
            "rows_1": self.rows[1],
            "rows_2": self.rows[2],
            "right_1": self.right[1],
            "right_2": self.right[2],
            "pairs": len(self.pairs),
            "pairs_right": sum(self.pairs.values()),
        }


def _share(right: int, total: int) -> float | None:
    return right / total if total else None


def _figures(counts: Mapping[str, int]) -> dict[str, float | None]:
    return {
        "accuracy_1": _share(counts["right_1"], counts["rows_1"]),
        "accuracy_2": _share(counts["right_2"], counts["rows_2"]),
        "pair_accuracy": _share(counts["pairs_right"], counts["pairs"]),
    }


def w_avg(per_category: Mapping[str, Mapping[str, int]]) -> float | None:
    """The categories' pair accuracies weighted by their pair counts (None without pairs)."""
    pairs = sum(c["pairs"] for c in per_category.values())
    weighted = sum(c["pairs"] * (c["pairs_right"] / c["pairs"]) for c in per_category.values())
    return weighted / pairs if pairs else None


def evaluate(items: Sequence[CriticItem], results: Sequence[Result]) -> CriticEvaluation:
    """Mark every row by the critic's answer (``results`` of ``critic_requests``, matched by
    request id) and count per category and overall; a pair id found in two categories is
    refused, since the pair metric would count it twice."""
    by_id = {result.request_id: result for result in results}
    tallies: dict[str, _Tally] = defaultdict(_Tally.empty)
    overall = _Tally.empty()
    category_of: dict[str, str] = {}
    reasons: Counter[str] = Counter()
    for item in items:
        if category_of.setdefault(item.pair_id, item.category) != item.category:
            raise CriticEvalError(
                f"pair {item.pair_id!r} has rows in categories {category_of[item.pair_id]!r} "
                f"and {item.category!r}"
            )
        correct, reason = mark(item, by_id.get(request_id(item)))
        reasons[reason] += 1
        tallies[item.category].add(item, correct)
        overall.add(item, correct)
    per_category = {name: tallies[name].counts() for name in sorted(tallies)}
    totals = overall.counts()
    return CriticEvaluation(
        figures={
            "w_avg": w_avg(per_category),
            **_figures(totals),
            "per_category": {name: _figures(c) for name, c in per_category.items()},
        },
        counts={**totals, "per_category": per_category, "reasons": dict(reasons.most_common())},
    )
