"""Where Omni-Detective's clips come from: a folder of media files, a Hugging Face audio
dataset, or the demo clips made at run time; each clip copied into the store by content.

``read_media(source, store=...)`` takes ``demo``, ``hf:NAME[:SPLIT]`` or a folder (or one file)
and returns a ``SourceRead`` of ``MediaItem`` records. A clip is named by the sha256 of its
bytes and copied to ``<store>/media/<sha256>.<ext>``, so rows and exports never point at a
source's own or temporary path, and the same bytes from two sources are one clip. Each file is
probed (``probe.py``) and, unless ``check_decode=False``, decoded whole by ffmpeg; a file that
fails is quarantined with the reason and the rest come through. A dataset's audio is read with
``Audio(decode=False)`` and left to ffmpeg: ``datasets``' own decoding needs torchcodec.

The demo's clips are cached by their spec and code (``demo.spec_key()``, and this module's and
``probe.py``'s source) in ``<store>/media/demo-<key>.json``: a second run with the same spec
and code checks the stored files' hashes and reuses them. ``read_demo(specs=...)`` makes and
reads other specs the same way (the observer tests' clips).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypedDict

from datagen.generators.omni import demo, probe
from datagen.generators.omni.probe import ProbeError, check_decodes, probe_media
from datagen.generators.omni.requirements import MissingDependency, require_programs
from datagen.schemas.records import Quarantined, SourceError, SourceRead

MEDIA = "media"
FOLDER_EXTS = ("wav", "mp3", "flac", "mp4", "mkv", "webm")
FOLDER_SHAPE = f"a folder of {', '.join(FOLDER_EXTS)} files"
DEMO_SOURCE = "omni-demo"
DEMO_LICENSE = "Apache-2.0 (made by datagen at run time with espeak-ng, sox and ffmpeg)"
CONTAINER_EXTS = {"wav": "wav", "mp3": "mp3", "flac": "flac", "ogg": "ogg", "matroska": "mkv"}
"""ffprobe's first format name → extension, for dataset rows whose path names none."""


class MediaItem(TypedDict):
    """A clip as every later stage sees it (``schemas/omni/clip.v1.json``)."""

    clip_id: str  # the first 16 hex digits of media_sha256
    media_sha256: str
    path: str  # <store>/media/<media_sha256>.<ext>
    ext: str
    size_bytes: int
    origin: str  # a folder's relative path, a dataset's <split>/<row>, a demo clip's name
    source: str
    license: str | None
    container: str
    duration_s: float
    has_audio: bool
    has_video: bool
    sample_rate: int | None
    channels: int | None
    audio_codec: str | None
    width: int | None
    height: int | None
    fps: float | None
    video_codec: str | None
    source_fields: dict[str, Any] | None  # a dataset row's other columns (transcripts, labels)
    manifest: dict[str, Any] | None  # demo clips: what was put in and when


def media_dir(store: Path) -> Path:
    """The store's folder of clips, ``<store>/media``."""
    return Path(store) / MEDIA


def read_media(
    source: str, *, store: Path, limit: int | None = None, check_decode: bool = True
) -> SourceRead:
    """``demo``, ``hf:NAME[:SPLIT]``, or a folder (or one file) of media; at most ``limit``
    clips. A missing program or an unreadable source is a ``SourceError`` saying which."""
    try:
        if source == "demo":
            read = read_demo(store=store, check_decode=check_decode)
            return SourceRead(read.records[:limit], read.rejects, read.lineage)
        if source.startswith("hf:"):
            return read_hf(
                source.removeprefix("hf:"), store=store, limit=limit, check_decode=check_decode
            )
        return read_folder(Path(source), store=store, limit=limit, check_decode=check_decode)
    except MissingDependency as exc:
        raise SourceError(f"{source}: {exc}") from None


def read_folder(
    folder: Path, *, store: Path, limit: int | None = None, check_decode: bool = True
) -> SourceRead:
    """Every supported file under ``folder`` (sorted, hidden ones left out), or one file."""
    if not folder.exists():
        raise SourceError(f"{folder}: no such folder (expected {FOLDER_SHAPE})")
    require_programs("ffprobe", "ffmpeg")
    files = [folder] if folder.is_file() else sorted(_visible_files(folder))
    name, base = str(folder), folder if folder.is_dir() else folder.parent
    intake = _Intake(store=store, source=name, license_=None, check_decode=check_decode)
    intake.skipped["unsupported_extension"] = 0
    for path in files:
        if limit is not None and len(intake.records) >= limit:
            break
        ext = path.suffix.lower().lstrip(".")
        if ext not in FOLDER_EXTS:
            intake.skipped["unsupported_extension"] += 1
            continue
        origin = path.relative_to(base).as_posix()
        intake.take(path, ext=ext, origin=origin, kept={"origin": origin, "source": name})
    if not intake.records:
        first = intake.first_reason("no media file")
        raise SourceError(f"{folder}: no readable clip ({first}; expected {FOLDER_SHAPE})")
    return intake.read({"source": name, "license": None, "path": str(folder.absolute())})


def read_hf(
    name: str, *, store: Path, limit: int | None = None, check_decode: bool = True
) -> SourceRead:
    """A split of a Hugging Face audio dataset (a hub name in the local cache, or a folder)."""
    import datasets

    require_programs("ffprobe", "ffmpeg")
    dataset, _, split = name.partition(":")
    split = split or "train"
    try:
        loaded = datasets.load_dataset(dataset, split=split)
    except Exception as exc:  # datasets raises many types for a name it cannot load
        raise SourceError(
            f"hf:{name}: cannot load the dataset ({type(exc).__name__}: {exc})"
        ) from None
    column = _audio_column(loaded.features)
    if column is None:
        raise SourceError(
            f"hf:{name}: no audio column (expected an Audio feature or a {{bytes, path}} struct; "
            f"columns: {', '.join(loaded.column_names)})"
        )
    if isinstance(loaded.features[column], datasets.Audio):
        loaded = loaded.cast_column(column, datasets.Audio(decode=False))
    license_ = getattr(loaded.info, "license", None) or None
    source = f"hf:{dataset}"
    intake = _Intake(store=store, source=source, license_=license_, check_decode=check_decode)
    for number, row in enumerate(loaded):
        if limit is not None and len(intake.records) >= limit:
            break
        origin = f"{split}/{number}"
        fields = {k: v for k, v in row.items() if k != column and _scalar(v)}
        audio = row[column] or {}
        kept = {"origin": origin, "source": source, "audio_path": audio.get("path")}
        try:
            data, ext = _row_audio(audio)
        except ProbeError as exc:
            intake.rejects.append(Quarantined(origin, str(exc), kept))
            continue
        intake.take(data, ext=ext, origin=origin, kept=kept, fields=fields)
    if not intake.records:
        raise SourceError(f"hf:{name}: no readable clip ({intake.first_reason('no rows')})")
    lineage = {"source": source, "split": split, "license": license_, "audio_column": column}
    return intake.read(lineage)


def read_demo(
    *, store: Path, specs: tuple[demo.ClipSpec, ...] = demo.DEMO, check_decode: bool = True
) -> SourceRead:
    """The demo clips (``demo.DEMO``, or other ``specs``), made once per spec and code and
    reused from the store."""
    key = _demo_key(specs)
    cache = media_dir(store) / f"demo-{key}.json"
    lineage = {"source": DEMO_SOURCE, "license": DEMO_LICENSE, "spec_key": key}
    records = _cached(cache, store)
    if records is not None:
        return SourceRead(records, [], lineage | {"clips": len(records), "cached": True})
    require_programs(*demo.DEMO_PROGRAMS)
    media_dir(store).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=media_dir(store), prefix=".demo-") as work:
        records = []
        for made in demo.make_clips(specs, Path(work)):
            item = ingest(
                made.path,
                ext=made.spec.ext,
                store=store,
                origin=made.spec.name,
                source=DEMO_SOURCE,
                license_=DEMO_LICENSE,
                check_decode=check_decode,
            )
            item["manifest"] = made.manifest
            records.append(item)
    text = json.dumps(records, indent=1, sort_keys=True)
    _write_atomically(cache, text)
    # The records as the cache holds them (keys sorted), so that a first run and a rerun give
    # equal records, byte for byte, and the flow's shards resume.
    records = json.loads(text)
    return SourceRead(records, [], lineage | {"clips": len(records), "cached": False})


def ingest(
    data: Path | bytes,
    *,
    ext: str | None,
    store: Path,
    origin: str,
    source: str,
    license_: str | None,
    check_decode: bool = True,
) -> MediaItem:
    """Copy a file (or bytes) into ``<store>/media/<sha256>.<ext>`` once probed, and describe
    it; ``ProbeError`` (nothing kept) for an empty, unreadable or undecodable one. ``ext``
    ``None`` takes the extension from the container ffprobe finds."""
    folder = media_dir(store)
    folder.mkdir(parents=True, exist_ok=True)
    incoming = folder / f".incoming-{uuid.uuid4().hex}.{ext or 'bin'}"
    try:
        sha256, size = _copy_hashing(data, incoming)
        if size == 0:
            raise ProbeError("empty_file: 0 bytes")
        probed = probe_media(incoming)
        if check_decode:
            check_decodes(incoming)
        ext = ext or _container_ext(probed.container)
        final = folder / f"{sha256}.{ext}"
        if final.exists():
            incoming.unlink()
        else:
            os.replace(incoming, final)
    finally:
        incoming.unlink(missing_ok=True)
    return MediaItem(
        clip_id=sha256[:16],
        media_sha256=sha256,
        path=str(final.absolute()),
        ext=ext,
        size_bytes=size,
        origin=origin,
        source=source,
        license=license_,
        **probed.fields(),
        source_fields=None,
        manifest=None,
    )


def file_sha256(path: Path) -> str:
    """The sha256 of a file's bytes, the name of a clip in the store and of its analyses."""
    with open(path, "rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def _copy_hashing(data: Path | bytes, to: Path) -> tuple[str, int]:
    """Write ``data`` to ``to`` and hash it in the same pass (a clip is read once)."""
    digest, size = hashlib.sha256(), 0
    with open(to, "wb") as out:
        if isinstance(data, bytes):
            digest.update(data)
            out.write(data)
            return digest.hexdigest(), len(data)
        try:
            source = open(data, "rb")  # noqa: SIM115 (closed below; an OSError is a reason)
        except OSError as exc:
            raise ProbeError(f"unreadable_media: {exc.strerror}") from None
        with source:
            while chunk := source.read(1 << 20):
                digest.update(chunk)
                out.write(chunk)
                size += len(chunk)
    return digest.hexdigest(), size


class _Intake:
    """The clips of one read as they are ingested: the kept ones in order, the quarantined ones
    with their reason, and counts of what was left out (a repeat of bytes already kept)."""

    def __init__(
        self, *, store: Path, source: str, license_: str | None, check_decode: bool
    ) -> None:
        self.keep = functools.partial(
            ingest, store=store, source=source, license_=license_, check_decode=check_decode
        )
        self.records: list[MediaItem] = []
        self.rejects: list[Quarantined] = []
        self.skipped = {"duplicate_media": 0}
        self._seen: set[str] = set()

    def take(
        self,
        data: Path | bytes,
        *,
        ext: str | None,
        origin: str,
        kept: dict[str, Any],
        fields: dict[str, Any] | None = None,
    ) -> None:
        """Ingest ``data``; a ``ProbeError`` is quarantined with ``kept``, a repeat counted."""
        try:
            item = self.keep(data, ext=ext, origin=origin)
        except ProbeError as exc:
            self.rejects.append(Quarantined(origin, str(exc), kept))
            return
        if item["media_sha256"] in self._seen:
            self.skipped["duplicate_media"] += 1
            return
        self._seen.add(item["media_sha256"])
        item["source_fields"] = fields or None
        self.records.append(item)

    def first_reason(self, otherwise: str) -> str:
        """Why the first file was quarantined (what a read with no clip says)."""
        return self.rejects[0].reason if self.rejects else otherwise

    def read(self, lineage: dict[str, Any]) -> SourceRead:
        """What was read: the kept clips, the quarantined ones, ``lineage`` with the counts."""
        counts = {"clips": len(self.records), "skipped": self.skipped}
        return SourceRead(self.records, self.rejects, lineage | counts)


def _cached(cache: Path, store: Path) -> list[MediaItem] | None:
    """The demo's records if every clip is still in the store with its hash, else ``None``."""
    try:
        records = json.loads(cache.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    for record in records:
        path = media_dir(store) / f"{record['media_sha256']}.{record['ext']}"
        if not path.is_file() or file_sha256(path) != record["media_sha256"]:
            return None
        record["path"] = str(path.absolute())  # the store may have moved since
    return records


def _demo_key(specs: tuple[demo.ClipSpec, ...]) -> str:
    """The clips' spec and code, and the code that turns them into records."""
    digest = hashlib.sha256(demo.spec_key(specs).encode())
    for module in (__file__, probe.__file__):
        digest.update(b"\0" + Path(module).read_bytes())
    return digest.hexdigest()[:16]


def _write_atomically(path: Path, text: str) -> None:
    """Write by renaming, so a reader never finds half a cache file."""
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def _visible_files(folder: Path) -> Iterator[Path]:
    for path in folder.rglob("*"):
        if path.is_file() and not any(p.startswith(".") for p in path.relative_to(folder).parts):
            yield path


def _audio_column(features: Any) -> str | None:
    """The first ``Audio`` column, else a column named ``audio`` of ``{bytes, path}``."""
    import datasets

    for name, feature in features.items():
        if isinstance(feature, datasets.Audio):
            return name
    audio = features.get("audio")
    if isinstance(audio, dict) and {"bytes", "path"} <= set(audio):
        return "audio"
    return None


def _row_audio(audio: dict[str, Any]) -> tuple[Path | bytes, str | None]:
    """A row's audio bytes (or its local file) and the extension its path names, if any."""
    path = audio.get("path") or ""
    suffix = Path(path).suffix.lower().lstrip(".")
    ext = suffix if suffix.isalnum() and 0 < len(suffix) <= 5 else None
    if audio.get("bytes"):
        return bytes(audio["bytes"]), ext
    if path and Path(path).is_file():
        return Path(path), ext
    raise ProbeError(
        f"no_audio_bytes: the row has no bytes and no local file ({path or 'no path'})"
    )


def _container_ext(container: str) -> str:
    """The extension for the container ffprobe names (``mov,mp4,m4a,...``: m4a, for a dataset's
    rows hold audio)."""
    first = container.split(",")[0]
    return CONTAINER_EXTS.get(first, "m4a" if first == "mov" else first or "bin")


def _scalar(value: Any) -> bool:
    """Whether a dataset column's value is kept in ``source_fields`` (arrays and bytes are not)."""
    return value is None or isinstance(value, str | int | float | bool)
