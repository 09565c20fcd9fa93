"""The engine judge: a second hallucination figure beside the rule check, from an engine asked
about each caption sentence against the clip's observations (``hallucination.judge_request``).

It judges the same sentences the rule check splits, so the two figures count one thing. An
answer the engine could not give (an error, a context too long) or that is not one of the two
words is counted as unparsed and left out of the share, never read as a verdict: a judge that
fails must not make captions look better or worse.
"""

from __future__ import annotations

from collections.abc import Sequence

from datagen.generators.engines.base import Engine, Result
from datagen.generators.omni.hallucination import (
    judge_request,
    judged_share,
    parse_judgement,
    split_sentences,
)
from datagen.schemas.records import Record


def judge_rows(rows: Sequence[Record], *, engine: Engine, spec: str) -> list[Record]:
    """``rows`` with ``hallucination.judge``: every sentence of every caption in one batched
    call to ``engine`` (named ``spec`` in the rows)."""
    planned = [
        (index, sentence)
        for index, row in enumerate(rows)
        for sentence in split_sentences(row["caption"])
    ]
    requests = [
        judge_request(
            request_id=f"judge:{rows[index]['clip_id']}:{number}",
            sentence=sentence,
            observations=[step["observation"] for step in rows[index]["evidence"]],
        )
        for number, (index, sentence) in enumerate(planned)
    ]
    results = engine.generate(requests) if requests else []
    verdicts: list[list[tuple[str, bool | None]]] = [[] for _ in rows]
    for (index, sentence), result in zip(planned, results, strict=True):
        verdicts[index].append((sentence, _verdict(result)))
    return [
        row | {"hallucination": row["hallucination"] | {"judge": _summary(judged, spec)}}
        for row, judged in zip(rows, verdicts, strict=True)
    ]


def _verdict(result: Result) -> bool | None:
    if result.error is not None or not result.completions:
        return None
    return parse_judgement(result.completions[0].text)


def _summary(judged: list[tuple[str, bool | None]], spec: str) -> Record:
    return {
        "engine": spec,
        "judged_share": judged_share(verdict for _, verdict in judged),
        "judged": sum(verdict is not None for _, verdict in judged),
        "unparsed": sum(verdict is None for _, verdict in judged),
        "unsupported": [sentence for sentence, verdict in judged if verdict is False],
    }


def judge_note(rows: Sequence[Record], spec: str) -> str:
    """The report's line: the share judged unsupported over every judged sentence of the run,
    pooled like the rule check's overall share, and how many answers were unparsed."""
    summaries = [row["hallucination"]["judge"] for row in rows if "judge" in row["hallucination"]]
    judged = sum(s["judged"] for s in summaries)
    unsupported = sum(len(s["unsupported"]) for s in summaries)
    unparsed = sum(s["unparsed"] for s in summaries)
    share = (
        f"{unsupported / judged:.1%} of judged caption sentences unsupported"
        if judged
        else "no sentence judged"
    )
    return f"engine judge ({spec}): {share}, {unparsed} answers unparsed"
