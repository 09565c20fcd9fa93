"""Running the media programs (ffmpeg, ffprobe, sox, espeak-ng, tesseract) and saying why one
failed, the same way for the media reader, the demo and every observer.

``run`` finds the program first (``MissingDependency`` naming its package) and gives back its
output, or raises ``ProgramFailed`` when it exits non-zero or runs out of time. The message is
the program's last two lines with the files it worked on shown by placeholder names (``hide``,
such as ``{clip: "<file>"}``) and the addresses ffmpeg prints (``[mp3 @ 0x55d3...]``) left out:
files are often temporary (``.incoming-<uuid>``, a frame folder), their paths must not reach a
record or a model's context, and equal faults should give equal reasons.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from datagen.generators.omni.requirements import require_program

_ADDRESS = re.compile(r"^\[(\w+) @ 0x[0-9a-f]+\]\s*")


class ProgramFailed(RuntimeError):
    """A program exited non-zero or ran out of time; ``str()`` is ``<program>: <why>``."""


def run(
    argv: Sequence[str],
    *,
    timeout_s: float,
    program: str | None = None,
    hide: Mapping[Path, str] | None = None,
    env: Mapping[str, str] | None = None,
) -> bytes:
    """The standard output of ``argv``, whose first item is ``program`` (by default itself) or
    the binary a setting names for it; the paths of ``hide`` are named by its values in the
    failure's message."""
    program = program or argv[0]
    binary = require_program(program, argv[0])
    try:
        done = subprocess.run(
            [binary, *argv[1:]], capture_output=True, timeout=timeout_s, env=env, check=False
        )
    except subprocess.TimeoutExpired:
        raise ProgramFailed(f"{program}: took over {timeout_s:g} s") from None
    if done.returncode != 0:
        why = _last_messages(done.stderr.decode(errors="replace"), hide or {})
        raise ProgramFailed(f"{program}: {why or f'exit {done.returncode}'}")
    return done.stdout


def _last_messages(stderr: str, hide: Mapping[Path, str]) -> str:
    """A program's last two lines, joined, with ``hide``'s paths named by its values (a line's
    ``<path>: `` prefix dropped) and without ffmpeg's addresses."""
    lines = [_ADDRESS.sub(r"\1: ", line.strip()) for line in stderr.splitlines() if line.strip()]
    kept = []
    for line in lines[-2:]:
        for path, name in hide.items():
            line = line.replace(f"{path}: ", "").replace(str(path), name)
        kept.append(line)
    return "; ".join(dict.fromkeys(kept))
