"""A²Search: ambiguous questions with verified answer sets, from search-agent trajectories.

questions + corpus (BM25 index per corpus hash) → search (agent configurations × N
trajectories per question, all on the batched agent loop) → filter (answers equivalent to the
reference, agents that never reached it, duplicates; then an optional engine judge) → verify
(K yes/no votes per alternative on the passages its trajectory retrieved) → evidence (at least
η yes votes) → answer sets (merged aliases) → publish ``a2search`` (RL rows) and
``a2search-trajectories`` (its parent named). Every step is a plain function in
``datagen.generators.a2search``; this file only wires them (through ``flows/a2search_steps.py``)
to shards, the catalog and Prefect.
"""

from __future__ import annotations

from prefect import flow

from datagen.catalog import Store
from datagen.flows import a2search_steps as steps
from datagen.flows.ledger import Ledger, publish_once
from datagen.flows.publish import open_catalog
from datagen.flows.stages import validate_outcome
from datagen.generators.a2search import answer_sets as sets
from datagen.generators.a2search.alternatives import find_alternatives
from datagen.generators.a2search.evidence import verified_candidates
from datagen.generators.a2search.recipe import RECIPE, A2SearchConfig
from datagen.generators.config import to_json
from datagen.schemas.records import StageOutcome


@flow(name="a2search", log_prints=True)
def a2search(config: A2SearchConfig, *, store: str | None = None) -> dict:
    """Search, filter, verify and publish an A²Search version; returns the RL version's ref,
    the trajectories' version (if any was verified) as its ``companions``."""
    where, ledger = Store.resolve(store), Ledger(RECIPE.dataset)
    catalog = open_catalog.submit(where.root)  # created or migrated beside the work
    questions, index_dir = steps.read_inputs(config, where, ledger)
    trajectories = steps.sample_trajectories(config, questions, index_dir, where, ledger)
    found = find_alternatives(questions, trajectories)
    steps.account_filter(ledger, trajectories, found)
    steps.judge_alternatives(config, found, where, ledger)
    votes = steps.vote_on(config, found, index_dir, where, ledger)
    verified, rejected = verified_candidates(found.candidates, votes, eta=config.eta)
    steps.account_vote(ledger, verified, rejected, config.eta)
    answer_sets = sets.answer_sets(questions, verified, protocol=config.protocol)
    rows = ledger.outcome(
        validate_outcome(
            StageOutcome("answer_sets", len(answer_sets), answer_sets), steps.SCHEMAS["rl"]
        )
    )
    kept = sets.verified_trajectories(found.trusted, answer_sets)
    steps.account_sets(
        ledger, sets.set_figures(rows, len(trajectories), len(found.trusted), len(kept))
    )
    ledger.notes.append(
        f"a2search-trajectories: {len(kept)} verified trajectories"
        + ("" if kept else ", nothing to publish")
    )
    catalog.result()
    params = to_json(config)
    info = publish_once(
        ledger,
        store=where,
        schema_id=steps.SCHEMAS["rl"],
        rows=rows,
        params=params,
        title="A²Search run",
    )
    published = steps.publish_trajectories(kept, parent=info, store=where, params=params)
    return info | {"companions": [published] if published else []}
