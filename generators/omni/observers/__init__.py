"""Omni-Detective's observer tools: programs that have heard and watched a clip and answer a
detective's questions about it, every answer stamped with times in the clip.

``asr`` (faster-whisper, Whisper tiny.en), ``ocr`` (tesseract), ``audio`` (numpy: loudness,
silences, pitch, onsets), ``video`` (OpenCV: cuts, colours, motion) and ``describe`` (all of
them as one timeline) analyse a clip once per media sha256 and answer any number of questions
from that analysis; ``observer_tools()`` gives them as agent-loop tools. The ``omni`` tool
(an audio-visual model) is ``omni_model``. Importing this package imports no heavy library.
"""

from datagen.generators.omni.observers.calls import NoAnswer, ObserverCall
from datagen.generators.omni.observers.observer import ObserverConfig
from datagen.generators.omni.observers.toolset import (
    TOOL_NAMES,
    Answer,
    Observers,
    observer_tools,
)
from datagen.generators.omni.requirements import MissingDependency

__all__ = [
    "TOOL_NAMES",
    "Answer",
    "MissingDependency",
    "NoAnswer",
    "ObserverCall",
    "ObserverConfig",
    "Observers",
    "observer_tools",
]
