"""The Omni-Detective recipe: its options, checked when the config is built."""

from __future__ import annotations

from dataclasses import dataclass

from datagen.generators.config import option, require
from datagen.generators.engines.spec import parse_engine_spec
from datagen.generators.recipes import GENERIC_PLOTS, CardSpec, PlotSpec, Recipe

AT_LEAST_ONE = ("inquiries", "turn_tokens", "shard_size", "cloze_blanks")


@dataclass(frozen=True, kw_only=True)
class OmniDetectiveConfig:
    source: str = option(
        "demo",
        "'demo' (clips made at run time, with a manifest of their content), hf:NAME[:SPLIT] "
        "(an audio dataset), or a folder of wav, mp3, flac, mp4, mkv or webm files.",
    )
    limit: int | None = option(None, "Caption the first N clips.")
    engine: str = option(
        "embedded", "The detective's engine: embedded | openai:URL?model=M | vllm:MODEL."
    )
    inquiries: int = option(
        4, "Questions the detective asks after the first 'describe' (the released code: 10)."
    )
    turn_tokens: int = option(
        320, "Token budget of each turn; inquiries end with their JSON, the caption uses it."
    )
    temperature: float = option(0.7, "Sampling temperature of the detective.")
    tool_seconds: float = option(120.0, "Wall time one tool batch may take per turn.")
    judge: str | None = option(
        None,
        "An engine that also judges each caption sentence against the observations, a second "
        "hallucination figure beside the rule check (e.g. embedded); none by default.",
    )
    cloze_blanks: int = option(6, "Most Omni-Cloze blanks per caption.")
    distractor_engine: str | None = option(
        None,
        "An engine that writes Omni-Cloze distractors where the run's other captions hold too "
        "few of the same kind (e.g. embedded); else they are rule-made.",
    )
    seed: int = option(0, "Run seed; every turn's seed derives from it.")
    shard_size: int = option(4, "Clips per shard (the unit of batching and resume).")

    def __post_init__(self) -> None:
        require(self.limit is None or self.limit >= 0, f"limit must be >= 0, got {self.limit}")
        for name in AT_LEAST_ONE:
            require(getattr(self, name) >= 1, f"{name} must be >= 1, got {getattr(self, name)}")
        require(self.tool_seconds > 0, f"tool_seconds must be > 0, got {self.tool_seconds}")
        for spec in (self.engine, self.judge, self.distractor_engine):
            if spec is not None:
                parse_engine_spec(spec, known_kind=False)


CARD = CardSpec(
    title="Omni-Detective captions",
    summary="Detailed, chronological captions of audio and video clips, each with its "
    "evidence trail, the ASR transcript, a hallucination check and Omni-Cloze items.",
    method="Omni-Detective: a detective engine that never hears or sees a clip asks observer "
    "tools (ASR, OCR, audio, video, an omni model) about it, then writes the caption from "
    "their observations; every sentence is checked against them.",
    paper="https://arxiv.org/abs/2510.12720",
    verifiers="The hallucination check flags a sentence whose numbers, names, quotes or "
    "content words no observation supports (`--judge` adds an engine's verdict); Omni-Cloze "
    "blanks score captions with `datagen eval cloze`.",
    task_categories=("audio-text-to-text", "video-text-to-text"),
    tags=("captioning", "audio", "video", "agent"),
    plots=(
        PlotSpec(name="hallucination", title="Omni hallucination rate (flagged sentences "
                 "per caption)", kind="hist", column="hallucination.flagged_share", bins=10),
        PlotSpec(name="modalities", title="Clips per modality", kind="bar", column="modality"),
        PlotSpec(name="durations", title="Clip duration (s)", kind="hist", column="duration_s"),
        PlotSpec(name="evidence", title="Observations per caption", kind="length",
                 column="evidence"),
        PlotSpec(name="finish-reasons", title="Why trajectories ended", kind="bar",
                 column="finish_reason"),
        GENERIC_PLOTS[-1],
    ),
)  # fmt: skip

RECIPE = Recipe(
    name="omni-detective",
    dataset="omni-detective",
    config=OmniDetectiveConfig,
    flow="datagen.flows.omni_detective:omni_detective",
    help="Caption audio and video with Omni-Detective: a detective engine asks observer "
    "tools (speech, OCR, sound, video) about each clip, then writes a detailed caption, "
    "checked sentence by sentence against what the tools observed.",
    card=CARD,
)
