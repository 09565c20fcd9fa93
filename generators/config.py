"""Typed run configs: frozen dataclasses whose fields are the run's options, declared once.

A dataset's ``Config`` is a frozen dataclass; each field is an ``option(default, help)``, and
``__post_init__`` refuses bad values with a message naming the option, so a bad value stops a
run before any work. The command line builds its options from the fields (``flows/cli.py``),
the flow takes the config, and the catalog stores ``to_json(config)`` as the version's
parameters; ``from_json`` reads it back (a scheduled deployment's parameters, later).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Any, TypeVar

C = TypeVar("C")


def option(default: Any, help: str) -> Any:
    """A config field: its default and the one-line help the command line shows."""
    return dataclasses.field(default=default, metadata={"help": help})


def fields_of(config_type: type) -> list[tuple[str, Any, Any, str]]:
    """``(name, type, default, help)`` of every field, types resolved."""
    hints = typing.get_type_hints(config_type)
    return [
        (f.name, hints[f.name], f.default, f.metadata.get("help", ""))
        for f in dataclasses.fields(config_type)
    ]


def to_json(config: Any) -> dict[str, Any]:
    """The config as JSON values (tuples become lists)."""
    return {name: _jsonable(value) for name, value in dataclasses.asdict(config).items()}


def from_json(config_type: type[C], data: dict[str, Any]) -> C:
    """A config from ``to_json``'s output; unknown keys are an error naming the known ones."""
    known = {f.name for f in dataclasses.fields(config_type)}
    if unknown := sorted(set(data) - known):
        raise ValueError(f"unknown options {unknown}; known: {sorted(known)}")
    hints = typing.get_type_hints(config_type)
    values = {
        k: tuple(v) if _is_tuple(hints[k]) and isinstance(v, list) else v for k, v in data.items()
    }
    return config_type(**values)


def is_tuple_type(kind: Any) -> bool:
    """Whether a field's type is ``tuple[X, ...]`` (given on the command line as ``a,b,c``)."""
    return _is_tuple(kind)


def require(condition: bool, message: str) -> None:
    """Refuse a config value: ``ValueError(message)`` unless ``condition``."""
    if not condition:
        raise ValueError(message)


def _is_tuple(kind: Any) -> bool:
    return typing.get_origin(kind) is tuple


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def optional_of(kind: Any) -> Any | None:
    """``X`` for a field typed ``X | None``, else None."""
    if typing.get_origin(kind) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(kind) if a is not type(None)]
        if len(args) == 1 and len(typing.get_args(kind)) == 2:
            return args[0]
    return None
