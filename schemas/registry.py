"""Loading the versioned JSON Schemas that ship with datagen.

A schema id is its path under ``schemas/`` without ``.json`` (``toolpref/critique.v1``): a new
record shape is a new file (``.v2``), so a published version's ``schema_id`` keeps meaning
what it meant when it was written.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any

SCHEMA_PREFIX = "datagen:"


class UnknownSchemaError(LookupError):
    """Raised for a schema id that no shipped file defines."""


@cache
def load_schema(schema_id: str) -> dict[str, Any]:
    """The schema document for ``schema_id`` (cached: schemas are immutable files)."""
    resource = files("datagen.schemas").joinpath(*f"{schema_id}.json".split("/"))
    if not resource.is_file():
        raise UnknownSchemaError(
            f"no schema {schema_id!r}; shipped schemas: {', '.join(list_schemas())}"
        )
    schema = json.loads(resource.read_text(encoding="utf-8"))
    if schema.get("$id") != SCHEMA_PREFIX + schema_id:
        raise UnknownSchemaError(
            f"schema file {schema_id}.json declares $id {schema.get('$id')!r}, "
            f"expected {SCHEMA_PREFIX + schema_id!r}"
        )
    return schema


def list_schemas() -> list[str]:
    """Every shipped schema id, sorted."""
    root = files("datagen.schemas")
    found: list[str] = []
    for folder in root.iterdir():
        if folder.is_dir():
            found += [
                f"{folder.name}/{f.name[:-5]}" for f in folder.iterdir() if f.name.endswith(".json")
            ]
    return sorted(found)


def json_encoded_fields(schema_id: str) -> tuple[str, ...]:
    """Top-level fields stored as JSON text in Parquet (marked ``"x-parquet": "json"``).

    Tool arguments and function specs have no fixed shape, which Arrow cannot type; storing
    them as JSON text keeps shards readable by any Parquet reader.
    """
    properties = load_schema(schema_id).get("properties", {})
    return tuple(name for name, spec in properties.items() if spec.get("x-parquet") == "json")
