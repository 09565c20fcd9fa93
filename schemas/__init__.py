"""Versioned JSON Schemas (2020-12) for every record type, one validator, one Arrow codec."""

from datagen.schemas.codec import records_to_table, table_to_records
from datagen.schemas.registry import (
    UnknownSchemaError,
    json_encoded_fields,
    list_schemas,
    load_schema,
)
from datagen.schemas.validator import (
    first_error,
    is_valid,
)

__all__ = [
    "UnknownSchemaError",
    "first_error",
    "is_valid",
    "json_encoded_fields",
    "list_schemas",
    "load_schema",
    "records_to_table",
    "table_to_records",
]
