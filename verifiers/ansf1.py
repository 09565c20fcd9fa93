"""A²Search's reward: AnsF1 of a predicted answer set against a reference answer set.

The reference is a list of answers, each a list of aliases (``[["Lyon", "Lyons"], ["Paris"]]``),
as text (JSON) or as the value itself (verl hands NumPy arrays over). A flat list of strings,
or Search-R1's ``{"target": [...]}``, is one answer with those aliases; text that is not JSON is
one answer.

The prediction is the ``;``-separated items of the completion's one ``<answer>`` block. Both
sides are normalised as SQuAD does (lowercase, no punctuation, no articles a/an/the, single
spaces) and predictions deduplicated. Each reference answer is hit at most once, by any of its
aliases, and each prediction hits at most one reference (a maximum matching, so overlapping
aliases cannot count one prediction twice). precision = hits / predicted, recall = hits /
references, AnsF1 their harmonic mean. Reward: 0 for an invalid format (no answer block, more
than one, or nothing in it), 0.1 for a valid answer set with no hit, else 1 − α(1 − AnsF1).
"""

from __future__ import annotations

import json
import re
import string
from dataclasses import dataclass
from typing import Any

from datagen.verifiers.ground_truth import plain
from datagen.verifiers.verdict import Verdict

ALPHA = 0.4
NO_HIT_REWARD = 0.1
_ANSWER_BLOCK = re.compile(r"<answer>(.*?)</answer>", re.DOTALL | re.IGNORECASE)
_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCTUATION = str.maketrans("", "", string.punctuation)


@dataclass(frozen=True)
class AnswerSetScore:
    """AnsF1 and its parts for one completion; ``reason`` is a stable code with a detail."""

    reward: float
    ansf1: float
    precision: float
    recall: float
    valid: bool
    reason: str


def normalize(text: str) -> str:
    """SQuAD's answer normalisation: lowercase, no punctuation or articles, single spaces."""
    text = _ARTICLES.sub(" ", str(text).lower().translate(_PUNCTUATION))
    return " ".join(text.split())


def reference_answers(ground_truth: Any) -> list[list[str]]:
    """The reference answer set as lists of aliases, from any accepted form; ``ValueError``
    when there is no answer in it."""
    value = plain(ground_truth)
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            value = [value]
        if isinstance(value, str | int | float):
            value = [str(value)]
    if isinstance(value, dict):
        if "target" not in value:
            raise ValueError(f"a ground truth object needs 'target', got keys {sorted(value)}")
        value = [value["target"]] if not isinstance(value["target"], str) else [[value["target"]]]
    if not isinstance(value, list | tuple):
        raise ValueError(f"a ground truth must be a list of answers, got {type(value).__name__}")
    if value and all(isinstance(v, str) for v in value):  # one answer, its aliases
        value = [value]
    answers = []
    for answer in value:
        aliases = [answer] if isinstance(answer, str | int | float) else answer
        if not isinstance(aliases, list | tuple):
            raise ValueError(f"an answer must be text or a list of aliases, got {aliases!r}")
        normalized = [n for n in (normalize(str(a)) for a in aliases) if n]
        if normalized:
            answers.append(normalized)
    if not answers:
        raise ValueError("the ground truth holds no answer")
    return answers


def predicted_answers(completion: str) -> list[str] | str:
    """The normalised, deduplicated answers of the one ``<answer>`` block, or why there are
    none (an ``invalid_format`` reason)."""
    blocks = _ANSWER_BLOCK.findall(str(completion))
    if len(blocks) != 1:
        return f"invalid_format: {len(blocks)} <answer> blocks, need exactly 1"
    items = [normalize(item) for item in blocks[0].split(";")]
    predicted = list(dict.fromkeys(item for item in items if item))
    return predicted or "invalid_format: the <answer> block is empty"


def score_answer_set(completion: Any, ground_truth: Any, *, alpha: float = ALPHA) -> AnswerSetScore:
    """The reward, AnsF1, precision and recall of ``completion`` against ``ground_truth``."""
    try:
        references = reference_answers(ground_truth)
    except ValueError as exc:
        return AnswerSetScore(0.0, 0.0, 0.0, 0.0, False, f"bad_ground_truth: {exc}")
    predicted = predicted_answers(str(completion))
    if isinstance(predicted, str):
        return AnswerSetScore(0.0, 0.0, 0.0, 0.0, False, predicted)
    hits = _matching_size(predicted, references)
    precision, recall = hits / len(predicted), hits / len(references)
    ansf1 = 2 * precision * recall / (precision + recall) if hits else 0.0
    detail = f"{hits} of {len(references)} answers, {len(predicted)} predicted"
    if not hits:
        return AnswerSetScore(NO_HIT_REWARD, 0.0, 0.0, 0.0, True, f"no_hit: {detail}")
    return AnswerSetScore(1 - alpha * (1 - ansf1), ansf1, precision, recall, True, f"hit: {detail}")


def ansf1_reward(completion: Any, ground_truth: Any) -> Verdict:
    """``score_answer_set`` as a ``Verdict`` (the RL reward of ``data_source="a2search"``)."""
    scored = score_answer_set(completion, ground_truth)
    return Verdict(scored.reward, scored.ansf1 > 0, scored.reason)


def _matching_size(predicted: list[str], references: list[list[str]]) -> int:
    """How many (prediction, reference) pairs a maximum one-to-one matching holds (Kuhn's
    augmenting paths: answer sets are a handful of items)."""
    edges = [[r for r, aliases in enumerate(references) if p in aliases] for p in predicted]
    owner: dict[int, int] = {}

    def claim(p: int, seen: set[int]) -> bool:
        for r in edges[p]:
            if r not in seen:
                seen.add(r)
                if r not in owner or claim(owner[r], seen):
                    owner[r] = p
                    return True
        return False

    return sum(claim(p, set()) for p in range(len(predicted)))
