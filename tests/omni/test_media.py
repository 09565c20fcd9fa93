"""The media reader: folders, Hugging Face audio rows and the demo, all with the real ffmpeg,
ffprobe, sox and espeak-ng; every clip copied into the store under its sha256."""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import shutil
import subprocess
import wave
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from datagen.generators.omni.demo import DEMO
from datagen.generators.omni.media import file_sha256, media_dir, read_demo, read_media
from datagen.generators.omni.probe import ProbeError, probe_media
from datagen.schemas import first_error, records_to_table, table_to_records
from datagen.schemas.records import SourceError

CLIP = "omni/clip.v1"


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *args], check=True, timeout=60)


def tone_wav(path: Path, *, hz: int = 440, seconds: float = 1.0) -> Path:
    ffmpeg("-f", "lavfi", "-i", f"sine=frequency={hz}:duration={seconds}", "-ar", "16000",
           str(path))  # fmt: skip
    return path


def small_mp4(path: Path) -> Path:
    ffmpeg("-f", "lavfi", "-i", "testsrc=size=160x120:rate=10:duration=2",
           "-f", "lavfi", "-i", "sine=frequency=660:duration=2",
           "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-movflags", "+faststart",
           str(path))  # fmt: skip
    return path


def store_files(store: Path) -> list[str]:
    return sorted(p.name for p in media_dir(store).iterdir())


def frame_rgb(path: str, at_s: float, *, width: int, height: int) -> np.ndarray:
    """The frame shown at ``at_s`` as an ``(height, width, 3)`` array of RGB bytes."""
    raw = subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-ss", f"{at_s}", "-i", path, "-frames:v", "1",
         "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        capture_output=True, check=True, timeout=60,
    ).stdout  # fmt: skip
    return np.frombuffer(raw, dtype=np.uint8).reshape(height, width, 3)


# --- the demo --------------------------------------------------------------------------------


def test_demo_clips_are_in_the_store_under_their_sha256(demo_clips: list[dict]) -> None:
    assert [c["origin"] for c in demo_clips] == [s.name for s in DEMO]
    assert [c["origin"] for c in demo_clips] == [
        "speech_tone", "two_scenes", "moving_box", "timer_rings", "exit_sign",
    ]  # fmt: skip
    assert [c["ext"] for c in demo_clips] == ["wav", "mp4", "mkv", "flac", "webm"]
    for clip in demo_clips:
        path = Path(clip["path"])
        assert path.name == f"{clip['media_sha256']}.{clip['ext']}"
        assert path.parent.name == "media" and path.is_file()
        assert file_sha256(path) == clip["media_sha256"]
        assert clip["clip_id"] == clip["media_sha256"][:16]
        assert clip["size_bytes"] == path.stat().st_size
        assert clip["source"] == "omni-demo" and clip["license"].startswith("Apache-2.0")
        assert first_error(CLIP, clip) is None
    assert table_to_records(CLIP, records_to_table(CLIP, demo_clips)) == demo_clips


def test_probed_streams_and_durations_match_the_manifests(demo_clips: list[dict]) -> None:
    kinds = {c["origin"]: (c["has_audio"], c["has_video"]) for c in demo_clips}
    assert kinds == {
        "speech_tone": (True, False),
        "two_scenes": (True, True),
        "moving_box": (False, True),
        "timer_rings": (True, False),
        "exit_sign": (True, True),
    }
    for clip in demo_clips:
        manifest = clip["manifest"]
        assert clip["duration_s"] == pytest.approx(manifest["duration_s"], abs=0.03)
        assert (clip["width"], clip["height"], clip["fps"]) == (
            manifest["width"], manifest["height"], manifest["fps"],
        )  # fmt: skip
        assert clip["sample_rate"] == manifest["sample_rate"]
        for event in manifest["events"]:
            assert 0 <= event["start_s"] <= event["end_s"] <= manifest["duration_s"]
    speech_tone = demo_clips[0]["manifest"]["events"]
    sound = [e for e in speech_tone if e["kind"] != "silence"]
    assert [(e["kind"], e["content"]) for e in sound] == [
        ("speech", "the quick brown fox jumps over the lazy dog"),
        ("tone", 440),
        ("noise", "white"),
    ]
    # silence fills every gap: the sound events and the silences tile the clip
    assert speech_tone[0]["start_s"] == 0 and speech_tone[-1]["end_s"] == 9.0
    assert all(a["end_s"] == b["start_s"] for a, b in itertools.pairwise(speech_tone))


def test_the_audio_clip_holds_what_its_manifest_says(demo_clips: list[dict]) -> None:
    clip = demo_clips[0]
    with wave.open(clip["path"]) as w:
        rate, samples = w.getframerate(), np.frombuffer(w.readframes(w.getnframes()), np.int16)
    assert len(samples) == 9 * rate

    def window(event: dict) -> np.ndarray:
        return samples[round(event["start_s"] * rate) : round(event["end_s"] * rate)].astype(float)

    events = {e["kind"]: e for e in clip["manifest"]["events"]}  # the last of each kind
    tone = window(events["tone"])
    spectrum = np.abs(np.fft.rfft(tone))
    assert np.fft.rfftfreq(len(tone), 1 / rate)[spectrum.argmax()] == pytest.approx(440, abs=2)
    for event in clip["manifest"]["events"]:
        loudness = np.sqrt(np.mean(window(event) ** 2))
        if event["kind"] == "silence":
            assert loudness < 1, event
        else:
            assert loudness > 500, event


def test_the_two_scene_video_cuts_from_navy_to_green_at_four_seconds(
    demo_clips: list[dict],
) -> None:
    clip = demo_clips[1]
    events = clip["manifest"]["events"]
    assert [e["start_s"] for e in events if e["kind"] == "cut"] == [4.0]
    assert [e["content"] for e in events if e["kind"] == "text"] == ["HELLO OMNI 42", "SCENE TWO"]
    assert [e["content"] for e in events if e["kind"] == "speech"] == [
        "hello omni, this is the blue room",
        "now the room is green",
    ]
    size = {"width": clip["width"], "height": clip["height"]}
    for at_s, colour in [(1.0, (0, 0, 128)), (3.9, (0, 0, 128)), (4.1, (0, 100, 0))]:
        corner = frame_rgb(clip["path"], at_s, **size)[:16, :16].reshape(-1, 3).mean(axis=0)
        assert corner == pytest.approx(colour, abs=12), at_s
    streams = probe_media(Path(clip["path"]))
    assert (streams.video_codec, streams.audio_codec) == ("h264", "aac")


def test_the_box_moves_as_its_motion_event_says(demo_clips: list[dict]) -> None:
    clip = demo_clips[2]
    motion = next(e for e in clip["manifest"]["events"] if e["kind"] == "motion")
    for at_s in (1.0, 4.0):
        frame = frame_rgb(clip["path"], at_s, width=clip["width"], height=clip["height"])
        red = (frame[..., 0] > 200) & (frame[..., 1] < 60)
        rows, columns = np.nonzero(red)
        assert columns.min() == pytest.approx(motion["speed_px_s"] * at_s, abs=2)
        assert rows.min() == pytest.approx(motion["y_px"], abs=2)
        assert columns.max() - columns.min() + 1 == pytest.approx(motion["size_px"], abs=2)


def test_the_flac_clip_is_the_track_to_the_sample_with_three_rings(
    demo_clips: list[dict],
) -> None:
    clip = demo_clips[3]
    streams = probe_media(Path(clip["path"]))
    assert (streams.container, streams.audio_codec, streams.sample_rate) == ("flac", "flac", 16000)
    assert (streams.has_video, streams.video_codec, streams.width) == (False, None, None)
    raw = subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-i", clip["path"], "-f", "s16le", "-"],
        capture_output=True, check=True, timeout=60,
    ).stdout  # fmt: skip
    samples, rate = np.frombuffer(raw, np.int16).astype(float), clip["sample_rate"]
    assert len(samples) == 6 * rate  # lossless: not a sample more or less than the track
    events = clip["manifest"]["events"]
    sound = [(e["kind"], e["content"]) for e in events if e["kind"] != "silence"]
    assert sound == [("speech", "the timer rings three times")] + [("tone", 880)] * 3
    assert [e["start_s"] for e in events if e["kind"] == "tone"] == [3.0, 4.0, 5.0]
    for event in events:
        window = samples[round(event["start_s"] * rate) : round(event["end_s"] * rate)]
        if event["kind"] == "silence":
            assert np.abs(window).max() <= 1, event  # sox's dither and no more: lossless
            continue
        assert np.sqrt(np.mean(window**2)) > 500, event
        if event["kind"] == "tone":
            peak = np.fft.rfftfreq(len(window), 1 / rate)[np.abs(np.fft.rfft(window)).argmax()]
            assert peak == pytest.approx(880, abs=2), event


def test_the_webm_clip_is_vp9_and_opus_with_its_sign_on_red(demo_clips: list[dict]) -> None:
    clip = demo_clips[4]
    streams = probe_media(Path(clip["path"]))
    assert (streams.container, streams.video_codec, streams.audio_codec) == (
        "matroska,webm", "vp9", "opus",
    )  # fmt: skip
    assert streams.sample_rate == 48000 == clip["manifest"]["sample_rate"]  # Opus's only rate
    events = clip["manifest"]["events"]
    assert [e["content"] for e in events if e["kind"] == "text"] == ["EXIT 7"]
    assert [e["content"] for e in events if e["kind"] == "speech"] == ["the exit is on the left"]
    assert not [e for e in events if e["kind"] == "cut"]
    frame = frame_rgb(clip["path"], 2.5, width=clip["width"], height=clip["height"])
    corner = frame[:16, :16].reshape(-1, 3).mean(axis=0)
    assert corner == pytest.approx((255, 0, 0), abs=12)
    middle = frame[150:210, 200:440]
    assert ((middle > 200).all(axis=-1)).sum() > 500  # the white text in the centre


def test_a_second_demo_run_reuses_the_stored_clips(demo_clips: list[dict]) -> None:
    store = Path(demo_clips[0]["path"]).parents[1]
    before = {c["path"]: os.stat(c["path"]).st_mtime_ns for c in demo_clips}
    again = read_demo(store=store)
    assert again.lineage["cached"] is True
    assert again.records == demo_clips
    assert {c["path"]: os.stat(c["path"]).st_mtime_ns for c in demo_clips} == before


def test_a_lost_clip_is_made_again_with_the_same_bytes(
    demo_clips: list[dict], tmp_path: Path
) -> None:
    store = tmp_path / "moved-store"
    shutil.copytree(Path(demo_clips[0]["path"]).parents[1], store)
    (media_dir(store) / Path(demo_clips[1]["path"]).name).unlink()
    made = read_demo(store=store)
    assert made.lineage["cached"] is False
    # espeak-ng, sox -R and ffmpeg with bitexact flags and one thread are byte-stable here
    assert [c["media_sha256"] for c in made.records] == [c["media_sha256"] for c in demo_clips]
    assert all(c["path"].startswith(str(store)) for c in made.records)
    assert not [n for n in store_files(store) if n.startswith(".")]


# --- folders ---------------------------------------------------------------------------------


def test_a_folder_keeps_good_files_and_quarantines_broken_ones(tmp_path: Path) -> None:
    folder, store = tmp_path / "clips", tmp_path / "store"
    (folder / "sub").mkdir(parents=True)
    wav = tone_wav(folder / "tone.wav")
    mp4 = small_mp4(folder / "scene.mp4")
    shutil.copy(mp4, folder / "sub" / "same-bytes.MP4")
    (folder / "broken.mp3").write_bytes(b"this is not an mp3 at all" * 40)
    (folder / "empty.flac").write_bytes(b"")
    data = mp4.read_bytes()
    (folder / "cut-short.mp4").write_bytes(data[: len(data) // 2])  # ffprobe still reads it
    (folder / "notes.txt").write_text("not media")
    tone_wav(folder / ".hidden.wav")

    read = read_media(str(folder), store=store)

    assert [r["origin"] for r in read.records] == ["scene.mp4", "tone.wav"]
    reasons = {q.record_id: q.reason.split(":")[0] for q in read.rejects}
    assert reasons == {
        "broken.mp3": "unreadable_media",
        "cut-short.mp4": "undecodable_media",
        "empty.flac": "empty_file",
    }
    broken = next(q.reason for q in read.rejects if q.record_id == "broken.mp3")
    # ffmpeg's two last lines, with the demuxer's address and the temporary file name left out
    assert re.fullmatch(r"unreadable_media: ffprobe: mp3: Failed to read frame size: .+", broken)
    assert not any(".incoming" in q.reason for q in read.rejects)
    assert read.lineage["skipped"] == {"unsupported_extension": 1, "duplicate_media": 1}
    scene, tone = read.records
    assert (scene["has_audio"], scene["has_video"], scene["width"], scene["fps"]) == (
        True, True, 160, 10.0,
    )  # fmt: skip
    assert (tone["has_video"], tone["sample_rate"], tone["duration_s"]) == (False, 16000, 1.0)
    assert tone["media_sha256"] == file_sha256(wav) and tone["license"] is None
    assert store_files(store) == sorted(f"{r['media_sha256']}.{r['ext']}" for r in read.records)
    assert all(first_error(CLIP, r) is None for r in read.records)


def test_without_the_decode_check_a_cut_short_file_gets_through(tmp_path: Path) -> None:
    data = small_mp4(tmp_path / "whole.mp4").read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 2])
    read = read_media(str(cut), store=tmp_path / "store", check_decode=False)
    assert read.records[0]["duration_s"] == pytest.approx(2.0, abs=0.1)
    with pytest.raises(SourceError, match=r"undecodable_media"):
        read_media(str(cut), store=tmp_path / "store")


def test_cover_art_is_not_a_video_stream(tmp_path: Path) -> None:
    cover = tmp_path / "cover.png"
    ffmpeg("-f", "lavfi", "-i", "color=c=red:s=32x32:d=1", "-frames:v", "1", str(cover))
    song = tmp_path / "song.mp3"
    ffmpeg("-i", str(tone_wav(tmp_path / "t.wav")), "-i", str(cover), "-map", "0:a", "-map",
           "1:v", "-c:v", "png", "-disposition:v", "attached_pic", str(song))  # fmt: skip
    probe = probe_media(song)
    assert (probe.has_audio, probe.has_video, probe.audio_codec) == (True, False, "mp3")


def test_a_probe_out_of_time_is_a_quarantine_reason(tmp_path: Path) -> None:
    with pytest.raises(ProbeError, match=r"^unreadable_media: ffprobe: took over 0.001 s$"):
        probe_media(tone_wav(tmp_path / "tone.wav"), timeout_s=0.001)


def test_a_limit_and_unreadable_folders(tmp_path: Path) -> None:
    folder = tmp_path / "clips"
    folder.mkdir()
    for hz in (300, 400, 500):
        tone_wav(folder / f"{hz}.wav", hz=hz, seconds=0.5)
    read = read_media(str(folder), store=tmp_path / "store", limit=2)
    assert [r["origin"] for r in read.records] == ["300.wav", "400.wav"]
    with pytest.raises(SourceError, match=r"no such folder"):
        read_media(str(tmp_path / "nowhere"), store=tmp_path / "store")
    junk = tmp_path / "junk"
    junk.mkdir()
    (junk / "a.wav").write_bytes(b"RIFF nonsense")
    with pytest.raises(SourceError, match=r"no readable clip \(unreadable_media"):
        read_media(str(junk), store=tmp_path / "store")


# --- Hugging Face audio datasets ---------------------------------------------------------------


def _hf_rows(tmp_path: Path) -> tuple[list[dict], dict[str, bytes]]:
    wav = tone_wav(tmp_path / "a.wav").read_bytes()
    flac_path = tmp_path / "b.flac"
    ffmpeg("-i", str(tone_wav(tmp_path / "b.wav", hz=880)), str(flac_path))
    flac = flac_path.read_bytes()
    rows = [
        {"audio": {"bytes": wav, "path": "clips/a.wav"}, "text": "a tone", "speaker": 1},
        {"audio": {"bytes": flac, "path": None}, "text": "a higher tone", "speaker": 2},
        {"audio": {"bytes": b"not audio", "path": "bad.mp3"}, "text": "broken", "speaker": 3},
        {"audio": {"bytes": None, "path": "/nowhere/c.wav"}, "text": "missing", "speaker": 4},
    ]
    return rows, {"wav": wav, "flac": flac}


def _write_with_audio_feature(rows: list[dict], folder: Path) -> None:
    """As the hub ships audio: an ``Audio()`` feature (decoding on) in the Parquet metadata."""
    from datasets import Audio, Features, Value

    features = Features({"audio": Audio(), "text": Value("string"), "speaker": Value("int64")})
    table = pa.Table.from_pylist(rows, schema=features.arrow_schema)
    pq.write_table(table, folder / "data" / "train-00000-of-00001.parquet")


def _write_plain_struct(rows: list[dict], folder: Path) -> None:
    """Parquet with a ``{bytes, path}`` struct and no ``datasets`` metadata."""
    pq.write_table(pa.Table.from_pylist(rows), folder / "data" / "train-00000-of-00001.parquet")


@pytest.mark.parametrize("write", [_write_with_audio_feature, _write_plain_struct])
def test_a_hugging_face_audio_dataset_is_read_without_its_decoder(tmp_path: Path, write) -> None:
    folder = tmp_path / "speech_ds"
    (folder / "data").mkdir(parents=True)
    rows, data = _hf_rows(tmp_path)
    write(rows, folder)
    store = tmp_path / "store"

    read = read_media(f"hf:{folder}", store=store)

    assert [r["origin"] for r in read.records] == ["train/0", "train/1"]
    first, second = read.records
    assert first["ext"] == "wav" and second["ext"] == "flac"  # from the path, else the container
    assert first["media_sha256"] == hashlib.sha256(data["wav"]).hexdigest()
    assert Path(second["path"]).read_bytes() == data["flac"]
    assert first["source_fields"] == {"text": "a tone", "speaker": 1}
    assert first["source"] == f"hf:{folder}" and read.lineage["split"] == "train"
    assert read.lineage["audio_column"] == "audio"
    if write is _write_with_audio_feature:  # as the hub ships it: decoding on, needing torchcodec
        import datasets

        assert datasets.load_dataset(str(folder), split="train").features["audio"].decode
    assert {q.record_id: q.reason.split(":")[0] for q in read.rejects} == {
        "train/2": "unreadable_media",
        "train/3": "no_audio_bytes",
    }
    assert all(first_error(CLIP, r) is None for r in read.records)
    with pytest.raises(SourceError, match=r"cannot load the dataset"):
        read_media(f"hf:{folder}:test", store=store)


def test_a_dataset_without_an_audio_column_is_a_source_error(tmp_path: Path) -> None:
    folder = tmp_path / "text_ds"
    (folder / "data").mkdir(parents=True)
    table = pa.Table.from_pylist([{"text": "hello"}])
    pq.write_table(table, folder / "data" / "train-00000-of-00001.parquet")
    with pytest.raises(SourceError, match=r"no audio column .*columns: text"):
        read_media(f"hf:{folder}", store=tmp_path / "store")


# --- missing programs ------------------------------------------------------------------------


def test_a_missing_program_names_its_apt_package(tmp_path: Path, monkeypatch) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for program in ("ffmpeg", "ffprobe", "sox"):
        (bin_dir / program).symlink_to(shutil.which(program))
    monkeypatch.setenv("PATH", str(bin_dir))
    with pytest.raises(
        SourceError,
        match=r"'espeak-ng' is not on PATH \(espeak-ng speaks .+\): apt-get install espeak-ng \(",
    ):
        read_media("demo", store=tmp_path / "store")
    folder = tmp_path / "clips"
    folder.mkdir()
    (folder / "a.wav").write_bytes(b"RIFF")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(
        SourceError, match=r"'ffprobe', 'ffmpeg' are not on PATH .*: apt-get install ffmpeg \("
    ):
        read_media(str(folder), store=tmp_path / "store")


def test_a_cached_demo_gives_the_same_records_key_order_included(tmp_path: Path) -> None:
    """Seen in the flow: the fresh run's manifests kept their build order and the cached
    run's came back sorted, so the clips' shards hashed differently and nothing resumed."""
    fresh = read_demo(store=tmp_path).records
    cached = read_demo(store=tmp_path)
    assert cached.lineage["cached"] is True
    assert json.dumps(cached.records) == json.dumps(fresh)
