"""Model outputs for the parity test: a correct answer per BFCL task and seeded mutations of it.

An output is a list of ``(name, arguments)`` pairs, converted to BFCL's ``[{name: args}]`` and
to datagen's ``[{"name", "arguments"}]``. Mutations are the mistakes models make (wrong types,
cased or punctuated strings, values outside the allowed list, missing, dropped or extra
parameters, wrong names, reordered, dropped or duplicated calls, edited nested values); some
of them are still valid under BFCL's rules (case, punctuation, an omittable optional dropped),
which is the point: the checkers must agree on both sides of every rule.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable, Iterator
from typing import Any

Output = list[tuple[str, dict[str, Any]]]
Mutation = Callable[[Output, dict[str, dict], random.Random], Output | None]


def answer(ground_truth: list[dict], rng: random.Random | None = None) -> Output:
    """A correct output: each parameter's first allowed value (a random one with ``rng``).

    Parameters whose chosen value is ``""`` (BFCL's "may be omitted") are left out; dict
    answers, which BFCL writes as ``{key: [allowed, ...]}``, become concrete dicts.
    """
    output = []
    for entry in ground_truth:
        name, params = next(iter(entry.items()))
        arguments = {}
        for param, values in params.items():
            value = _pick(values, rng)
            if value != "":
                arguments[param] = _concrete(value, rng)
        output.append((name, arguments))
    return output


def _pick(values: list, rng: random.Random | None) -> Any:
    if not values:
        return ""
    return rng.choice(values) if rng else values[0]


def _concrete(value: Any, rng: random.Random | None) -> Any:
    """A value the answer allows: dicts of allowed lists are resolved key by key."""
    if isinstance(value, dict) and value and all(isinstance(v, list) for v in value.values()):
        picked = {key: _pick(allowed, rng) for key, allowed in value.items()}
        return {key: _concrete(v, rng) for key, v in picked.items() if v != ""}
    if isinstance(value, list):
        return [_concrete(item, rng) for item in value]
    return copy.deepcopy(value)


def to_bfcl(output: Output) -> list[dict]:
    return [{name: arguments} for name, arguments in output]


def to_calls(output: Output) -> list[dict]:
    return [{"name": name, "arguments": arguments} for name, arguments in output]


def _pick_param(output: Output, rng: random.Random, accept: Callable[[Any], bool]):
    """A random ``(arguments, param)`` whose value passes ``accept``, or None."""
    found = [(args, p) for _, args in output for p, v in args.items() if accept(v)]
    return rng.choice(found) if found else None


def _retype(value: Any, rng: random.Random) -> Any:
    if type(value) is bool:
        return rng.choice([int(value), str(value).lower(), float(value)])
    if type(value) is int:
        return rng.choice([str(value), float(value), value % 2 == 1, [value]])
    if type(value) is float:
        return rng.choice([str(value), int(value), round(value)])
    if type(value) is str:
        return rng.choice([len(value), float(len(value)), [value], None, True])
    if type(value) is list:
        return rng.choice([str(value), tuple(value), {"items": value}])
    if type(value) is dict:
        return rng.choice([list(value.items()), str(value), list(value)])
    return "changed"


def wrong_type(output: Output, docs: dict, rng: random.Random) -> Output | None:
    picked = _pick_param(output, rng, lambda v: True)
    if picked is None:
        return None
    args, param = picked
    args[param] = _retype(args[param], rng)
    return output


def _restyle(text: str, rng: random.Random) -> str:
    styles = [
        str.upper,
        str.title,
        lambda t: t.replace(" ", ""),
        lambda t: t.replace(" ", "_"),
        lambda t: t.replace(" ", "-"),
        lambda t: t + ".",
        lambda t: t.replace("'", '"'),
        lambda t: " " + t + " ",
        lambda t: t + "x",
        lambda t: t[:-1],
        lambda t: t.replace(",", ""),
        lambda t: t + "\t",
    ]
    return rng.choice(styles)(text)


def string_variant(output: Output, docs: dict, rng: random.Random) -> Output | None:
    picked = _pick_param(output, rng, lambda v: type(v) is str and v != "")
    if picked is None:
        return None
    args, param = picked
    args[param] = _restyle(args[param], rng)
    return output


def _change(value: Any, rng: random.Random) -> Any:
    if type(value) is bool:
        return not value
    if type(value) is int:
        return value + rng.choice([1, -1, 100])
    if type(value) is float:
        return value + rng.choice([0.5, 1.0, -2.25])
    if type(value) is str:
        return value + rng.choice(["zz", " extra", "1"])
    if type(value) is list:
        return nested_change(value, rng)
    if type(value) is dict:
        return nested_change(value, rng)
    return "changed"


def nested_change(value: list | dict, rng: random.Random) -> Any:
    """Edit inside a list or dict: reorder, drop, add, retype or change an element or key."""
    if type(value) is list:
        if not value:
            return rng.choice([[1], ["a"], [{}]])
        index = rng.randrange(len(value))
        edits = [
            lambda: value[::-1],
            lambda: value[:index] + value[index + 1 :],
            lambda: [*value, copy.deepcopy(value[index])],
            lambda: [*value[:index], _retype(value[index], rng), *value[index + 1 :]],
            lambda: [*value[:index], _change(value[index], rng), *value[index + 1 :]],
            lambda: (
                [*value[:index], _restyle(value[index], rng), *value[index + 1 :]]
                if type(value[index]) is str
                else value
            ),
        ]
        return rng.choice(edits)()
    if not value:
        return {"extra_key": 1}
    key = rng.choice(list(value))
    edits = [
        lambda: {k: v for k, v in value.items() if k != key},
        lambda: {**value, "extra_key": "x"},
        lambda: {**value, key: _change(value[key], rng)},
        lambda: {**value, key: _retype(value[key], rng)},
        lambda: {**value, key: _restyle(value[key], rng)} if type(value[key]) is str else value,
    ]
    return rng.choice(edits)()


def wrong_value(output: Output, docs: dict, rng: random.Random) -> Output | None:
    picked = _pick_param(output, rng, lambda v: True)
    if picked is None:
        return None
    args, param = picked
    args[param] = _change(args[param], rng)
    return output


def nested_mutation(output: Output, docs: dict, rng: random.Random) -> Output | None:
    picked = _pick_param(output, rng, lambda v: type(v) in (list, dict))
    if picked is None:
        return None
    args, param = picked
    args[param] = nested_change(args[param], rng)
    return output


def missing_required(output: Output, docs: dict, rng: random.Random) -> Output | None:
    found = [
        (args, p)
        for name, args in output
        for p in docs.get(name, {}).get("parameters", {}).get("required", [])
        if p in args
    ]
    if not found:
        return None
    args, param = rng.choice(found)
    del args[param]
    return output


def dropped_optional(output: Output, docs: dict, rng: random.Random) -> Output | None:
    found = [
        (args, p)
        for name, args in output
        for p in args
        if p not in docs.get(name, {}).get("parameters", {}).get("required", [])
    ]
    if not found:
        return None
    args, param = rng.choice(found)
    del args[param]
    return output


def extra_param(output: Output, docs: dict, rng: random.Random) -> Output | None:
    name, args = rng.choice(output)
    documented = [p for p in docs.get(name, {}).get("parameters", {}).get("properties", {})]
    unused = [p for p in documented if p not in args]
    if unused and rng.random() < 0.6:
        args[rng.choice(unused)] = rng.choice(["", 0, "value", True, [], 1.5])
    else:
        args["unknown_extra"] = rng.choice([1, "x", None])
    return output


def wrong_name(output: Output, docs: dict, rng: random.Random) -> Output | None:
    index = rng.randrange(len(output))
    name, args = output[index]
    others = [other for other in docs if other != name]
    new_name = rng.choice(others) if others and rng.random() < 0.5 else name + "_v2"
    if rng.random() < 0.2:
        new_name = name.upper() if name.upper() != name else name + "X"
    output[index] = (new_name, args)
    return output


def reorder(output: Output, docs: dict, rng: random.Random) -> Output | None:
    if len(output) < 2:
        return None
    rng.shuffle(output)
    return output


def drop_call(output: Output, docs: dict, rng: random.Random) -> Output | None:
    del output[rng.randrange(len(output))]
    return output


def duplicate_call(output: Output, docs: dict, rng: random.Random) -> Output | None:
    output.append(copy.deepcopy(rng.choice(output)))
    if rng.random() < 0.5 and len(output) > 2:
        del output[0]
    return output


def int_for_float(output: Output, docs: dict, rng: random.Random) -> Output | None:
    picked = _pick_param(output, rng, lambda v: type(v) is float and v == int(v))
    if picked is None:
        return None
    args, param = picked
    args[param] = int(args[param])
    return output


MUTATIONS: dict[str, Mutation] = {
    "wrong_type": wrong_type,
    "string_variant": string_variant,
    "wrong_value": wrong_value,
    "nested": nested_mutation,
    "missing_required": missing_required,
    "dropped_optional": dropped_optional,
    "extra_param": extra_param,
    "wrong_name": wrong_name,
    "reorder": reorder,
    "drop_call": drop_call,
    "duplicate_call": duplicate_call,
    "int_for_float": int_for_float,
}


def cases(
    functions: list[dict], ground_truth: list[dict], rng: random.Random
) -> Iterator[tuple[str, Output]]:
    """``(kind, output)``: two correct answers, then each mutation of one, some twice."""
    docs = {doc["name"]: doc for doc in functions}
    yield "correct", answer(ground_truth)
    yield "correct_alternative", answer(ground_truth, rng)
    for kind, mutate in MUTATIONS.items():
        for _ in range(2 if kind in ("wrong_type", "string_variant", "nested") else 1):
            base = answer(ground_truth, rng if rng.random() < 0.5 else None)
            mutated = mutate(base, docs, rng)
            if mutated is not None:
                yield kind, mutated
