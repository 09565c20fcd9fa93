"""BFCL's per-parameter rules (Python semantics), re-implemented for ``toolcall``.

Mirrors ``bfcl_eval.eval_checker.ast_eval.ast_checker`` (bfcl-eval 2026.3.23): the type map,
int-to-float promotion, exact ``type(x) is T`` checks (so ``True`` is not an ``int``), the
one-level nested type check of arrays, the "variable" quirk (a value whose type matches the
ground truth's instead of the doc's is compared raw), ``standardize_string`` and the string,
list, dict and list-of-dict value checkers. Where BFCL's own code would raise on an input
(unknown type name, missing ``items``, a ground-truth shape its indexing cannot handle, a
non-dict inside a list of dicts), :class:`CheckerError` is raised instead, and ``toolcall``
turns it into an invalid verdict. Strings are compared raw before being standardised (equal
strings stay equal after standardising), which skips most of BFCL's regex work.
"""

from __future__ import annotations

from typing import Any

TYPE_MAP: dict[str, type] = {
    "string": str,
    "integer": int,
    "float": float,
    "boolean": bool,
    "array": list,
    "tuple": list,
    "dict": dict,
    "any": str,
}
"""BFCL's ``PYTHON_TYPE_MAPPING``."""

NESTED_TYPES = frozenset({"array", "tuple"})
"""Types whose elements BFCL type-checks one level deep."""

TYPE_ALIASES = {"object": "dict", "number": "float"}
"""JSON-Schema names accepted for BFCL's (BFCL itself would raise ``KeyError`` on these)."""

_STRIP = str.maketrans("", "", " ,./-_*^")

Grade = tuple[int, str]
"""``(grade, error_type)``: grade 0 wrong type, 1 right type but wrong value, 2 right."""

CORRECT: Grade = (2, "")
WRONG_TYPE: Grade = (0, "type_error:simple")


class CheckerError(Exception):
    """An input on which BFCL's checker raises; ``error_type`` says which rule could not run."""

    def __init__(self, error_type: str, detail: str) -> None:
        super().__init__(f"{error_type}: {detail}")
        self.error_type = error_type
        self.detail = detail


def standardize_string(text: str) -> str:
    """BFCL's normalisation: drop `` ,./-_*^``, lowercase, and turn ``'`` into ``"``."""
    return text.translate(_STRIP).lower().replace("'", '"')


def _standardize_items(items: Any) -> list:
    """BFCL's element-wise standardisation of one allowed list (strings are indexed too)."""
    elements = items if type(items) is list else [items[j] for j in range(len(items))]
    return [standardize_string(e) if type(e) is str else e for e in elements]


def answer_type(values: list) -> type | None:
    """The type of the first allowed value that is not ``""`` (BFCL's "variable" reference)."""
    for value in values:
        if value != "":
            return type(value)
    return None


_RESOLVED: dict[str, tuple[str, type]] = {  # type name or alias -> (BFCL name, Python type)
    **{name: (name, python) for name, python in TYPE_MAP.items()},
    **{alias: (name, TYPE_MAP[name]) for alias, name in TYPE_ALIASES.items()},
}


def grade_value(param: str, value: Any, prop: Any, values: list) -> Grade:
    """How one given parameter value fares against its doc entry and allowed ``values``.

    This is the hot path of every check, hence the inlined type lookup and ``answer_type``.
    """
    try:
        type_name, expected = _RESOLVED[prop["type"]]
        nested = _RESOLVED[prop["items"]["type"]][1] if type_name in NESTED_TYPES else None
    except (KeyError, TypeError) as exc:
        raise CheckerError(
            "checker_error:unsupported_type",
            f"parameter {param!r} has a type BFCL cannot check ({exc!r})",
        ) from exc
    if type_name == "tuple" and type(value) is tuple:
        value = list(value)
    if type_name == "float" and type(value) is int:
        try:
            value = float(value)
        except OverflowError as exc:
            raise CheckerError("checker_error:overflow", f"{param!r} is too large") from exc

    reference = None
    for allowed in values:
        if allowed != "":
            reference = type(allowed)
            break
    if type(value) is expected:
        is_variable = reference is not None and reference is not expected
        if nested is not None and not _elements_typed(value, values, nested):
            return (0, "type_error:nested" if type(value) is reference else "type_error:simple")
    elif reference is not None and type(value) is reference:
        is_variable = True
    else:
        return WRONG_TYPE

    if not is_variable:
        if expected is dict:
            return _check_dict(param, value, values)
        if expected is list and nested is dict:
            return _check_list_of_dicts(param, value, values)
        if expected is str:
            return _check_string(value, values)
        if expected is list:
            return _check_list(param, value, values)
    return CORRECT if value in values else (1, "value_error:others")


def explain(param: str, value: Any, prop: Any, values: list, error_type: str) -> str:
    """A readable account of a grade below 2 (built only for the error that is reported)."""
    if error_type.startswith("type_error"):
        wanted = prop.get("type") if isinstance(prop, dict) else None
        items = prop.get("items") if isinstance(prop, dict) else None
        if isinstance(items, dict) and "type" in items:
            wanted = f"{wanted} of {items['type']}"
        return f"parameter {param!r} should be {wanted}, got {type(value).__name__} {_short(value)}"
    hint = _HINTS.get(error_type, "")
    return f"parameter {param!r} has value {_short(value)}, expected one of {_short(values)}{hint}"


_HINTS = {
    "value_error:dict_key": " (keys differ)",
    "value_error:dict_value": " (a key's value differs)",
    "value_error:list_dict_count": " (wrong number of dicts)",
    "dict_checker:unclear": " (no dict allowed)",
}


def _short(value: Any, limit: int = 200) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _check_string(value: str, values: list) -> Grade:
    """BFCL's ``string_checker``; an exact match is tried first (it implies a standard one)."""
    if value in values:
        return CORRECT
    target = standardize_string(value)
    for allowed in values:
        if type(allowed) is str and standardize_string(allowed) == target:
            return CORRECT
    return (1, "value_error:string")


def _check_list(param: str, value: list, values: list) -> Grade:
    """BFCL's ``list_checker``: element-wise standardised equality with some allowed list."""
    try:
        allowed_lists = [_standardize_items(allowed) for allowed in values]
    except (TypeError, KeyError, IndexError) as exc:
        raise CheckerError(
            "checker_error:list_answer", f"an allowed value of {param!r} is not a list ({exc!r})"
        ) from exc
    if [standardize_string(v) if type(v) is str else v for v in value] in allowed_lists:
        return CORRECT
    return (1, "value_error:list/tuple")


def _elements_typed(value: list, allowed_values: list, nested: type) -> bool:
    """BFCL's nested check: every element fits some allowed list (any non-list allowed passes)."""
    for candidate in allowed_values:
        if type(candidate) is not list:
            return True
        element_type = answer_type(candidate)
        if all(type(v) is nested or type(v) is element_type for v in value):
            return True
    return False


def _check_dict(param: str, value: Any, candidates: Any) -> Grade:
    """BFCL's ``dict_checker``: some allowed dict accepts every key and value given."""
    try:
        return _check_dict_unguarded(value, candidates)
    except (TypeError, KeyError, IndexError, AttributeError) as exc:
        raise CheckerError(
            "checker_error:dict_answer", f"parameter {param!r} cannot be compared ({exc!r})"
        ) from exc


def _check_dict_unguarded(value: Any, candidates: Any) -> Grade:
    grade: Grade = (1, "dict_checker:unclear")
    for candidate in candidates:
        if candidate == "":
            continue
        grade = CORRECT
        for key, item in value.items():
            if key not in candidate:
                grade = (1, "value_error:dict_key")
                break
            standardized = standardize_string(item) if type(item) is str else item
            if standardized not in _standardize_items(candidate[key]):
                grade = (1, "value_error:dict_value")
                break
        for key, allowed in candidate.items():
            if key not in value and "" not in allowed:
                grade = (1, "value_error:dict_key")
                break
        if grade is CORRECT:
            return CORRECT
    return grade


def _check_list_of_dicts(param: str, value: list, candidates: list) -> Grade:
    """BFCL's ``list_dict_checker``: some allowed list matches dict by dict, in order."""
    grade: Grade = (1, "list_dict_checker:unclear")
    for candidate in candidates:
        try:
            count = len(candidate)
        except TypeError as exc:
            raise CheckerError(
                "checker_error:list_answer", f"parameter {param!r} has a non-list answer"
            ) from exc
        if len(value) != count:
            grade = (1, "value_error:list_dict_count")
            continue
        for index in range(count):
            grade = _check_dict(param, value[index], [_index(candidate, index, param)])
            if grade is not CORRECT:
                break
        else:
            return CORRECT
    return grade


def _index(candidate: Any, index: int, param: str) -> Any:
    try:
        return candidate[index]
    except (KeyError, IndexError, TypeError) as exc:
        raise CheckerError(
            "checker_error:list_answer", f"parameter {param!r} has an unindexable answer"
        ) from exc
