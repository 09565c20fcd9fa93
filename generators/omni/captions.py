"""An Omni-Detective row: a clip, the detective's caption and evidence, and the check of the
caption against what the observers said."""

from __future__ import annotations

from collections.abc import Sequence

from datagen.generators.omni.hallucination import CHECK_VERSION, check_caption
from datagen.schemas.records import Record


def modality(clip: Record) -> str:
    """``audio``, ``video`` or ``audio-visual``: what the clip holds."""
    if clip["has_audio"] and clip["has_video"]:
        return "audio-visual"
    return "audio" if clip["has_audio"] else "video"


def caption_row(clip: Record, trajectory: Record) -> Record:
    """The row of one clip's trajectory; the hallucination check reads its evidence."""
    observations = [step["observation"] for step in trajectory["evidence"]]
    checked = check_caption(trajectory["caption"], observations)
    return {
        "clip_id": clip["clip_id"],
        "media_sha256": clip["media_sha256"],
        "path": clip["path"],
        "duration_s": clip["duration_s"],
        "modality": modality(clip),
        "caption": trajectory["caption"],
        "transcript": trajectory["transcript"],
        "evidence": trajectory["evidence"],
        "hallucination": {
            "check_version": CHECK_VERSION,
            "sentences": len(checked.sentences),
            "flagged_share": checked.flagged_share,
            "flagged": [
                {"sentence": s.sentence, "reason": s.reason, "unsupported": list(s.unsupported)}
                for s in checked.sentences
                if s.flagged
            ],
        },
        "finish_reason": trajectory["finish_reason"],
        "messages": trajectory["messages"],
        "turns": trajectory["turns"],
        "source": clip["source"],
        "license": clip["license"],
    }


def flagged_shares(rows: Sequence[Record]) -> tuple[float | None, list[str]]:
    """The pooled flagged share over every caption sentence, and one note line per clip."""
    total = sum(row["hallucination"]["sentences"] for row in rows)
    flagged = sum(len(row["hallucination"]["flagged"]) for row in rows)
    lines = [
        f"{row['clip_id']}: {len(row['hallucination']['flagged'])} of "
        f"{row['hallucination']['sentences']} sentences flagged"
        for row in rows
    ]
    return (flagged / total if total else None), lines
