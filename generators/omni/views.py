"""Omni-Detective rows for trainers: the ``sft`` view teaches a captioner, clip in, caption out.

Each row is the clip under one fixed instruction and the detective's caption as the reply. The
clip travels as ``media`` (``catalog.trainer_media``): an audio clip is ``<audio>``, a silent
video ``<video>``, a video with sound ``<video><audio>`` over the same file, so trainers that
take sound and pictures apart (LLaMA-Factory's ``use_audio_in_video``) get both. ``group_id``
is the clip's sha256, so one clip never straddles train and validation.
"""

from __future__ import annotations

from collections.abc import Iterable

from datagen.schemas.records import Record

PROMPT = "Describe this clip in detail, in chronological order, with a transcript of any speech."
"""The one instruction every row asks: what the detective's captions answer."""
KINDS = {"audio": ("audio",), "video": ("video",), "audio-visual": ("video", "audio")}
"""A row's modality → the media entries its clip becomes, in placeholder order."""
PLACEHOLDERS = {"audio": "<audio>", "video": "<video>"}
"""The tokens a generic sft row's text holds for its media (checked by ``catalog.trainer_media``,
which generators may not import)."""


def sft_view(rows: Iterable[Record]) -> list[Record]:
    """One conversation per captioned clip; a clip without a caption has nothing to teach and
    is left out."""
    return [
        {
            "id": row["clip_id"],
            "group_id": row["media_sha256"],
            "messages": [
                {
                    "role": "user",
                    "content": "".join(PLACEHOLDERS[k] for k in KINDS[row["modality"]]) + PROMPT,
                },
                {"role": "assistant", "content": row["caption"]},
            ],
            "media": [
                {"kind": kind, "path": row["path"], "sha256": row["media_sha256"]}
                for kind in KINDS[row["modality"]]
            ],
            "extra_info": {
                "modality": row["modality"],
                "duration_s": row["duration_s"],
                "flagged_share": row["hallucination"]["flagged_share"],
            },
        }
        for row in rows
        if row["caption"].strip()
    ]


VIEWS = {"sft": sft_view}

CAPTION_NOTE = """## The clips and their captions

Each row is one clip, its modality in `extra_info.modality` (`audio`, `video`, or
`audio-visual`), under one instruction, with the detective's caption as the turn to learn.
Clips whose trajectory ended without a caption are left out, so the rows above can be fewer
than the card's. `extra_info.flagged_share` is the share of the caption's sentences that the
hallucination check found unsupported by any observation (null without sentences): filter on
it to train on the best-grounded captions."""
"""Added to every omni-detective export's README."""

TRAINER_NOTES = {"trl": CAPTION_NOTE, "llamafactory": CAPTION_NOTE}
