"""TeaR tasks: the RL prompts of both variants, the base-model prompts, and balancing.

Each kept (function, input, output) is asked in up to two variants: ``code`` shows the
function's source, ``description`` only the engine's natural-language description of it (the
model must reason from the description). The published prompt is a chat message asking for
the return value, answered after ``Answer:`` (what ``verifiers.answer_match`` reads). The
embedded base model cannot follow that instruction, so the solve stage asks it the same
question as code to complete: ``assert f(x) == `` — it writes the value on that line.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

INSTRUCTION = (
    "Here is a Python function:\n\n```python\n{code}\n```\n\n"
    "What does `{call}` return? Reason step by step if you need to, then give the final answer "
    "as a Python literal on a last line of the form `Answer: <value>`."
)


DESCRIPTION_INSTRUCTION = (
    "A Python function is described as follows:\n\n{description}\n\n"
    "What does `{call}` return? Reason step by step if you need to, then give the final answer "
    "as a Python literal on a last line of the form `Answer: <value>`."
)
VARIANTS = ("code", "description")
"""``code``: the prompt shows the function; ``description``: only the engine's description."""


def build_messages(*, code: str, call: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": INSTRUCTION.format(code=code.strip(), call=call)}]


def build_description_messages(*, description: str, call: str) -> list[dict[str, str]]:
    content = DESCRIPTION_INSTRUCTION.format(description=description.strip(), call=call)
    return [{"role": "user", "content": content}]


def completion_prompt(*, code: str, call: str) -> str:
    """The question for a base model: the code, then an assert whose right side it completes."""
    return f"{code.strip()}\n\n\n# The value that {call} returns:\nassert {call} == "


def description_completion_prompt(*, description: str, call: str) -> str:
    """The no-code question for a base model: the description as a comment, then the assert."""
    return (
        f"# {' '.join(description.split())}\n\n# The value that {call} returns:\nassert {call} == "
    )


def solve_prompt(task: Mapping) -> str:
    """The base-model question of a task, in its variant."""
    if task["variant"] == "description":
        return description_completion_prompt(description=task["description"], call=task["call"])
    return completion_prompt(code=task["code"], call=task["call"])


def parse_variants(text: str) -> tuple[str, ...]:
    """``"code,description"`` → ``("code", "description")``: known names, no repeats, in order."""
    names = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    unknown = [name for name in names if name not in VARIANTS]
    if unknown or not names:
        raise ValueError(
            f"variants {text!r}: use a comma-separated subset of {', '.join(VARIANTS)}"
        )
    return tuple(name for name in VARIANTS if name in names)


def variant_tasks(
    code_tasks: Sequence[Mapping],
    descriptions: Mapping[str, str],
    *,
    variants: Sequence[str],
) -> list[dict]:
    """Every curated (code-variant) task in each requested variant, task by task.

    A description task exists only for a function the engine described usefully, and only
    for calls the description does not itself spell out (``f(3) returns 9`` would give the
    answer away); its id is the code task's id with ``:description`` for ``:code``, and it
    keeps the code and the expected answer (the prompt no longer shows the code).
    """
    built = []
    for task in code_tasks:
        if "code" in variants:
            built.append(dict(task))
        description = descriptions.get(task["function_id"])
        if "description" in variants and description and task["call"] not in description:
            built.append(
                dict(task)
                | {
                    "task_id": task["task_id"].removesuffix(":code") + ":description",
                    "variant": "description",
                    "description": description,
                    "prompt": build_description_messages(
                        description=description, call=task["call"]
                    ),
                }
            )
    return built


PASS_RATE_EDGES = (0.25, 0.5, 0.75)


def pass_rate_bucket(rate: float) -> str:
    """``"0"``, ``"(0,0.25)"``, ... ``"1"``: unsolved and always-solved tasks get their own."""
    if rate <= 0.0:
        return "0"
    if rate >= 1.0:
        return "1"
    lows = (0.0, *PASS_RATE_EDGES)
    highs = (*PASS_RATE_EDGES, 1.0)
    for low, high in zip(lows, highs, strict=True):
        if rate < high:
            return f"[{low:g},{high:g})" if low else f"(0,{high:g})"
    return "1"
