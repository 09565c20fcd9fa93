"""BFCL's per-parameter rules (Python semantics), re-implemented for ``toolcall``.

Mirrors ``bfcl_eval.eval_checker.ast_eval.ast_checker`` (bfcl-eval 2026.3.23): the type map,
int-to-float promotion, exact ``type(x) is T`` checks (so ``True`` is not an ``int``), the
one-level nested type check of arrays, the "variable" quirk (a value whose type matches the
ground truth's instead of the doc's is compared raw), ``standardize_string`` and the string,
list, dict and list-of-dict value checkers. Where BFCL's own code would raise on an input
(unknown type name, missing ``items``, a ground-truth shape its indexing cannot handle, a
non-dict inside a list of dicts), :class:`CheckerError` is raised instead, and ``toolcall``
turns it into an invalid verdict. Strings are compared raw before being standardised (equal
strings stay equal after standardising), which skips most of BFCL's regex work. Each
parameter's check is compiled once per task (``compile_rule``): the type lookup, the "variable"
reference type and the standardised answers are worked out before any value is seen.
"""

from __future__ import annotations

from collections.abc import Callable
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

_STRIPPED = " ,./-_*^"
_STRIP = str.maketrans("", "", _STRIPPED)
_STRIP_BYTES = _STRIPPED.encode()

Grade = tuple[int, str]
"""``(grade, error_type)``: grade 0 wrong type, 1 right type but wrong value, 2 right."""

Rule = Callable[[Any], Grade]
"""One parameter's compiled check: given value -> grade."""

CORRECT: Grade = (2, "")
WRONG_TYPE: Grade = (0, "type_error:simple")
NESTED_TYPE: Grade = (0, "type_error:nested")
OTHER_VALUE: Grade = (1, "value_error:others")
STRING_VALUE: Grade = (1, "value_error:string")
LIST_VALUE: Grade = (1, "value_error:list/tuple")


class CheckerError(Exception):
    """An input on which BFCL's checker raises; ``error_type`` says which rule could not run."""

    def __init__(self, error_type: str, detail: str) -> None:
        super().__init__(f"{error_type}: {detail}")
        self.error_type = error_type
        self.detail = detail


def standardize_string(text: str) -> str:
    """BFCL's normalisation: drop `` ,./-_*^``, lowercase, and turn ``'`` into ``"``.

    ASCII text goes through ``bytes.translate``, about twice as fast as ``str.translate``.
    (A memo of standardised texts was measured to gain nothing once it no longer carried over
    from one benchmark round to the next: most values are standardised once per task.)
    """
    if text.isascii():
        return text.encode().translate(None, _STRIP_BYTES).lower().replace(b"'", b'"').decode()
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


def compile_rule(param: str, prop: Any, values: list) -> Rule:
    """How a given value of ``param`` fares against its doc entry ``prop`` and allowed ``values``.

    Everything that does not depend on the value (the type lookup, the "variable" reference
    type, the standardised allowed strings and lists) is worked out here, once per task; the
    returned rule is the hot path of every check. Where BFCL's code would raise for the value,
    the rule raises ``CheckerError``.
    """
    try:
        type_name, expected = _RESOLVED[prop["type"]]
        nested = _RESOLVED[prop["items"]["type"]][1] if type_name in NESTED_TYPES else None
    except (KeyError, TypeError) as exc:
        return _raising(
            "checker_error:unsupported_type",
            f"parameter {param!r} has a type BFCL cannot check ({exc!r})",
        )
    reference = answer_type(values)
    if nested is None and expected is not dict and expected is not list:
        return _scalar_rule(param, type_name, expected, reference, values)
    as_list = type_name == "tuple"
    element_types = None if nested is None else _element_types(values)
    check_value = _value_check(param, expected, nested, values)

    def rule(value: Any) -> Grade:
        if as_list and type(value) is tuple:
            value = list(value)
        kind = type(value)
        if kind is expected:
            if element_types is not None and not _elements_typed(value, nested, element_types):
                return NESTED_TYPE if kind is reference else WRONG_TYPE
            if reference is None or reference is expected:
                return check_value(value)
        elif kind is not reference:
            return WRONG_TYPE
        return CORRECT if value in values else OTHER_VALUE

    return rule


def _scalar_rule(
    param: str, type_name: str, expected: type, reference: type | None, values: list
) -> Rule:
    """The rule of a string, number or boolean parameter (most of them), kept short.

    A value of the doc's type or of the answer's ("variable") type is compared raw with the
    allowed values, except a string of a string parameter whose answer is not a "variable":
    that one goes through BFCL's ``string_checker``.
    """
    if expected is str and (reference is None or reference is str):
        standard: set[str] | None = None  # the allowed strings standardised, when first needed

        def string_rule(value: Any) -> Grade:
            nonlocal standard
            if type(value) is not str:
                return WRONG_TYPE
            if value in values:
                return CORRECT
            if standard is None:
                standard = {standardize_string(a) for a in values if type(a) is str}
            return CORRECT if standardize_string(value) in standard else STRING_VALUE

        return string_rule
    promote = type_name == "float"

    def scalar_rule(value: Any) -> Grade:
        kind = type(value)
        if promote and kind is int:
            value, kind = _promote(param, value), float
        if kind is expected or kind is reference:
            return CORRECT if value in values else OTHER_VALUE
        return WRONG_TYPE

    return scalar_rule


def _raising(error_type: str, detail: str) -> Rule:
    def rule(value: Any) -> Grade:
        raise CheckerError(error_type, detail)

    return rule


def _promote(param: str, value: int) -> float:
    """BFCL's int-to-float promotion (an int too large for a float makes BFCL raise)."""
    try:
        return float(value)
    except OverflowError as exc:
        raise CheckerError("checker_error:overflow", f"{param!r} is too large") from exc


def _value_check(param: str, expected: type, nested: type | None, values: list) -> Rule:
    """BFCL's value checker for a dict or list of the doc's type (not a "variable")."""
    if expected is dict:
        return lambda value: _check_dict(param, value, values)
    if nested is dict:
        return lambda value: _check_list_of_dicts(param, value, values)
    return _list_check(param, values)


def _list_check(param: str, values: list) -> Rule:
    """BFCL's ``list_checker``: element-wise standardised equality with some allowed list."""
    try:
        allowed_lists = [_standardize_items(allowed) for allowed in values]
    except (TypeError, KeyError, IndexError) as exc:
        return _raising(
            "checker_error:list_answer", f"an allowed value of {param!r} is not a list ({exc!r})"
        )

    def check(value: list) -> Grade:
        if [standardize_string(v) if type(v) is str else v for v in value] in allowed_lists:
            return CORRECT
        return LIST_VALUE

    return check


def _element_types(values: list) -> tuple | None:
    """Each allowed list's element type for BFCL's nested check; None when it always passes
    (an allowed value that is not a list accepts any elements)."""
    if any(type(candidate) is not list for candidate in values):
        return None
    return tuple(answer_type(candidate) for candidate in values)


def _elements_typed(value: list, nested: type, element_types: tuple) -> bool:
    """BFCL's nested check: every element has the items' type or some allowed list's."""
    for element_type in element_types:
        if all(type(v) is nested or type(v) is element_type for v in value):
            return True
    return False


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
