"""Omni-Cloze items for a run's caption rows: blanks from each caption's supported details,
options from the other clips' details of the same kind (the run's pool), else written by an
engine when one is given, else rule-made.

It runs over the whole run at once because the pool is the run's captions; only blanks the
pool cannot fill go to the engine, all in one batched call. A blank that cannot get three
distractors is left out and counted, and a caption without one blank gets no item (``cloze``
is None), with the reason in the counts; so is every engine answer that gave no usable
distractor (its blank falls back to the rules).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from datagen.generators.engines.base import Engine
from datagen.generators.omni.cloze import Blank, choose_blanks, cloze_record
from datagen.generators.omni.cloze_options import (
    DISTRACTORS,
    DistractorPool,
    build_pool,
    distractor_request,
    parse_distractors,
    pool_distractors,
    with_options,
)
from datagen.schemas.records import Record


def add_cloze(
    rows: Sequence[Record], *, seed: int, max_blanks: int, writer: Engine | None = None
) -> tuple[list[Record], Counter]:
    """``rows`` with their ``cloze`` item (or None), and why blanks or items are missing;
    ``writer`` writes distractors for the blanks the pool leaves short."""
    pool = build_pool((row["clip_id"], row["caption"]) for row in rows)
    chosen = [
        choose_blanks(
            row["caption"],
            row["evidence"],
            clip_id=row["clip_id"],
            max_blanks=max_blanks,
            seed=seed,
        )
        for row in rows
    ]
    missing: Counter[str] = Counter()
    written = (
        _engine_written(rows, chosen, pool=pool, writer=writer, seed=seed, missing=missing)
        if writer
        else {}
    )
    out = []
    for row, candidates in zip(rows, chosen, strict=True):
        clip_id, caption = row["clip_id"], row["caption"]
        blanks = []
        for blank in candidates:
            try:
                blanks.append(
                    with_options(
                        blank,
                        clip_id=clip_id,
                        caption=caption,
                        seed=seed,
                        pool=pool,
                        engine_written=written.get(blank.blank_id, ()),
                    )
                )
            except ValueError:
                missing["blank without three distractors"] += 1
        if not blanks:
            missing["caption without a supported detail to blank"] += 1
        item = (
            cloze_record(clip_id=clip_id, caption=caption, blanks=blanks, seed=seed)
            if blanks
            else None
        )
        out.append(row | {"cloze": item})
    return out, missing


def _engine_written(
    rows: Sequence[Record],
    chosen: Sequence[Sequence[Blank]],
    *,
    pool: DistractorPool,
    writer: Engine,
    seed: int,
    missing: Counter,
) -> dict[str, tuple[str, ...]]:
    """Blank id → the writer's distractors, for every blank the pool cannot fill alone."""
    short = [
        blank
        for row, blanks in zip(rows, chosen, strict=True)
        for blank in blanks
        if len(
            pool_distractors(
                blank, pool=pool, clip_id=row["clip_id"], caption=row["caption"], seed=seed
            )
        )
        < DISTRACTORS
    ]
    if not short:
        return {}
    results = writer.generate([distractor_request(blank, seed=seed) for blank in short])
    written = {}
    for blank, result in zip(short, results, strict=True):
        text = None if result.error or not result.completions else result.completions[0].text
        parsed = parse_distractors(text, answer=blank.answer)
        if parsed.reason:
            missing[f"engine distractors: {parsed.reason.split(':')[0]}"] += 1
        written[blank.blank_id] = parsed.texts
    return written
