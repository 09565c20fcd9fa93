"""Omni-Detective: detailed, low-hallucination captions of audio and video.

source (demo clips made at run time, an HF audio dataset, or a folder; every clip copied into
the store by its sha256) → detective (the first "describe" inquiry and a transcript asked up
front; then every clip of a shard advances one JSON inquiry per batched engine call, the
observer tools answering from one analysis per clip; then the caption) → caption rows with
their evidence and hallucination check → Omni-Cloze items (blanks of supported details,
options from the run's other captions) → publish → report. The detective is a resumable
shard stage over plain functions in ``datagen.generators.omni``.
"""

from __future__ import annotations

from collections import Counter

from prefect import flow

from datagen.catalog import Store
from datagen.flows.ledger import Ledger, finish_run
from datagen.flows.publish import open_catalog
from datagen.flows.stages import concat_records, engine_shard_stage, map_records
from datagen.generators.agent.stage import finish_reasons
from datagen.generators.config import to_json
from datagen.generators.omni import detective
from datagen.generators.omni.captions import flagged_shares
from datagen.generators.omni.cloze_rows import add_cloze
from datagen.generators.omni.judge import judge_note
from datagen.generators.omni.media import read_media
from datagen.generators.omni.recipe import RECIPE, OmniDetectiveConfig
from datagen.generators.sources import source_stage

SCHEMAS = {"clip": "omni/clip.v1", "row": "omni/caption.v1"}


@flow(name="omni-detective", log_prints=True)
def omni_detective(config: OmniDetectiveConfig, *, store: str | None = None) -> dict:
    """Caption, check and publish an Omni-Detective version; returns its ref."""
    where, ledger = Store.resolve(store), Ledger(RECIPE.dataset)
    catalog = open_catalog.submit(where.root)  # created or migrated beside the work
    read = read_media(config.source, store=where.root, limit=config.limit)
    ledger.source(read.lineage, default=config.source)
    clips = ledger.outcome(source_stage(read, limit=config.limit))
    stage = engine_shard_stage(
        "omni-detective",
        SCHEMAS["row"],
        detective.detective_shard,
        engine=config.engine,
        inquiries=config.inquiries,
        turn_tokens=config.turn_tokens,
        temperature=config.temperature,
        tool_seconds=config.tool_seconds,
        seed=config.seed,
        judge=config.judge,
    )
    ledger.engine(config.engine, role="detective")
    if config.judge is not None:
        ledger.engine(config.judge, role="judge")
    _, results = map_records(
        stage,
        clips,
        input_stage="omni-clips",
        input_schema=SCHEMAS["clip"],
        shard_size=config.shard_size,
        work_dir=where.work_dir,
    )
    rows, missing = add_cloze(
        concat_records(ledger.shards(results, "detective", "caption")),
        seed=config.seed,
        max_blanks=config.cloze_blanks,
        writer=(
            ledger.engines("cloze")(config.distractor_engine) if config.distractor_engine else None
        ),
    )
    if config.distractor_engine is not None:
        ledger.engine(config.distractor_engine, role="cloze distractors")
    blanks = [b for r in rows if r["cloze"] for b in r["cloze"]["blanks"]]
    ledger.distributions["cloze blanks per tag"] = dict(Counter(b["tag"] for b in blanks))
    ledger.distributions["cloze options by source"] = dict(
        Counter(s for b in blanks for s in b["option_sources"] if s != "answer")
    )
    ledger.distributions["cloze blanks and items missing"] = dict(missing)
    share, per_clip = flagged_shares(rows)
    shown = "no sentences" if share is None else f"{share:.1%}"
    ledger.notes.append(f"hallucination check: {shown} of caption sentences flagged overall")
    if config.judge is not None:
        ledger.notes.append(judge_note(rows, config.judge))
    ledger.notes.extend(per_clip)
    ledger.distributions["finish reasons"] = finish_reasons(rows)
    ledger.distributions["rows per modality"] = dict(Counter(r["modality"] for r in rows))
    catalog.result()
    return finish_run(
        ledger,
        store=where,
        schema_id=SCHEMAS["row"],
        rows=rows,
        params=to_json(config),
        title="Omni-Detective run",
    )
