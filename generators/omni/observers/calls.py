"""What an observer call is: a question about a clip, and the observation when there is no answer.

A call's input is one of:

- a question (``str``), when the tools were built for one clip (``observer_tools(clip=...)``);
- ``InContext(clip, question)``: the agent loop's call of a task whose ``tool_context`` is
  its clip (the detective's, one loop over many clips);
- an object with ``clip`` and ``question`` attributes (the ``omni`` tool's ``OmniQuestion``);
- a mapping ``{"clip": clip, "question": q}``, or a clip record with a ``question`` key added.

A clip is a clip record of the media reader (``path``; ``media_sha256``, ``clip_id`` when
known); a clip without ``media_sha256`` is hashed from its file. A call that cannot be answered
is observed as ``error: <reason>: <why>`` (or ``timeout: <reason>: ...``), never raised, so
the other calls of the batch are answered.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from datagen.generators.agent.tools import InContext

Clip = Mapping[str, Any]


class NoAnswer(Exception):
    """Why a call gets no answer: ``reason`` is a snake_case code, the message says why."""

    def __init__(self, reason: str, message: str, *, kind: str = "error") -> None:
        super().__init__(message)
        self.reason, self.kind = reason, kind

    def observation(self) -> str:
        """What the detective reads instead of an answer: ``<kind>: <reason>: <why>``."""
        return f"{self.kind}: {self.reason}: {self}"


@dataclass(frozen=True)
class ObserverCall:
    """One question about one media file."""

    path: Path
    media_sha256: str
    question: str
    clip_id: str
    clip: Clip = field(default_factory=dict, compare=False)
    """The clip record the call gave (the ``omni`` tool reads its streams and duration)."""


def read_call(given: Any, bound: Clip | None = None) -> ObserverCall:
    """The call ``given`` makes, or ``NoAnswer("bad_input", ...)``."""
    clip: Any
    if isinstance(given, str):
        if bound is None:
            raise NoAnswer(
                "bad_input",
                "these observer tools have no clip of their own and the call gave only a "
                "question; build them with observer_tools(clip=...) or call them with "
                "{'clip': clip, 'question': question}",
            )
        clip, question = bound, given
    elif isinstance(given, InContext):  # the agent loop's call of a task with its clip
        clip, question = given.context, given.input
    elif isinstance(given, Mapping):
        clip = given.get("clip", given)
        question = given.get("question")
    elif hasattr(given, "clip") and hasattr(given, "question"):
        clip, question = given.clip, given.question
    else:
        raise NoAnswer("bad_input", f"a call's input is a question, got {type(given).__name__}")
    if not isinstance(question, str) or not question.strip():
        raise NoAnswer("bad_input", "the question is empty")
    if not isinstance(clip, Mapping) or not clip.get("path"):
        raise NoAnswer("bad_input", "the clip record has no 'path'")
    path = Path(clip["path"])
    if not path.is_file():
        raise NoAnswer("unreadable_media", f"no file at {path}")
    sha256 = clip.get("media_sha256")
    if not sha256:
        from datagen.generators.omni.media import file_sha256  # the reader's; it imports pyarrow

        sha256 = file_sha256(path)
    clip_id = str(clip.get("clip_id", path.name))
    return ObserverCall(path, str(sha256), question.strip(), clip_id, clip)
