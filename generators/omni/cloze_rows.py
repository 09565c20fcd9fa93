"""Omni-Cloze items for a run's caption rows: blanks from each caption's supported details,
options from the other clips' details of the same kind (the run's pool), else rule-made.

It runs over the whole run at once because the pool is the run's captions; a blank that
cannot get three distractors is left out and counted, and a caption without one blank gets
no item (``cloze`` is None), with the reason in the counts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from datagen.generators.omni.cloze import choose_blanks, cloze_record
from datagen.generators.omni.cloze_options import build_pool, with_options
from datagen.schemas.records import Record


def add_cloze(
    rows: Sequence[Record], *, seed: int, max_blanks: int
) -> tuple[list[Record], Counter]:
    """``rows`` with their ``cloze`` item (or None), and why blanks or items are missing."""
    pool = build_pool((row["clip_id"], row["caption"]) for row in rows)
    missing: Counter[str] = Counter()
    out = []
    for row in rows:
        clip_id, caption = row["clip_id"], row["caption"]
        blanks = []
        for blank in choose_blanks(
            caption, row["evidence"], clip_id=clip_id, max_blanks=max_blanks, seed=seed
        ):
            try:
                blanks.append(
                    with_options(blank, clip_id=clip_id, caption=caption, seed=seed, pool=pool)
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
