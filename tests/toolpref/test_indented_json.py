"""``indented_json`` writes exactly what ``json.dumps(..., ensure_ascii=False, indent=1)`` does."""

from __future__ import annotations

import json
import random
from collections import OrderedDict
from enum import IntEnum

import pytest

from datagen.generators.toolpref.critique_rows import indented_json


class Level(IntEnum):
    LOW = 1


@pytest.mark.parametrize(
    "value",
    [
        [],
        {},
        [[]],
        [{}],
        {"a": []},
        "",
        'ünïcode \u2028 \u2029 \x00 " \\ / \n \t 😀',
        0,
        -1,
        10**30,
        0.1,
        -0.0,
        1e16,
        1.5e-300,
        float("nan"),
        float("inf"),
        float("-inf"),
        True,
        False,
        None,
        [True, 1, 1.0, False, 0, None],
        ("tuple", ["inside"]),
        OrderedDict([("z", 1), ("a", 2)]),
        {"name": "f", "parameters": {"type": "dict", "properties": {"x": {"enum": [1, "a"]}}}},
        {1: "int key"},  # json coerces the key: the fallback renders it
        {None: "none key", True: "bool key"},
        {"enum": Level.LOW},  # an int subclass: json's own text
        [{"deep": [[[{"k": [1, [2, [3]]]}]]]}],
    ],
)
def test_matches_json_dumps(value: object) -> None:
    assert indented_json(value) == json.dumps(value, ensure_ascii=False, indent=1)


def test_matches_json_dumps_on_random_documents() -> None:
    rng = random.Random(0)

    def make(depth: int) -> object:
        kind = rng.randrange(8 if depth < 4 else 5)
        if kind == 0:
            return rng.choice(["", "x", "é\u2028", 'q"uote', "multi\nline"])
        if kind == 1:
            return rng.randint(-(10**20), 10**20)
        if kind == 2:
            return rng.uniform(-1e6, 1e6)
        if kind == 3:
            return rng.choice([None, True, False])
        if kind == 4:
            return rng.choice([[], {}])
        if kind in (5, 6):
            return {f"k{i}é": make(depth + 1) for i in range(rng.randint(1, 4))}
        return [make(depth + 1) for _ in range(rng.randint(1, 4))]

    for _ in range(500):
        value = make(0)
        assert indented_json(value) == json.dumps(value, ensure_ascii=False, indent=1)


def test_a_type_json_refuses_is_refused_alike() -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        indented_json({"when": object()})
