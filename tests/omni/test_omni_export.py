"""The omni-detective sft view exported for LLaMA-Factory and TRL, clips and all, through the
real ``datagen export`` command.

The rows are caption.v1 rows made by ``caption_row`` (the flow's own function) over the real
demo clips and registered with ``Catalog.publish`` as the flow's publish step does, so the
export reads clips from a store as it would after a run; no flow and no model runs.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
from pathlib import Path
from typing import Any

import datasets
import pytest

from datagen.catalog import Catalog, ExportError, Store, write_parquet_atomic
from datagen.catalog.trainer_export import check_view_rows
from datagen.generators.omni.captions import caption_row
from datagen.generators.omni.views import PROMPT
from datagen.schemas import first_error, records_to_table
from datagen.schemas.records import StageCounts

from ..flows.conftest import datagen

SCHEMA = "omni/caption.v1"
CAPTIONS = {
    "speech_tone": "A voice speaks over a steady tone, then the tone stops.",
    "two_scenes": 'A first scene shows "HELLO OMNI 42", then a second scene follows.',
    "moving_box": "A box moves from left to right across a plain background.",
    "timer_rings": "A voice says the timer rings three times, then three short tones ring.",
    "exit_sign": 'A red scene reads "EXIT 7" while a voice says the exit is on the left.',
}
PARTS = {"audio": ["audio", "text"], "video": ["video", "text"],
         "audio-visual": ["video", "audio", "text"]}  # fmt: skip
"""Each modality's user turn, as TRL content parts."""


def caption_rows(clips: list[dict], captions: dict[str, str]) -> list[dict[str, Any]]:
    """caption.v1 rows of ``clips`` (by demo name) with the given captions, schema-checked."""
    rows = []
    for clip in clips:
        observation = f"[0.0–{clip['duration_s']} s] {CAPTIONS[clip['origin']]}"
        trajectory = {
            "caption": captions[clip["origin"]],
            "transcript": "",
            "evidence": [
                {"turn": 0, "tool": "describe", "question": "q", "observation": observation}
            ],
            "finish_reason": "answer" if captions[clip["origin"]] else "max_turns",
            "messages": [],
            "turns": [],
        }
        rows.append(caption_row(clip, trajectory))
    errors = [error for row in rows if (error := first_error(SCHEMA, row))]
    assert not errors, errors[0]
    return rows


def publish(store: Store, rows: list[dict[str, Any]]) -> str:
    part = write_parquet_atomic(
        records_to_table(SCHEMA, rows), store.staging_dir() / "part-00000.parquet"
    )
    info = Catalog(store, lock_timeout=10).publish(
        dataset="omni-detective", files=[part.path], schema_id=SCHEMA, params={"source": "demo"},
        code_version="test", flow_run_id=None, stats={},
        stage_counts=[StageCounts("detective", len(rows), len(rows))],
    )  # fmt: skip
    return info.ref


@pytest.fixture(scope="module")
def published(demo_clips: list[dict], tmp_path_factory) -> tuple[Path, str, list[dict]]:
    """A store with one omni-detective version: the demo clips captioned, and a second
    row of the silent video whose trajectory ended without a caption."""
    store = Store.resolve(tmp_path_factory.mktemp("omni-export-store"))
    rows = caption_rows(demo_clips, CAPTIONS)
    rows += caption_rows([demo_clips[2]], {"moving_box": ""})
    return store.root, publish(store, rows), rows


@pytest.fixture(scope="module")
def exports(published: tuple[Path, str, list[dict]], tmp_path_factory) -> dict[str, Path]:
    """The sft view written by ``datagen export`` for each trainer that takes clips."""
    store, ref, _ = published
    root = tmp_path_factory.mktemp("omni-exports")
    for trainer in ("llamafactory", "trl"):
        datagen("export", ref, "--format", trainer, "--view", "sft", "--split", "train=1",
                "--out", str(root / trainer), store=store)  # fmt: skip
    return {trainer: root / trainer for trainer in ("llamafactory", "trl")}


def _load(folder: Path, cache: Path) -> datasets.Dataset:
    """The train split as ``datasets.load_dataset`` reads the folder (the README's configs)."""
    return datasets.load_dataset(str(folder), cache_dir=str(cache))["train"]


def _captioned(rows: list[dict]) -> dict[str, dict]:
    return {row["clip_id"]: row for row in rows if row["caption"]}


def test_llamafactory_rows_pair_each_token_with_a_carried_clip(
    exports: dict[str, Path], published: tuple[Path, str, list[dict]], tmp_path: Path
) -> None:
    out, source = exports["llamafactory"], _captioned(published[2])
    exported = _load(out, tmp_path)
    assert sorted(row["extra_info"]["id"] for row in exported) == sorted(source)
    by_modality = {row["extra_info"]["modality"]: row for row in exported}
    assert set(by_modality) == set(PARTS)
    for row in exported:
        clip = source[row["extra_info"]["id"]]
        human, gpt = row["conversations"]
        assert human["from"] == "human" and human["value"].endswith(PROMPT)
        assert gpt == {"from": "gpt", "value": clip["caption"]}
        assert human["value"].count("<video>") == len(row["videos"])
        assert human["value"].count("<audio>") == len(row["audios"])
        for path in row["videos"] + row["audios"]:
            assert path == f"media/{clip['media_sha256']}{Path(clip['path']).suffix}"
            assert (out / path).read_bytes() == Path(clip["path"]).read_bytes()
            assert (out / path).samefile(clip["path"])  # one filesystem: linked, not copied
    assert by_modality["audio-visual"]["videos"] == by_modality["audio-visual"]["audios"]
    assert by_modality["audio"]["videos"] == [] and by_modality["video"]["audios"] == []
    assert len(list((out / "media").iterdir())) == len(source)  # each clip once


def test_llamafactory_dataset_info_names_the_media_columns(exports: dict[str, Path]) -> None:
    out = exports["llamafactory"]
    info = json.loads((out / "dataset_info.json").read_text())
    assert info == {
        "omni_detective_train": {
            "file_name": "train.jsonl",
            "formatting": "sharegpt",
            "columns": {"messages": "conversations", "videos": "videos", "audios": "audios"},
        }
    }
    readme = (out / "README.md").read_text()
    for line in ("template: qwen2_omni", f"dataset_dir: {out}", f"media_dir: {out}"):
        assert line in readme
    assert "## The clips and their captions" in readme


def test_trl_rows_are_content_parts_over_carried_clips(
    exports: dict[str, Path], published: tuple[Path, str, list[dict]], tmp_path: Path
) -> None:
    from trl.trainer.utils import remove_none_values  # what the README's collator calls

    out, source = exports["trl"], _captioned(published[2])
    exported = _load(out, tmp_path)
    assert sorted(row["extra_info"]["id"] for row in exported) == sorted(source)
    for row in exported:
        clip = source[row["extra_info"]["id"]]
        user, assistant = remove_none_values(row["messages"])
        assert [part["type"] for part in user["content"]] == PARTS[clip["modality"]]
        *media, text = user["content"]
        assert text == {"type": "text", "text": PROMPT}
        for part in media:
            assert set(part) == {"type", "path"} and not Path(part["path"]).is_absolute()
            assert (out / part["path"]).read_bytes() == Path(clip["path"]).read_bytes()
        assert assistant == {
            "role": "assistant",
            "content": [{"type": "text", "text": clip["caption"]}],
        }
        assert row["extra_info"]["flagged_share"] == clip["hallucination"]["flagged_share"]
    assert "skip_prepare_dataset" in (out / "README.md").read_text()


def test_a_missing_clip_stops_the_export_before_any_file(
    demo_clips: list[dict], tmp_path: Path
) -> None:
    store = Store.resolve(tmp_path / "store")
    clip = dict(demo_clips[0], path=str(tmp_path / "gone.wav"))
    shutil.copyfile(demo_clips[0]["path"], clip["path"])
    ref = publish(store, caption_rows([clip], CAPTIONS))
    Path(clip["path"]).unlink()
    done = datagen("export", ref, "--format", "llamafactory", "--view", "sft",
                   "--out", str(tmp_path / "out"), store=store.root, check=False)  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"error: sft row {clip['clip_id']!r}: its audio file {clip['path']} is missing"
    ]
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("trainer", ["verl", "openrlhf"])
def test_a_trainer_without_clips_refuses_and_names_those_with(
    published: tuple[Path, str, list[dict]], tmp_path: Path, trainer: str
) -> None:
    store, ref, _ = published
    done = datagen("export", ref, "--format", trainer, "--view", "sft",
                   "--out", str(tmp_path / "out"), store=store, check=False)  # fmt: skip
    assert done.returncode == 1
    assert f"{trainer} does not train on the sft view" in done.stderr
    assert "the sft view goes to: trl, llamafactory" in done.stderr
    assert not (tmp_path / "out").exists()


SHA = "a" * 64
ROW = {
    "id": "c", "group_id": SHA, "extra_info": {},
    "messages": [{"role": "user", "content": "<video><audio>Describe."},
                 {"role": "assistant", "content": "A box."}],
    "media": [{"kind": "video", "path": "/m.mp4", "sha256": SHA},
              {"kind": "audio", "path": "/m.mp4", "sha256": SHA}],
}  # fmt: skip


def _with(**changes: Any) -> dict:
    row = copy.deepcopy(ROW)
    row.update(changes)
    return row


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (ROW, None),
        (_with(media=[]), "1 <video> placeholders for 0 video files"),
        (_with(media=ROW["media"][:1]), "1 <audio> placeholders for 0 audio files"),
        (_with(media=ROW["media"] * 2), "1 <video> placeholders for 2 video files"),
        (_with(media="/m.mp4"), "media is str, not a list"),
        (_with(media=[{"kind": "image", "path": "/m.png", "sha256": SHA}]), "not a {kind, path"),
        (_with(media=[{"kind": "video", "path": "/m.mp4", "sha256": "../x"}]), "a hex sha256"),
        (_with(media=[{"kind": "video", "sha256": SHA}]), "not a {kind, path, sha256} entry"),
        (_with(messages=[{"role": "user", "content": [{"type": "video"}]}, ROW["messages"][1]]),
         "not a {role, content} message"),
    ],
)  # fmt: skip
def test_check_view_rows_holds_media_to_its_placeholders(row: dict, message: str | None) -> None:
    if message is None:
        check_view_rows("sft", [row])
    else:
        with pytest.raises(ExportError, match=re.escape(message)):
            check_view_rows("sft", [row])
