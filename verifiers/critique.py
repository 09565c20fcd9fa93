"""The pairwise critique reward: did the critic pick the response the label says is better?

A critique ends with its verdict in a tag, ``<choice>\\n1\\n</choice>`` or ``2``. Two parsers:

- ``strict``, ToolRM's released reward (``train/toolrm_reward_function.py``): the *first*
  ``<choice>\\n…\\n</choice>``, newlines required, must hold just 1 or 2. Training with the
  reward the paper used keeps results comparable, and the fixed form is easy to check.
- ``lenient``: the *last* well-formed ``<choice>1|2</choice>``, any whitespace around the
  digit, so a critic may think aloud ("<choice>1</choice> at first glance...") and then
  settle on its answer. Rows written before the parser was recorded (critique.v1) use it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from datagen.verifiers.ground_truth import plain
from datagen.verifiers.verdict import Verdict

PARSERS = ("strict", "lenient")
DEFAULT_PARSER = "lenient"
"""The parser of a row that names none (every critique.v1 row)."""

_CHOICE = re.compile(r"<choice>\s*([12])\s*</choice>")
_STRICT_CHOICE = re.compile(r"<choice>\n(.*?)\n</choice>", re.DOTALL)
_ANY_CHOICE = re.compile(r"<choice>")
_CHOICES = (1, 2)


def parse_choice(text: Any, *, parser: str = DEFAULT_PARSER) -> int | None:
    """The choice in ``text`` as an int (``parser``: ``strict`` or ``lenient``), else None."""
    if not isinstance(text, str):
        return None
    if parser == "strict":
        match = _STRICT_CHOICE.search(text)
        found = match.group(1).strip() if match else None
        return int(found) if found in ("1", "2") else None
    choices = _CHOICE.findall(text)
    return int(choices[-1]) if choices else None


def critique_reward(completion: str, label: int | str, *, parser: str = DEFAULT_PARSER) -> Verdict:
    """1.0 if the completion's choice equals ``label`` (1 or 2, as int or text), else 0.0.

    Reasons: ``correct``, ``wrong_choice``, ``no_choice_tag`` (no ``<choice>`` at all),
    ``invalid_choice`` (a ``<choice>`` tag, but none the parser accepts: the strict one names
    the form it wants), ``invalid_label`` (the label is not 1 or 2) and ``invalid_parser``
    (neither ``strict`` nor ``lenient``); the last two are a caller's data error, still
    scored 0.
    """
    if parser not in PARSERS:
        return Verdict(
            0.0, False, f"invalid_parser: expected strict or lenient, got {parser!r:.50}"
        )
    expected = _label(label)
    if expected is None:
        return Verdict(0.0, False, f"invalid_label: expected 1 or 2, got {label!r:.50}")
    choice = parse_choice(completion, parser=parser)
    if choice is None:
        if isinstance(completion, str) and _ANY_CHOICE.search(completion):
            wanted = (
                "the first <choice>\\n…\\n</choice> does not hold just 1 or 2"
                if parser == "strict"
                else "no <choice> tag holds just 1 or 2"
            )
            return Verdict(0.0, False, f"invalid_choice: {wanted}")
        kind = "text" if isinstance(completion, str) else type(completion).__name__
        return Verdict(0.0, False, f"no_choice_tag: the {kind} has no <choice> tag")
    if choice == expected:
        return Verdict(1.0, True, "correct")
    return Verdict(0.0, False, f"wrong_choice: chose {choice}, label is {expected}")


def critique_options(extra_info: Any) -> dict[str, Any]:
    """The reward's options from a row's ``extra_info``: its ``parser``, if it names one
    (verl and TRL hand ``extra_info`` over as a dict; anything else names none)."""
    if isinstance(extra_info, Mapping) and extra_info.get("parser") is not None:
        return {"parser": plain(extra_info["parser"])}
    return {}


def _label(label: Any) -> int | None:
    """1 or 2 from an integer (NumPy's too, not a bool), an integral float or text, else None."""
    label = plain(label)
    if isinstance(label, int) and not isinstance(label, bool):
        return int(label) if int(label) in _CHOICES else None
    if isinstance(label, str) and label.strip() in ("1", "2"):
        return int(label.strip())
    return None
