"""``FakeScriptedEngine``: a named fake for what cannot run here, a model that writes good text.

Spec ``fake:SCRIPT``. Stage logic, flows, schedules and Ray placement are tested on it in
seconds, where the embedded model takes minutes and writes mostly unusable text. Each text is
a function of the request (its prompt or messages, response format and seed) and the sample's
index, never of the request's place in the batch or of other requests, so the rows of a run
do not depend on sharding, retries or which worker ran a shard.

A script is a plain function ``(request, rng) -> text`` named in ``SCRIPTS``:

- ``toolpref``: an instance of the request's JSON Schema (ToolPref's call lists), values drawn
  from the user's words and numbers or made up, optional arguments sometimes left out: right
  and wrong calls, so candidates score differently and pairs form.
- ``tear``: TeaR's base-model prompts: a literal for ``assert f(x) == `` (one of the
  prompt's literals or a small number, so some answers are right), a one-line description for
  ``# Description: f(``, and a small function for a seed topic (``\\ndef``).
- ``example``: the worked example's arithmetic, right as often as a per-question skill says.
- ``agent``: agent turns by the plan its first user message names (``plan: search answer``;
  one step per assistant turn so far, the last repeated): ``search`` writes a tag call with
  words of the question and an observation of its own after it (which the stop string cuts),
  ``ask`` a JSON call, ``answer`` / ``caption`` a final turn, ``garbage`` a malformed one,
  ``flaky`` a search or garbage by the seed, ``ramble`` text that never closes a tag; any
  other word is a tag call of a tool of that name.

- ``a2search``: A²Search's agents and verifiers, reading the passages the search returned (see
  ``a2search_script``); it answers its own yes/no choices.
- ``ifevalcode``: IFEvalCode's forward picks, code and Chinese questions
  (``fake_ifevalcode.py``).
- ``critic``: a pairwise critic with a rule a test can follow by hand (``critic_script``).

Any other script answers a choice format with one of its choices and a JSON Schema with an
instance.

With ``fake:SCRIPT?native_tools=1`` (off by default, as for the embedded model), a
request that carries ``tools`` and no response format is answered as a server with a tool
parser answers, whatever the script: ``Completion.tool_calls`` (``native_calls``), or words.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import time
from collections.abc import Callable, Sequence
from typing import Any

from datagen.generators.engines.base import (
    Completion,
    EngineError,
    Request,
    Result,
    ToolCall,
)
from datagen.generators.engines.fake_ifevalcode import ifevalcode_script
from datagen.generators.engines.spec import EngineSpec

Script = Callable[[Request, random.Random], str]
CHARS_PER_TOKEN = 4
"""The fake's token: a text longer than ``max_tokens`` of these is cut, as a model's would be."""

_WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")
_NUMBER = re.compile(r"-?\b\d+(?:\.\d+)?\b")
_LITERAL = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"|-?\b\d+(?:\.\d+)?\b|\bTrue\b|\bFalse\b|\bNone\b")
_IDENTIFIER = re.compile(r"\b[a-z_][a-z0-9_]{2,}\b")
FUNCTIONS = (
    ("def {name}(n):\n    return n * 2\n", ["{name}(3)", "{name}(10)"]),
    ("def {name}(items):\n    return sorted(items)\n", ["{name}([3, 1, 2])"]),
    ("def {name}(text):\n    return text.upper()\n", ["{name}('abc')", "{name}('datagen')"]),
)


class FakeScriptedEngine:
    """Answers every request with its script's text; a fake, named so wherever it is used."""

    def __init__(
        self,
        script: str,
        *,
        name: str | None = None,
        native_tools: bool = False,
        delay: float = 0.0,
    ) -> None:
        """``delay``: seconds each ``generate`` call waits first (a slow engine, so that a
        test's run outlasts a schedule's interval)."""
        if script not in SCRIPTS:
            raise EngineError(
                f"fake engine: unknown script {script!r}; scripts: {', '.join(sorted(SCRIPTS))}"
            )
        self.script = SCRIPTS[script]
        self.answers_choices = script in CHOOSING_SCRIPTS
        self.name = name or f"fake:{script}"
        self.model = f"fake-scripted-{script}"
        self.native_tools = native_tools
        self.delay = delay

    @classmethod
    def from_spec(cls, spec: EngineSpec) -> FakeScriptedEngine:
        if unknown := sorted(set(spec.options) - {"native_tools", "delay"}):
            raise EngineError(
                f"fake engine: takes no options but native_tools and delay, got {unknown}"
            )
        native = spec.options.get("native_tools", "0")
        if native not in ("0", "1"):
            raise EngineError(f"fake engine: native_tools is 0 or 1, got {native!r}")
        try:
            delay = float(spec.options.get("delay", "0"))
        except ValueError:
            delay = -1.0
        if not 0 <= delay <= 3600:
            raise EngineError(
                f"fake engine: delay is seconds in [0, 3600], got {spec.options['delay']!r}"
            )
        return cls(spec.target, name=str(spec), native_tools=native == "1", delay=delay)

    def generate(self, requests: Sequence[Request]) -> list[Result]:
        if self.delay:
            time.sleep(self.delay)
        return [self._answer(request) for request in requests]

    def close(self) -> None:
        pass

    def _answer(self, request: Request) -> Result:
        prompt = _prompt_text(request)
        completions = []
        for index in range(request.sampling.n):
            rng = random.Random(_seed(request, prompt, index))
            if self.native_tools and request.tools and request.response_format is None:
                completions.append(_native_answer(request, rng))
                continue
            constrained = None if self.answers_choices else _constrained(request, rng)
            text = constrained or self.script(request, rng)
            for stop in request.sampling.stop:
                text = text.split(stop, 1)[0]
            budget = CHARS_PER_TOKEN * request.sampling.max_tokens
            finish = "length" if len(text) > budget else "stop"
            text = text[:budget]
            tokens = max(1, -(-len(text) // CHARS_PER_TOKEN))
            completions.append(
                Completion(text=text, finish_reason=finish, completion_tokens=tokens)
            )
        return Result(
            request_id=request.request_id,
            completions=tuple(completions),
            prompt_tokens=max(1, len(prompt) // CHARS_PER_TOKEN),
            model=self.model,
        )


def _prompt_text(request: Request) -> str:
    if request.prompt is not None:
        return request.prompt
    return "\n".join(str(m.get("content") or "") for m in request.messages)


def _seed(request: Request, prompt: str, index: int) -> int:
    shape = json.dumps(
        request.response_format.json_schema if request.response_format else None, sort_keys=True
    )
    payload = "\x1f".join([prompt, shape, str(request.sampling.seed), str(index)])
    return int.from_bytes(hashlib.sha256(payload.encode()).digest()[:8], "big")


def _constrained(request: Request, rng: random.Random) -> str | None:
    """A text that meets the request's response format, or None if it has none."""
    response_format = request.response_format
    if response_format is None:
        return None
    if response_format.kind == "choice":
        return rng.choice(response_format.choice)
    if response_format.kind == "json_schema":
        words = _user_values(request)
        value = schema_instance(response_format.json_schema or {}, rng, words)
        return json.dumps(value)
    raise EngineError("fake engine: regex response formats are not supported")


def _native_answer(request: Request, rng: random.Random) -> Completion:
    calls = native_calls(request, rng)
    if not calls:
        text = "No function fits that; here is my answer in words."
        tokens = -(-len(text) // CHARS_PER_TOKEN)
        return Completion(text=text, finish_reason="stop", completion_tokens=tokens)
    return Completion(
        text="", finish_reason="tool_calls", completion_tokens=8 * len(calls), tool_calls=calls
    )


def native_calls(request: Request, rng: random.Random) -> tuple[ToolCall, ...]:
    """Calls of the request's tools as a tool parser returns them, with a chat model's
    mistakes: usually one call with the user's values or made-up ones, sometimes two, an
    invented parameter or function, or no call at all (an answer in words)."""
    functions = [t["function"] for t in request.tools if isinstance(t.get("function"), dict)]
    if not functions or rng.random() < 0.15:
        return ()
    values = _user_values(request)
    calls = []
    for _ in range(2 if rng.random() < 0.15 else 1):
        function = rng.choice(functions)
        parameters = {"type": "object", **(function.get("parameters") or {})}
        arguments = schema_instance(parameters, rng, values)
        name = function["name"]
        if rng.random() < 0.1:
            arguments["extra"] = rng.choice(values or ["alpha"])
        elif rng.random() < 0.05:
            name += "_v2"
        calls.append(ToolCall(name=name, arguments=arguments))
    return tuple(calls)


def _user_values(request: Request) -> list[Any]:
    """Words and numbers of the last user message: the values a right call would use."""
    users = [m for m in request.messages if m.get("role") == "user"]
    text = str(users[-1].get("content") or "") if users else _prompt_text(request)
    numbers = [float(n) if "." in n else int(n) for n in _NUMBER.findall(text)]
    return [*numbers, *_WORD.findall(text)]


def schema_instance(schema: dict, rng: random.Random, values: Sequence[Any]) -> Any:
    """A value valid against ``schema`` (the subset ToolPref's call schemas use)."""
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return rng.choice(schema["enum"])
    if "anyOf" in schema:
        return schema_instance(rng.choice(schema["anyOf"]), rng, values)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = rng.choice(kind)
    if kind == "object":
        properties = schema.get("properties") or {}
        required = set(schema.get("required") or ())
        chosen = [p for p in properties if p in required or rng.random() < 0.5]
        return {p: schema_instance(properties[p], rng, values) for p in chosen}
    if kind == "array":
        low, high = schema.get("minItems", 0), schema.get("maxItems", 3)
        count = rng.randint(low, max(low, min(high, low + 2)))
        return [schema_instance(schema.get("items") or {}, rng, values) for _ in range(count)]
    picked = [v for v in values if _fits(kind, v, schema)]
    if picked and rng.random() < 0.7:
        return rng.choice(picked)
    return _made_up(kind, schema, rng)


def _fits(kind: Any, value: Any, schema: dict) -> bool:
    if kind == "string":
        return isinstance(value, str) and len(value) <= schema.get("maxLength", len(value))
    if kind == "integer":
        return isinstance(value, int)
    if kind == "number":
        return isinstance(value, int | float)
    return False


def _made_up(kind: Any, schema: dict, rng: random.Random) -> Any:
    if kind == "integer":
        return rng.randint(0, 100)
    if kind == "number":
        return round(rng.uniform(0, 100), 2)
    if kind == "boolean":
        return rng.random() < 0.5
    if kind == "null":
        return None
    if kind == "string" or kind is None:
        text = rng.choice(["alpha", "beta", "gamma", "delta", "omega"])
        return text[: schema.get("maxLength", len(text))]
    return None


def toolpref_script(request: Request, rng: random.Random) -> str:
    """Unconstrained ToolPref answers: a call to a function named in the prompt, as JSON."""
    names = [t["function"]["name"] for t in request.tools if "function" in t]
    names = names or re.findall(r'"name":\s*"([^"]+)"', _prompt_text(request))
    if not names:
        return "I cannot call a function for that."
    return json.dumps([{"name": rng.choice(names), "arguments": {}}])


def tear_script(request: Request, rng: random.Random) -> str:
    """TeaR's three base-model prompts, told apart by how they end."""
    prompt = _prompt_text(request)
    if prompt.endswith("== "):  # solve: the value a call returns
        literals = _LITERAL.findall(prompt.removesuffix("== "))  # the code's and the call's
        return rng.choice([*literals, str(rng.randint(0, 9))]) + "\n"
    if prompt.endswith("("):  # describe: "# Description: f(" continues with the signature
        words = [w for w in _IDENTIFIER.findall(prompt.rsplit("\n\n\n", 1)[-1]) if w != "def"]
        topic = " and ".join(rng.sample(words, k=min(2, len(words)))) or "its input"
        return f"x) returns a value computed from {topic} for the given input values.\n"
    if prompt.endswith("\ndef"):  # write: a function for the topic, then calls of it
        topic = prompt.rsplit("\n# ", 1)[-1].removesuffix("\ndef")
        name = "_".join(_IDENTIFIER.findall(topic.lower())[:2]) or "helper"
        code, calls = rng.choice(FUNCTIONS)
        body = code.format(name=name).removeprefix("def")
        return body + "\n" + "".join(f"print({c.format(name=name)})\n" for c in calls)
    return rng.choice(_WORD.findall(prompt) or ["ok"])


def example_script(request: Request, rng: random.Random) -> str:
    """The worked example's arithmetic: right as often as a per-question skill says."""
    prompt = _prompt_text(request)
    found = re.search(r"What is (\d+) ([+*]) (\d+)\?", prompt)
    if found is None:
        return " I do not know."
    a, op, b = int(found.group(1)), found.group(2), int(found.group(3))
    right = a + b if op == "+" else a * b
    skill = random.Random(prompt).choice([0.0, 0.25, 0.5, 0.75, 1.0])
    return f" {right if rng.random() < skill else right + rng.randint(1, 9)}"


def agent_script(request: Request, rng: random.Random) -> str:
    """Agent turns by the plan in the first user message; see the module's docstring."""
    users = [str(m.get("content") or "") for m in request.messages if m.get("role") == "user"]
    found = re.search(r"plan: ([a-z ]+)", users[0] if users else "")
    plan = found.group(1).split() if found else ["answer"]
    done = sum(m.get("role") == "assistant" for m in request.messages)
    step = plan[min(done, len(plan) - 1)]
    if users and "final answer" in users[-1]:
        step = "caption" if step in ("ask", "caption") else "answer"
    words = [w for w in _WORD.findall(users[0] if users else "") if w != "plan"] or ["thing"]
    query = f"{' '.join(rng.sample(words, k=min(2, len(words))))} {rng.randint(0, 999)}"
    if step == "flaky":
        step = "search" if rng.random() < 0.5 else "garbage"
    if step == "ask":
        return json.dumps({"tool_name": "observer", "question": query}) + " and more"
    if step == "answer":
        return f"<answer>{rng.choice(words)}</answer>"
    if step == "caption":
        return f"A scene with {query}."
    if step == "ramble":
        return " ".join(rng.choice(words) for _ in range(200))
    if step == "garbage":
        return "I am not sure what to do next."
    return f"I will look it up. <{step}>{query}</{step}>\n<result>made up</result>"


_BORDERS = re.compile(r"(.+?) shares land borders with (.+?)\.(?:\n|$)")
_KNOWN_AS = re.compile(r"is also known as (.+?)\.(?:\n|$)")
_CAPITAL = re.compile(r"The capital of .+? is (.+?)\. ")


def a2search_script(request: Request, rng: random.Random) -> str:
    """A²Search's search agents and evidence verifiers on the demo set, planting every case
    the pipeline must tell apart (a fake for a model that reads passages well).

    The agent searches the question's country, then (for border questions) the second
    neighbour's other names, then answers. With the ``default`` prompt it answers the
    reference written two other ways ("the Belize", which normalises to it, and "Belize
    (country)", which only a judge sees through), the second neighbour (a true alternative),
    that neighbour's longer name (an alias of it) and "Atlantis" (wrong: no passage says it);
    with the ``exhaustive`` prompt it never gives the reference (an agent configuration the
    filter must not trust). A verifier says yes when a document shown contains the candidate;
    a judge, when the other answer contains the reference.
    """
    texts = [str(m.get("content") or "") for m in request.messages]
    if request.response_format is not None and "\nOther answer: " in texts[-1]:  # the judge
        reference = texts[-1].split("\nReference answer: ", 1)[1].split("\n", 1)[0]
        other = texts[-1].split("\nOther answer: ", 1)[1].split("\n", 1)[0]
        return "yes" if reference.lower() in other.lower() else "no"
    if request.response_format is not None and request.response_format.kind == "choice":
        documents, _, candidate = texts[-1].partition("\nCandidate answer: ")
        candidate = candidate.split("\n", 1)[0].strip().lower()
        return "yes" if candidate and candidate in documents.lower() else "no"
    question = next((t.removeprefix("Question: ") for t in texts if t.startswith("Question: ")), "")
    results = [t for t in texts if t.startswith("<result>")]
    country = re.sub(
        r"^(What is the capital of|Name a country that borders|Which countries border) ",
        "",
        question,
    ).rstrip("?.")
    if not results:
        topic = "capital of" if question.startswith("What is the capital") else "borders"
        return f"<think>I should search.</think> <search>{country} {topic}</search>"
    if question.startswith("What is the capital"):
        found = _CAPITAL.search(results[0])
        return f"<answer>{found.group(1) if found else 'unknown'}</answer>"
    borders = next((m for m in _BORDERS.finditer(results[0]) if country in m.group(1)), None)
    neighbours = re.split(r", | and ", borders.group(2)) if borders else []
    if len(neighbours) >= 2 and len(results) == 1 and "final answer" not in texts[-1]:
        return f"<search>{neighbours[1]} also known as</search>"
    known_as = _KNOWN_AS.search(results[-1]) if len(results) > 1 else None
    aliases = re.split(r", | and ", known_as.group(1)) if known_as else []
    words = set(neighbours[1].split()) if len(neighbours) > 1 else {"-"}
    longer = [a for a in aliases if words < set(a.split())]  # "Republic of Guatemala"
    if "exhaustive" in texts[0] or "look for all of them" in texts[0]:
        return f"<answer>{'; '.join([*neighbours[2:3], 'Narnia'])}</answer>"
    items = [
        f"the {neighbours[0]}" if neighbours else "nothing",
        *(f"{n} (country)" for n in neighbours[:1]),  # the reference again, for a judge
        *neighbours[1:2],
        *longer[:1],
        "Atlantis",
    ]
    return (
        f"<think>{rng.choice(['Done.', 'That is all.'])}</think><answer>{'; '.join(items)}</answer>"
    )


_RESPONSES = re.compile(r"# Response 1\n(.*?)\n\n# Response 2\n(.*?)\n\n", re.DOTALL)


def critic_script(request: Request, rng: random.Random) -> str:
    """A critic of ToolPref's critique prompts, right on a subset a test can tell by hand: it
    prefers the response that makes a ``<tool_call>`` to one that does not, and when both or
    neither do it says 1 (a position bias). Told to answer at once (a prompt ending in
    ``/no_think``) it forgets the newlines, ``<choice>N</choice>``, which the strict parser
    refuses; a prompt without the two responses gets no choice at all."""
    found = _RESPONSES.search(_prompt_text(request))
    if found is None:
        return "<evaluation>I cannot find two responses to compare.</evaluation>"
    calls = ["<tool_call>" in response for response in found.groups()]
    choice = 2 if calls == [False, True] else 1
    evaluation = f"<evaluation>Response {choice} {rng.choice(['fits', 'is better'])}.</evaluation>"
    if _prompt_text(request).rstrip().endswith("/no_think"):
        return f"{evaluation}\n<choice>{choice}</choice>"
    return f"{evaluation}\n<choice>\n{choice}\n</choice>"


CHOOSING_SCRIPTS = frozenset({"a2search", "ifevalcode"})
"""Scripts that answer response formats themselves (A²Search's verifiers vote on evidence;
IFEvalCode's picks read the code)."""

SCRIPTS: dict[str, Script] = {
    "toolpref": toolpref_script,
    "tear": tear_script,
    "example": example_script,
    "agent": agent_script,
    "a2search": a2search_script,
    "ifevalcode": ifevalcode_script,
    "critic": critic_script,
}
