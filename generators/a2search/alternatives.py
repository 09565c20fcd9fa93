"""Step 4 of A²Search: from sampled trajectories to candidate alternative answers.

Per question, an answer is *known* if it normalises to an alias of the reference (or of an
answer of a known ``answer_set``). Trajectories without a readable ``<answer>`` go; so do all
trajectories of an agent configuration that never reached a known answer for that question
(its other answers are not trusted); known answers are dropped as equivalent to the reference;
of identical alternatives (same normal form) the first trajectory's is kept. Every drop is
counted with its reason. What remains are candidates for evidence verification.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from datagen.schemas.records import Record
from datagen.verifiers.ansf1 import normalize


@dataclass
class Alternatives:
    """Candidate alternatives, the trajectories trusted, and how many trajectories or answers
    went for each reason."""

    candidates: list[Record] = field(default_factory=list)
    trusted: list[Record] = field(default_factory=list)
    dropped: Counter[str] = field(default_factory=Counter)


def known_aliases(question: Record) -> set[str]:
    """Normal forms of every alias of the reference and of the known answer set."""
    answers = [question["answers"], *(question.get("answer_set") or [])]
    return {normalize(alias) for aliases in answers for alias in aliases} - {""}


def find_alternatives(questions: Sequence[Record], trajectories: Sequence[Record]) -> Alternatives:
    """Candidates ``{candidate_id, question_id, question, answer, reference, trajectory_id,
    agent, queries}`` in question order, then trajectory order."""
    found = Alternatives()
    by_question: dict[str, list[Record]] = defaultdict(list)
    for trajectory in sorted(trajectories, key=lambda t: t["trajectory_id"]):
        by_question[trajectory["question_id"]].append(trajectory)
    for question in questions:
        known = known_aliases(question)
        answered = []
        for trajectory in by_question.get(question["question_id"], []):
            items = _answer_items(trajectory["answer"] or "")
            if trajectory["finish_reason"] != "answer" or not items:
                found.dropped["no_answer"] += 1
                continue
            answered.append((trajectory, items))
        reached = {t["agent"] for t, items in answered if any(normalize(i) in known for i in items)}
        seen: set[str] = set()
        for trajectory, items in answered:
            if trajectory["agent"] not in reached:
                found.dropped["agent_never_reached_reference"] += 1
                continue
            found.trusted.append(trajectory)
            for item in items:
                normal = normalize(item)
                if normal in known:
                    found.dropped["equivalent_to_reference"] += 1
                elif normal in seen:
                    found.dropped["duplicate_alternative"] += 1
                else:
                    seen.add(normal)
                    found.candidates.append(_candidate(question, trajectory, item, normal))
    return found


def _answer_items(answer: str) -> list[str]:
    """The ``;``-separated items of an agent's answer (the ``<answer>`` block's text), one
    surface form per normal form."""
    items: dict[str, str] = {}
    for item in answer.split(";"):
        if (normal := normalize(item)) and normal not in items:
            items[normal] = item.strip()
    return list(items.values())


def _candidate(question: Record, trajectory: Record, answer: str, normal: str) -> Record:
    return {
        "candidate_id": f"{question['question_id']}|{normal}",
        "question_id": question["question_id"],
        "question": question["question"],
        "answer": answer,
        "reference": question["answers"][0],
        "trajectory_id": trajectory["trajectory_id"],
        "agent": trajectory["agent"],
        "queries": [t["input"] for t in trajectory["turns"] if t["kind"] == "tool"],
    }
