"""A named fake engine for the Ray runner tests: bench's fixed-latency engine, logged, faultable.

Spec ``ray-fake:FOLDER``, where FOLDER is shared by every process of a test:

- ``FOLDER/answers.json`` holds the right calls by user message (``bench.orchestration``'s
  ``write_source``); answers are drawn from them by request seed, so every run's rows match.
- each ``generate`` call leaves ``FOLDER/calls/<uuid>.json`` naming its process, its Ray node,
  its engine instance and its first request: where each shard ran, and on which engine;
- while ``FOLDER/kill-next`` exists, the call that removes it SIGKILLs its own process before
  answering: a worker killed mid-shard.

Ray workers register the kind through ``DATAGEN_RAY_WORKER_SETUP=tests.flows.ray_fakes.register``;
``python -m tests.flows.ray_fakes ARGS`` is the ``datagen`` command line with the kind
registered (the threads runner's reference runs), and ``... prepare FOLDER N`` writes a source.
``bench`` is imported only in those processes, which run from the repository's root: pytest's
own process may not have the root on ``sys.path``.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import uuid
from collections.abc import Sequence
from pathlib import Path

from datagen.generators.engines import EngineSpec, Request, Result, register_engine

KIND = "ray-fake"
LATENCY_S = 0.1
"""Per request: long enough that a shard outlasts a worker's start, so both nodes get work."""


class LoggedFaultyEngine:
    """Wraps the fixed-latency fake: logs each call, dies on request."""

    def __init__(self, spec: EngineSpec) -> None:
        from bench.orchestration import FakeFixedLatencyEngine

        self.folder = Path(spec.target)
        answers = json.loads((self.folder / "answers.json").read_text())
        self.inner = FakeFixedLatencyEngine(spec=str(spec), latency_s=LATENCY_S, answers=answers)
        self.name, self.model = self.inner.name, self.inner.model
        self.instance = uuid.uuid4().hex

    def generate(self, requests: Sequence[Request]) -> list[Result]:
        calls = self.folder / "calls"
        calls.mkdir(exist_ok=True)
        call = {"pid": os.getpid(), "node": _ray_node(), "engine": self.instance,
                "first_request": requests[0].request_id if requests else None}  # fmt: skip
        (calls / f"{uuid.uuid4().hex}.json").write_text(json.dumps(call))
        try:
            (self.folder / "kill-next").unlink()
        except FileNotFoundError:
            return self.inner.generate(requests)
        os.kill(os.getpid(), signal.SIGKILL)
        raise AssertionError("unreachable: the process was killed")

    def close(self) -> None:
        self.inner.close()


def _ray_node() -> str | None:
    """The Ray node this process works for, or None outside Ray."""
    if "ray" not in sys.modules:
        return None
    import ray

    return ray.get_runtime_context().get_node_id() if ray.is_initialized() else None


def register() -> None:
    register_engine(KIND, LoggedFaultyEngine)


def read_calls(folder: Path) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted((folder / "calls").glob("*.json"))]


def prepare(folder: Path, tasks: int) -> None:
    """Write ``tasks.jsonl`` (``tasks`` synthetic tool-use chats) and ``answers.json``."""
    from bench.orchestration import write_source

    answers = write_source(folder / "tasks.jsonl", tasks)
    (folder / "answers.json").write_text(json.dumps(answers))


if __name__ == "__main__":
    if sys.argv[1:2] == ["prepare"]:
        prepare(Path(sys.argv[2]), int(sys.argv[3]))
    else:
        register()
        from datagen.flows.cli import app

        app()
