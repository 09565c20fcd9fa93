"""Step 6 of A²Search: each question's verified answer set, and the trajectories that earned it.

Verified alternatives that name the same thing are merged into one answer with aliases: two
alternatives are the same answer when the words of one (normalised) are all words of the
other, and an answer joins a group only if that holds with every name already in it, so
"Guatemala" and "Republic of Guatemala" merge while "North Korea" and "South Korea" stay two
answers even after "Korea" joined one of them. A question's
set is its reference (and known answers), then the merged alternatives; it is ambiguous when it
holds more than one answer.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

from datagen.schemas.records import Record
from datagen.verifiers.ansf1 import normalize


def merge_aliases(answers: Sequence[str]) -> list[list[str]]:
    """Groups of aliases, in first-seen order; each group's first name is its shortest."""
    groups: list[list[str]] = []
    for answer in answers:
        words = set(normalize(answer).split())
        for group in groups:
            names = [set(normalize(name).split()) for name in group]
            if all(words <= name or name <= words for name in names):
                group.append(answer)
                group.sort(key=lambda a: len(normalize(a).split()))
                break
        else:
            groups.append([answer])
    return groups


def answer_sets(
    questions: Sequence[Record], verified: Sequence[Record], *, protocol: str
) -> list[Record]:
    """``{question_id, question, answer_set, reference, alternatives, ambiguous, protocol}``
    for every question, verified alternatives merged (``protocol``: the one the run's agents
    used, which the rl view's prompt teaches)."""
    by_question: dict[str, list[str]] = defaultdict(list)
    for candidate in verified:
        by_question[candidate["question_id"]].append(candidate["answer"])
    rows = []
    for question in questions:
        known = [question["answers"], *(question.get("answer_set") or [])]
        known = [aliases for i, aliases in enumerate(known) if aliases not in known[:i]]
        alternatives = merge_aliases(by_question.get(question["question_id"], []))
        answer_set = known + alternatives
        rows.append(
            {
                "question_id": question["question_id"],
                "question": question["question"],
                "answer_set": answer_set,
                "reference": question["answers"],
                "alternatives": len(alternatives),
                "ambiguous": len(answer_set) > 1,
                "protocol": protocol,
            }
        )
    return rows


def set_figures(rows: Sequence[Record], trajectories: int, trusted: int, kept: int) -> dict:
    """A run's headline figures (the paper reports them): the share of ambiguous questions and
    of the trajectories kept after filtering and after verification, and alternatives per
    question as a histogram."""
    ambiguous = sum(r["ambiguous"] for r in rows)
    total = trajectories or 1
    per_question = Counter(r["alternatives"] for r in rows)
    return {
        "questions": len(rows),
        "ambiguous": ambiguous,
        "ambiguous_share": ambiguous / len(rows) if rows else 0.0,
        "trajectories_after_filter": trusted / total,
        "trajectories_after_verification": kept / total,
        "alternatives_per_question": {str(n): per_question[n] for n in sorted(per_question)},
    }


def verified_trajectories(trajectories: Sequence[Record], sets: Sequence[Record]) -> list[Record]:
    """Trajectories whose every answer item lies in their question's final answer set."""
    aliases = {
        row["question_id"]: {normalize(a) for answer in row["answer_set"] for a in answer}
        for row in sets
    }
    kept = []
    for trajectory in trajectories:
        items = [normalize(i) for i in (trajectory["answer"] or "").split(";") if normalize(i)]
        allowed = aliases.get(trajectory["question_id"], set())
        if trajectory["finish_reason"] == "answer" and items and set(items) <= allowed:
            kept.append(trajectory)
    return kept
