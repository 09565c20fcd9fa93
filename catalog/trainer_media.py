"""Audio and video clips in sft exports: checked, carried into the export folder, and placed
the way each trainer takes them.

A generic sft row may carry ``media``, a list of ``{kind, path, sha256}`` entries (``kind``
``audio`` or ``video``, ``path`` the clip's file). Its messages stay text, holding one
``<audio>`` or ``<video>`` placeholder per entry: the n-th ``<video>`` is the n-th video
entry. So the row is checked like any text row, and each trainer places the clips its own way:

- LLaMA-Factory 0.9.5 reads these very tokens (``extras/constants.py``: ``AUDIO_PLACEHOLDER``,
  ``VIDEO_PLACEHOLDER``) and takes the files from the ``videos`` and ``audios`` columns, one
  file per token (``mm_plugin.BasePlugin._validate_messages``);
- TRL 1.16 prepares text and image rows only (``SFTTrainer`` spots ``image``/``images``
  columns), so its rows are content parts for the model's processor, read in a collator:
  ``{"type": "video", "path": ...}`` (transformers 5.19's
  ``ProcessorMixin.apply_chat_template`` takes a part's ``video``, ``url`` or ``path``) and
  ``{"type": "text", "text": ...}``.

A clip with sound and pictures is two entries over the same file, ``<video><audio>``: that is
the pairing LLaMA-Factory's ``use_audio_in_video`` requires (each ``<video>`` followed by an
``<audio>``), and it lets a processor read the sound even without that option.

Every file is found, and given its place ``media/<sha256>.<ext>`` in the export, before the
export folder is made; the rows name that place, relative to the folder, so the folder moves as
one piece.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from datagen.catalog.export import ExportError

Row = Mapping[str, Any]

MEDIA_DIR = "media"
PLACEHOLDERS = {"video": "<video>", "audio": "<audio>"}
"""Media kind → the token that stands for one file of that kind in a message's text."""
LLAMAFACTORY_COLUMNS = {"video": "videos", "audio": "audios"}
_KIND_OF = {token: kind for kind, token in PLACEHOLDERS.items()}
_TOKENS = re.compile("(" + "|".join(map(re.escape, _KIND_OF)) + ")")
_SHA256 = re.compile("[0-9a-f]{64}")


def check_media(where: str, media: Any, messages: Sequence[Row]) -> None:
    """Refuse media that is not a list of ``{kind, path, sha256}`` entries, one per placeholder
    of its kind in ``messages`` (text messages, already checked)."""
    if not isinstance(media, list):
        raise ExportError(f"{where}: media is {type(media).__name__}, not a list")
    for entry in media:
        if (
            not isinstance(entry, Mapping)
            or entry.get("kind") not in PLACEHOLDERS
            or not isinstance(entry.get("path"), str)
            or not _SHA256.fullmatch(str(entry.get("sha256")))
        ):
            raise ExportError(
                f"{where}: media holds {str(entry)[:80]!r}, not a {{kind, path, sha256}} entry "
                f"with kind in {tuple(PLACEHOLDERS)} and a hex sha256"
            )
    for kind, token in PLACEHOLDERS.items():
        files = sum(entry["kind"] == kind for entry in media)
        tokens = sum(message["content"].count(token) for message in messages)
        if files != tokens:
            raise ExportError(f"{where}: {tokens} {token} placeholders for {files} {kind} files")


@dataclass(frozen=True)
class MediaPlan:
    """Rows whose media paths name their place in the export, and the file behind each place."""

    rows: list[Row]
    sources: dict[str, Path]


def plan_media(rows: Sequence[Row]) -> MediaPlan:
    """Find every row's clips; a missing one stops the export before anything is written."""
    placed: list[Row] = []
    sources: dict[str, Path] = {}
    for row in rows:
        if "media" not in row:
            placed.append(row)
            continue
        media = []
        for entry in row["media"]:
            source = Path(entry["path"])
            if not source.is_file():
                raise ExportError(
                    f"sft row {row['id']!r}: its {entry['kind']} file {source} is missing"
                )
            place = f"{MEDIA_DIR}/{entry['sha256']}{source.suffix}"
            sources[place] = source
            media.append({**entry, "path": place})
        placed.append({**row, "media": media})
    return MediaPlan(placed, sources)


def copy_media(sources: Mapping[str, Path], out_dir: Path) -> None:
    """Put each clip at its place once: a hard link where the store shares the export's
    filesystem (clips can be large, and the store never rewrites one), else a copy."""
    for place, source in sources.items():
        target = out_dir / place
        target.parent.mkdir(exist_ok=True)
        try:
            os.link(source, target)
        except OSError:  # another filesystem, or one without hard links
            shutil.copyfile(source, target)


def llamafactory_media(media: Sequence[Row]) -> dict[str, list[str]]:
    """The ``videos`` and ``audios`` columns, each file in the order of its tokens."""
    return {
        column: [entry["path"] for entry in media if entry["kind"] == kind]
        for kind, column in LLAMAFACTORY_COLUMNS.items()
    }


def content_parts(messages: Sequence[Row], media: Sequence[Row]) -> list[dict[str, Any]]:
    """The messages with their content as parts: each placeholder a ``{"type": kind, "path"}``
    part, the text around it ``{"type": "text", "text"}`` parts. Every message gets parts, not
    only those with media, because a Parquet column holds one type."""
    files = {kind: iter([e for e in media if e["kind"] == kind]) for kind in PLACEHOLDERS}
    return [{**message, "content": list(_parts(message["content"], files))} for message in messages]


def _parts(text: str, files: Mapping[str, Iterator[Row]]) -> Iterator[dict[str, str]]:
    for piece in _TOKENS.split(text):
        if piece in _KIND_OF:
            yield {"type": _KIND_OF[piece], "path": next(files[_KIND_OF[piece]])["path"]}
        elif piece:
            yield {"type": "text", "text": piece}


_TRL_COLLATOR = """\
import os
from datasets import load_dataset
from transformers import AutoProcessor, Qwen2_5OmniThinkerForConditionalGeneration
from trl import SFTConfig, SFTTrainer
from trl.trainer.utils import remove_none_values

folder, model_id = {folder}, "Qwen/Qwen2.5-Omni-3B"
processor = AutoProcessor.from_pretrained(model_id)

def collate(examples):
    chats = [remove_none_values(e["messages"]) for e in examples]  # Parquet fills absent keys
    for part in (p for chat in chats for m in chat for p in m["content"] if "path" in p):
        part["path"] = os.path.join(folder, part["path"])
    batch = processor.apply_chat_template(
        chats, tokenize=True, return_dict=True, return_tensors="pt", padding=True
    )
    batch["labels"] = batch["input_ids"].masked_fill(batch["attention_mask"] == 0, -100)
    return batch

trainer = SFTTrainer(
    model=Qwen2_5OmniThinkerForConditionalGeneration.from_pretrained(model_id),
    args=SFTConfig(output_dir="checkpoints/captioner", remove_unused_columns=False,
                   dataset_kwargs={{"skip_prepare_dataset": True}}),
    data_collator=collate,
    train_dataset=load_dataset(folder)["train"],
    processing_class=processor,
)
trainer.train()"""


def trl_media_guide(out_dir: str, clips: int) -> str:
    """TRL 1.16's SFTTrainer prepares text rows and image rows (``image``/``images`` columns)
    only, so the guide hands the content parts to the model's processor in a collator."""
    return "\n\n".join(
        [
            "## Train with TRL (supervised fine-tuning on audio and video)",
            f"Rows: `messages` whose contents are lists of parts. The user turn holds "
            f'`{{"type": "video" | "audio", "path": "{MEDIA_DIR}/<sha256>.<ext>"}}` parts, paths '
            f"relative to this folder (`{MEDIA_DIR}/` holds the {clips} clips), then a "
            '`{"type": "text"}` part; the assistant turn is the text to learn. A clip with '
            "sound and pictures is a `video` and an `audio` part over the same file.",
            "TRL 1.16's SFTTrainer tokenizes text and image rows only, so give it a collator "
            "that calls the model's processor, with `remove_unused_columns=False` and "
            "`skip_prepare_dataset` to keep `messages` for it. A sketch for Qwen2.5-Omni's "
            "thinker (it learns every token; mask the user turn for a caption-only loss; "
            "decoding the sound of an .mp4 or .mkv takes torchcodec):",
            "```python\n" + _TRL_COLLATOR.format(folder=json.dumps(out_dir)) + "\n```",
        ]
    )


LLAMAFACTORY_MEDIA_MODEL = [
    "model_name_or_path: Qwen/Qwen2.5-Omni-7B",
    "template: qwen2_omni",
    "use_audio_in_video: false    # true: interleave each <video> with its <audio> in time",
]
"""The YAML lines naming a model, and its template, that hears and sees the clips."""


def llamafactory_media_note(clips: int) -> str:
    return (
        f"The user turn's `<video>` and `<audio>` tokens each take the next path of the row's "
        f"`videos` or `audios` column (relative to `media_dir`; `{MEDIA_DIR}/` holds the "
        f"{clips} clips). A clip with sound and pictures is `<video><audio>` over the same "
        "file, the pairing `use_audio_in_video: true` needs; LLaMA-Factory reads its sound "
        "with `torchaudio.load`, which decodes .mp4 and .mkv with torchcodec or FFmpeg."
    )
