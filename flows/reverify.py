"""Re-verify a published version: its rows re-scored by the installed verifiers, no engine call.

read the version → the recipe's re-verifier (``generators/reverify.py``) → validate → publish
a new version of the same dataset whose parent is the old one. Rows whose verdict no longer
qualifies are quarantined with their reason; balancing is not redone. The changed verdicts
are in the report and in the version's stats (``stats["reverify"]``).

A version whose rows all still qualify is published again too: the new version says that
this code re-verified it (``params["code_version"]``). Re-verifying the same version with the
same code again publishes nothing and names the version that already holds the result.
"""

from __future__ import annotations

from prefect import flow

from datagen.catalog import Catalog, Store
from datagen.flows.ledger import Ledger, publish_once
from datagen.flows.publish import code_version
from datagen.flows.stages import validate_outcome
from datagen.generators.reverify import reverifier_for
from datagen.schemas import table_to_records
from datagen.schemas.records import StageOutcome

BALANCING_NOTE = (
    "balancing not redone: the kept rows are the old version's minus the dropped ones, so "
    "its groups may now be uneven"
)


@flow(name="reverify", log_prints=True)
def reverify(ref: str, *, store: str | None = None) -> dict:
    """Re-verify ``ref`` (NAME, NAME@latest or NAME@N) and publish the result; its ref."""
    where = Store.resolve(store)
    catalog = Catalog(where)
    info = catalog.resolve(ref)
    reverifier = reverifier_for(info.dataset, info.schema_id)  # refused before any work
    rows = table_to_records(info.schema_id, catalog.read(info.ref))
    done = reverifier(rows, schema_id=info.schema_id, params=info.params)
    ledger = Ledger(info.dataset)
    validated = validate_outcome(
        StageOutcome("validate", len(done.outcome.records), done.outcome.records), info.schema_id
    )
    kept = ledger.outcome(done.outcome, validated)
    changed = ", ".join(f"{kind} {n}" for kind, n in sorted(done.changed.items())) or "none"
    ledger.notes += [
        f"re-verified {info.ref}: {len(kept)} of {len(rows)} rows kept",
        f"changed verdicts: {changed}",
        BALANCING_NOTE,
        *done.notes,
    ]
    ledger.distributions = {"changed verdicts": done.changed}
    ledger.stats = {
        "reverify": {
            "from": info.ref,
            "rows_in": len(rows),
            "kept": len(kept),
            "changed": done.changed,
            "balancing": "not redone",
        }
    }
    params = info.params | {
        "reverified_from": info.ref,
        "code_version": code_version(),
        "parent_code_version": info.code_version,
    }
    return publish_once(
        ledger,
        store=where,
        schema_id=info.schema_id,
        rows=kept,
        params=params,
        title=f"Re-verification of {info.ref}",
        parent=info.ref,
    )
