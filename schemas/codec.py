"""Records (dicts) to Arrow tables and back, for a given schema.

Fields the schema marks ``"x-parquet": "json"`` are stored as JSON text; everything else is
stored as Arrow infers it. Decoding restores the exact dicts that were validated.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pyarrow as pa

from datagen.schemas.registry import json_encoded_fields


def records_to_table(schema_id: str, records: Sequence[dict[str, Any]]) -> pa.Table:
    """Encode records into a table; an empty list gives a table with no columns and no rows."""
    encoded = json_encoded_fields(schema_id)
    rows = [
        {k: (json.dumps(v, ensure_ascii=False) if k in encoded else v) for k, v in r.items()}
        for r in records
    ]
    return pa.Table.from_pylist(rows)


def table_to_records(schema_id: str, table: pa.Table) -> list[dict[str, Any]]:
    """Decode a table written by ``records_to_table`` back into records."""
    encoded = set(json_encoded_fields(schema_id)) & set(table.column_names)
    records = table.to_pylist()
    for record in records:
        for name in encoded:
            if record[name] is not None:
                record[name] = json.loads(record[name])
    return records
