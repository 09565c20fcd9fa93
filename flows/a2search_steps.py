"""The A²Search flow's steps that are more than one call: reading the questions and corpus (and
opening the corpus's index), the two engine stages, accounting for the filter and the vote,
and publishing the two datasets so that a rerun publishes only what is missing.
``flows/a2search.py`` wires them into the flow.
"""

from __future__ import annotations

from dataclasses import asdict
from functools import partial
from pathlib import Path
from typing import Any

from datagen.catalog import Store
from datagen.flows.ledger import Ledger, publish_once
from datagen.flows.stages import (
    ShardStage,
    concat_records,
    engine_shard_stage,
    map_records,
    validate_outcome,
)
from datagen.generators.a2search import agent, evidence, judge
from datagen.generators.a2search.alternatives import Alternatives
from datagen.generators.a2search.configs import parse_mapping
from datagen.generators.a2search.recipe import TRAJECTORIES_DATASET, A2SearchConfig
from datagen.generators.a2search.search_index import open_index
from datagen.generators.a2search.sources import read_passages, read_questions
from datagen.generators.engines import open_engine
from datagen.generators.engines.spec import without_prices
from datagen.generators.sources import source_stage
from datagen.schemas.records import Record, StageOutcome

SCHEMAS = {
    "question": "a2search/question.v1",
    "trajectory": "a2search/trajectory.v1",
    "candidate": "a2search/candidate.v1",
    "judgement": "a2search/judgement.v1",
    "vote": "a2search/vote.v1",
    "rl": "a2search/rl.v1",
}


def read_inputs(config: A2SearchConfig, store: Store, ledger: Ledger) -> tuple[list[Record], Path]:
    """The questions (validated, limited) and the folder of the corpus's BM25 index."""
    read = read_questions(config.source, mapping=parse_mapping(config.map))
    ledger.source(read.lineage, default=config.source)
    sourced = source_stage(read, limit=config.limit)
    questions = ledger.outcome(validate_outcome(sourced, SCHEMAS["question"]))
    corpus = read_passages(config.corpus)
    ledger.source(corpus.lineage, default=config.corpus)
    ledger.quarantined("corpus", corpus.rejects)
    cache = store.work_dir / "search-index"
    return questions, cache / open_index(corpus.records, cache).key


def sample_trajectories(
    config: A2SearchConfig, questions: list[Record], index_dir: Path, store: Store, ledger: Ledger
) -> list[Record]:
    """Every agent configuration's trajectories, one resumable shard stage per shard."""
    settings = {
        "agents": [asdict(a) for a in config.agents],
        "trajectories": config.trajectories,
        "top_k": config.top_k,
        "max_turns": config.max_turns,
        "max_tokens": config.max_tokens,
        "turn_tokens": config.turn_tokens,
        "seed": config.seed,
        "corpus": index_dir.name,
    }
    stage = _stage(
        "a2search-search", SCHEMAS["trajectory"], agent.search_stage, index_dir, settings
    )
    for spec in dict.fromkeys(a.engine for a in config.agents):
        ledger.engine(spec, role="agent")
    _, searched = map_records(
        stage, questions, input_stage="a2search-questions", **_inputs(config, store, "question")
    )
    return concat_records(ledger.shards(searched, "search"))


def judge_alternatives(
    config: A2SearchConfig, found: Alternatives, store: Store, ledger: Ledger
) -> None:
    """With a judge engine, drop the candidates it calls the reference under another name."""
    if not config.judge_engine or not found.candidates:
        return
    stage = engine_shard_stage(
        "a2search-judge",
        SCHEMAS["judgement"],
        judge.judge_stage,
        engine=config.judge_engine,
        seed=config.seed,
    )
    ledger.engine(config.judge_engine, role="judge")
    _, judged = map_records(
        stage,
        found.candidates,
        input_stage="a2search-candidates",
        **_inputs(config, store, "candidate"),
    )
    same = {
        r["candidate_id"]
        for r in concat_records(ledger.shards(judged, "judge"))
        if r["same_as_reference"]
    }
    found.candidates = [c for c in found.candidates if c["candidate_id"] not in same]
    if same:
        found.dropped["equivalent_to_reference_by_judge"] += len(same)
        ledger.distributions["alternatives dropped"] = dict(found.dropped.most_common())


def vote_on(
    config: A2SearchConfig, found: Alternatives, index_dir: Path, store: Store, ledger: Ledger
) -> list[Record]:
    """Every verifier configuration's votes on every candidate (a resumable shard stage)."""
    if not found.candidates:
        return []
    settings = {
        "verifiers": [asdict(v) for v in config.verifiers],
        "votes": config.votes,
        "top_k": config.top_k,
        "seed": config.seed,
        "corpus": index_dir.name,
    }
    stage = _stage("a2search-verify", SCHEMAS["vote"], evidence.verify_stage, index_dir, settings)
    for spec in dict.fromkeys(v.engine for v in config.verifiers):
        ledger.engine(spec, role="verifier")
    _, voted = map_records(
        stage,
        found.candidates,
        input_stage="a2search-candidates",
        **_inputs(config, store, "candidate"),
    )
    return concat_records(ledger.shards(voted, "verify"))


def _stage(name: str, schema: str, run: Any, index_dir: Path, settings: dict) -> ShardStage:
    """A shard stage over the corpus's index; the corpus's hash, not its folder, is in the key."""
    return ShardStage(
        name=name,
        output_schema=schema,
        config=settings,
        run=partial(run, index_dir=str(index_dir), **without_prices(settings)),
        engines=open_engine,
    )


def _inputs(config: A2SearchConfig, store: Store, kind: str) -> dict[str, Any]:
    return {
        "input_schema": SCHEMAS[kind],
        "shard_size": config.shard_size,
        "work_dir": store.work_dir,
    }


def account_filter(ledger: Ledger, trajectories: list[Record], found: Alternatives) -> None:
    """The equivalence filter as a stage row: trajectories in, trusted ones out."""
    dropped = len(trajectories) - len(found.trusted)
    reasons = {f"filter: {k}": v for k, v in found.dropped.items()}
    ledger.outcome(
        StageOutcome("filter", len(trajectories), found.trusted, dropped, [], reasons).check()
    )
    ledger.distributions["alternatives dropped"] = dict(found.dropped.most_common())


def account_vote(ledger: Ledger, verified: list[Record], rejected: list[Record], eta: int) -> None:
    outcome = StageOutcome(
        "evidence",
        len(verified) + len(rejected),
        verified,
        len(rejected),
        reasons={f"evidence: fewer_than_{eta}_yes_votes": len(rejected)} if rejected else {},
    )
    ledger.outcome(outcome.check())
    ledger.distributions["evidence"] = {
        "verified": len(verified),
        f"fewer than {eta} yes votes": len(rejected),
    }


def account_sets(ledger: Ledger, figures: dict[str, Any]) -> None:
    """The report's notes and distributions, and the version's stats, of ``set_figures``."""
    ledger.notes.append(
        f"{figures['ambiguous']} of {figures['questions']} questions ambiguous "
        f"({figures['ambiguous_share']:.1%}); trajectories kept: "
        f"{figures['trajectories_after_filter']:.1%} after filtering, "
        f"{figures['trajectories_after_verification']:.1%} after verification"
    )
    per_question = figures["alternatives_per_question"]
    ledger.distributions["alternatives per question"] = per_question
    ledger.stats = {k: v for k, v in figures.items() if k != "alternatives_per_question"}


def publish_trajectories(
    trajectories: list[Record], *, parent: dict[str, Any], store: Store, params: dict[str, Any]
) -> dict[str, Any] | None:
    """The verified trajectories as their own dataset, naming the RL version as its parent;
    nothing when none was verified."""
    if not trajectories:
        return None
    ledger = Ledger(TRAJECTORIES_DATASET)
    ledger.outcome(StageOutcome("verified", len(trajectories), trajectories).check())
    return publish_once(
        ledger,
        store=store,
        schema_id=SCHEMAS["trajectory"],
        rows=trajectories,
        params=params,
        title="A²Search trajectories",
        parent=parent["ref"],
    )
