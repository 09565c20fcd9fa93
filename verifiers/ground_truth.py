"""Ground truths as trainers hand them over: text, numbers, lists, dicts, or NumPy values.

The reward dispatch passes a row's ``ground_truth`` through as given; each verifier decodes it
with ``plain``, so a list (verl hands Parquet list columns over as NumPy arrays) stays a list
instead of arriving as the text of its ``repr``. NumPy is recognised by its methods, not
imported: a verifier runs wherever the trainer does.
"""

from __future__ import annotations

import numbers
from typing import Any


def plain(value: Any) -> Any:
    """``value`` with NumPy scalars and arrays turned into Python ones, bytes into text, and
    integral floats (a Parquet reader's guess for an integer column) into ints."""
    if hasattr(value, "tolist") and hasattr(value, "dtype"):  # a NumPy array or scalar
        value = value.tolist()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        if isinstance(value, list | tuple):
            return type(value)(plain(v) for v in value)
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    return int(value) if float(value).is_integer() else float(value)
