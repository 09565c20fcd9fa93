"""The ``fake:ifevalcode`` script: IFEvalCode's forward picks, code and Chinese questions, as a
model that reads code well would write them (a fake, for what the embedded model cannot do).

- **Pick** (the JSON Schema request): reads the passing solution and the menu from the prompt
  and, for each of the schema's slots, picks a constraint that solution already meets with
  probability 0.9 and one it breaks otherwise (by the checker library's own decisions), so
  some forward rows are kept and some are quarantined by the keep stage.
- **Write**: answers with the passing solution the prompt shows, unchanged.
- **Translate**: a Chinese sentence that keeps every ``code`` span and number of the English,
  so it passes the translation checks; ``[garble]`` in the question makes it answer English.
"""

from __future__ import annotations

import json
import random
import re

from datagen.generators.engines.base import Request
from datagen.generators.ifevalcode.forward import LANGUAGE_NAMES, menu
from datagen.verifiers.code.extract import extract_code
from datagen.verifiers.constraints import decide

MEETS_SHARE = 0.9
_LANGUAGE = re.compile(r"^Problem \((.+?)\):", re.MULTILINE)
_CODE_SPAN = re.compile(r"`[^`\n]+`")
_NUMBER = re.compile(r"\d+")
_BY_NAME = {name: language for language, name in LANGUAGE_NAMES.items()}


def ifevalcode_script(request: Request, rng: random.Random) -> str:
    user = str(request.messages[-1].get("content") or "")
    if request.response_format is not None:
        return _pick(request, user, rng)
    if "follows every instruction" in user:
        return f"Here is the solution:\n\n```\n{extract_code(user)}\n```"
    if "[garble]" in user:
        return "Write a function."
    spans = " ".join(_CODE_SPAN.findall(user))
    numbers = " ".join(_NUMBER.findall(_CODE_SPAN.sub("", user)))
    return f"编写一个程序，完成题目要求。相关代码：{spans}。数字：{numbers}。请遵守以上全部要求。"


def _pick(request: Request, user: str, rng: random.Random) -> str:
    schema = request.response_format.json_schema if request.response_format else None
    count = int((schema or {})["properties"]["instructions"]["minItems"])
    found = _LANGUAGE.search(user)
    language = _BY_NAME[found.group(1)] if found else "python"
    options = menu(language)
    verdicts = decide(extract_code(user), language, list(options.values()))
    meets = [key for key, ok in zip(options, verdicts, strict=True) if ok]
    breaks = [key for key, ok in zip(options, verdicts, strict=True) if not ok]
    picked: list[str] = []
    used: set[str] = set()
    for _ in range(count):
        pool = meets if rng.random() < MEETS_SHARE or not breaks else breaks
        fresh = [key for key in pool if options[key].rule.slot not in used] or pool
        choice = rng.choice(fresh)
        picked.append(choice)
        used.add(options[choice].rule.slot)
    return json.dumps({"instructions": picked})
