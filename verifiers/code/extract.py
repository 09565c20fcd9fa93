"""The code of a response: its first fenced block, else the whole response.

IFEvalCode's harness reads a response this way (``re.search`` for the first block, lazy on
both the info string and the body), so its scores are reproduced only if ours does too:
a later block, a longer block or the block of the "right" language is never preferred.
"""

from __future__ import annotations

import re

FENCED_BLOCK = re.compile(r"```.*?\n(.*?)```", re.DOTALL)
"""The released pattern: an opening fence, anything up to the first newline (the language
tag), then the shortest body up to the next fence. An unclosed block matches nothing."""


def extract_code(response: str) -> str:
    """The body of the first fenced block of ``response``, or all of it when it has none."""
    match = FENCED_BLOCK.search(response)
    return match.group(1) if match else response
