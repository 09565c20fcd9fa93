"""The pairwise critique reward: did the critic pick the response the label says is better?

A critique ends with its verdict in a tag, ``<choice>\\n1\\n</choice>`` or ``2``. Only
whitespace may surround the digit inside the tag; the last well-formed tag counts, so a critic
may think aloud ("<choice>1</choice> at first glance...") and then settle on its answer.
"""

from __future__ import annotations

import re
from typing import Any

from datagen.verifiers.ground_truth import plain
from datagen.verifiers.verdict import Verdict

_CHOICE = re.compile(r"<choice>\s*([12])\s*</choice>")
_ANY_CHOICE = re.compile(r"<choice>")
_CHOICES = (1, 2)


def parse_choice(text: Any) -> int | None:
    """The last well-formed ``<choice>1|2</choice>`` in ``text`` as an int, else None."""
    if not isinstance(text, str):
        return None
    choices = _CHOICE.findall(text)
    return int(choices[-1]) if choices else None


def critique_reward(completion: str, label: int | str) -> Verdict:
    """1.0 if the completion's choice equals ``label`` (1 or 2, as int or text), else 0.0.

    Reasons: ``correct``, ``wrong_choice``, ``no_choice_tag`` (no ``<choice>`` at all),
    ``invalid_choice`` (a ``<choice>`` tag, but none holding just 1 or 2) and
    ``invalid_label`` (the label is not 1 or 2; a caller's data error, still scored 0).
    """
    expected = _label(label)
    if expected is None:
        return Verdict(0.0, False, f"invalid_label: expected 1 or 2, got {label!r:.50}")
    choice = parse_choice(completion)
    if choice is None:
        if isinstance(completion, str) and _ANY_CHOICE.search(completion):
            return Verdict(0.0, False, "invalid_choice: no <choice> tag holds just 1 or 2")
        kind = "text" if isinstance(completion, str) else type(completion).__name__
        return Verdict(0.0, False, f"no_choice_tag: the {kind} has no <choice> tag")
    if choice == expected:
        return Verdict(1.0, True, "correct")
    return Verdict(0.0, False, f"wrong_choice: chose {choice}, label is {expected}")


def _label(label: Any) -> int | None:
    """1 or 2 from an integer (NumPy's too, not a bool), an integral float or text, else None."""
    label = plain(label)
    if isinstance(label, int) and not isinstance(label, bool):
        return int(label) if int(label) in _CHOICES else None
    if isinstance(label, str) and label.strip() in ("1", "2"):
        return int(label.strip())
    return None
