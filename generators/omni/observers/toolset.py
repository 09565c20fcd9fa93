"""The observers as agent-loop tools: one batch per tool per turn, one analysis per clip.

``observer_tools()`` is what the detective's loop is given. A tool's batch parses every call,
starts (or finds, cached or running) one analysis per distinct clip, waits for them until a
little before the tool's ``timeout_s``, and answers each call from its clip's analysis. A call
whose clip is not analysed by then is observed as ``timeout: analysis_timeout: ...`` while the
analysis goes on, so a later question about that clip is answered from it; a corrupt file, a
missing program and a bad call are observed as ``error: <reason>: ...``. The other calls of
the batch are answered either way.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Sequence
from concurrent.futures import Future, wait
from dataclasses import dataclass, field
from typing import Any

from datagen.generators.agent.tools import Tool
from datagen.generators.omni.observers import asr, audio, decode, describe, ocr, video
from datagen.generators.omni.observers.cache import Analysis, AnalysisCache, analysis_key
from datagen.generators.omni.observers.calls import Clip, NoAnswer, ObserverCall, read_call
from datagen.generators.omni.observers.observer import Context, Observer, ObserverConfig
from datagen.generators.omni.observers.timeline import Event, answer_text, select, stamp
from datagen.generators.omni.requirements import MissingDependency, require_program

_ALL = (describe.OBSERVER, asr.OBSERVER, ocr.OBSERVER, audio.OBSERVER, video.OBSERVER)
OBSERVERS: dict[str, Observer] = {o.name: o for o in _ALL}
TOOL_NAMES = tuple(OBSERVERS)
PROBE_VERSION = 1


@dataclass(frozen=True)
class Answer:
    """What one call observed: the text the detective reads, and the events behind it."""

    text: str
    events: list[Event] = field(default_factory=list)
    error: str | None = None
    """``<reason>`` when the call got no answer (``analysis_timeout``, ``unreadable_media``...)."""


def answer_within(timeout_s: float) -> float:
    """How long a batch waits for analyses: its tool's timeout, less a margin to answer in."""
    return timeout_s - min(1.0, 0.1 * timeout_s)


class Observers:
    """The observers of one process, sharing one analysis cache and one ``ObserverConfig``."""

    def __init__(
        self,
        config: ObserverConfig | None = None,
        *,
        clip: Clip | None = None,
        cache: AnalysisCache | None = None,
    ) -> None:
        self.config = config or ObserverConfig()
        self.clip = clip
        """The clip a bare-question call is about (``observer_tools(clip=...)``)."""
        self.cache = cache or AnalysisCache(self.config.cache_dir, workers=self.config.workers)

    def tools(self, names: Sequence[str] = TOOL_NAMES) -> list[Tool]:
        """The agent-loop tools of ``names``, sharing this cache."""
        return [self.tool(name) for name in names]

    def tool(self, name: str) -> Tool:
        """Observer ``name`` as an agent-loop tool: a batch of calls in, one text each out."""
        observer = self._observer(name)

        def run(inputs: list[Any]) -> list[str]:
            return [answer.text for answer in self.ask(name, inputs)]

        return Tool(
            name=name, description=observer.description, run=run, timeout_s=self.config.timeout_s
        )

    def missing(self, names: Sequence[str] = TOOL_NAMES) -> list[str]:
        """What is not installed for ``names``, one message each (empty: all there)."""
        checks = [lambda: require_program("ffprobe")]
        checks.append(lambda: require_program("ffmpeg", self.config.ffmpeg))
        for name in names:
            parts = describe.PARTS if name == "describe" else [self._observer(name)]
            checks += [lambda part=part: part.requires(self.config) for part in parts]
        problems = []
        for check in checks:
            try:
                check()
            except MissingDependency as exc:
                problems.append(str(exc))
        return list(dict.fromkeys(problems))

    def ask(self, name: str, inputs: Sequence[Any]) -> list[Answer]:
        """One answer per input, in order, within ``answer_within(config.timeout_s)``."""
        observer = self._observer(name)
        budget = answer_within(self.config.timeout_s)
        deadline = time.monotonic() + budget
        calls: list[ObserverCall | Answer] = []
        for given in inputs:
            try:
                calls.append(read_call(given, self.clip))
            except NoAnswer as exc:
                calls.append(Answer(exc.observation(), error=exc.reason))
        futures: dict[str, Future] = {}
        for call in calls:
            if isinstance(call, ObserverCall):
                key = self._key(observer, call)
                if key not in futures:
                    compute = lambda call=call: self._compute(observer, call)  # noqa: E731
                    futures[key] = self.cache.start(name, key, compute, persist=observer.persist)
        wait(list(futures.values()), timeout=max(0.0, deadline - time.monotonic()))
        answers = []
        for call in calls:
            if isinstance(call, Answer):
                answers.append(call)
                continue
            future = futures[self._key(observer, call)]
            if not future.done():
                message = (
                    f"the {name} analysis of clip {call.clip_id!r} did not finish within "
                    f"{budget:g} s; it goes on, so the same question asked later may be answered"
                )
                failure = NoAnswer("analysis_timeout", message, kind="timeout")
                answers.append(Answer(failure.observation(), error=failure.reason))
            else:
                answers.append(self._answer(observer, call, future))
        return answers

    def analysis(self, name: str, call: ObserverCall) -> Analysis:
        """``name``'s analysis of the call's clip, made here if it is not cached."""
        if name == "probe":
            key = analysis_key("probe", PROBE_VERSION, {}, call.media_sha256)
            timeout_s = self.config.process_timeout_s
            probe = functools.partial(decode.probe, call.path, timeout_s=timeout_s)
            return self.cache.get("probe", key, probe)
        observer = self._observer(name)
        key = self._key(observer, call)
        return self.cache.get(
            name, key, lambda: self._compute(observer, call), persist=observer.persist
        )

    def _observer(self, name: str) -> Observer:
        if name not in OBSERVERS:
            raise ValueError(f"no observer {name!r}; there are {', '.join(OBSERVERS)}")
        return OBSERVERS[name]

    def _key(self, observer: Observer, call: ObserverCall) -> str:
        params = observer.params(self.config)
        return analysis_key(observer.name, observer.version, params, call.media_sha256)

    def _compute(self, observer: Observer, call: ObserverCall) -> Analysis:
        observer.requires(self.config)
        probe = self.analysis("probe", call)
        context = Context(call, self.config, probe, lambda other: self.analysis(other, call))
        return {"duration_s": float(probe["duration_s"]), **observer.analyse(context)}

    def _answer(self, observer: Observer, call: ObserverCall, future: Future) -> Answer:
        try:
            analysed = future.result()
        except NoAnswer as exc:
            return Answer(exc.observation(), error=exc.reason)
        except MissingDependency as exc:
            return Answer(f"error: missing_dependency: {exc}", error="missing_dependency")
        except Exception as exc:  # an analysis that breaks is that call's observation
            text = f"error: analysis_failed: {type(exc).__name__}: {exc}"
            return Answer(text, error="analysis_failed")
        duration = analysed["duration_s"]
        if "absent" in analysed:
            return Answer(f"{stamp(0.0, duration)} {analysed['absent']}.")
        chosen = select(
            observer.events(analysed), call.question, duration_s=duration, topics=observer.topics
        )
        heading = observer.heading(analysed)
        text = answer_text(chosen, heading=heading, duration_s=duration, nothing=observer.nothing)
        return Answer(text, chosen.events)


def observer_tools(
    cache_dir: str | None = None,
    *,
    timeout_s: float = 120.0,
    clip: Clip | None = None,
    names: Sequence[str] = TOOL_NAMES,
    check: bool = True,
    config: ObserverConfig | None = None,
) -> list[Tool]:
    """The observer tools (``describe``, ``asr``, ``ocr``, ``audio``, ``video``) sharing one
    cache; with ``check``, ``MissingDependency`` naming everything they lack, before any work.
    A ``config`` holds every setting (``cache_dir`` and ``timeout_s`` are then not used)."""
    if config is None:
        config = ObserverConfig(cache_dir=cache_dir, timeout_s=timeout_s)
    observers = Observers(config, clip=clip)
    if check and (problems := observers.missing(names)):
        raise MissingDependency("; ".join(problems))
    return observers.tools(names)
