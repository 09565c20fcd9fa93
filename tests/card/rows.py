"""A few hand-made rows per dataset, in the record shape its flow publishes, and a publish of
them through ``Catalog.publish`` (as ``tests/export/handmade.py`` and a flow's publish step do).

Each set of rows is checked against the dataset's published schema, so a card test reads the
columns a real version has; the values are chosen so that each plot of the dataset's card spec
has something to draw.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from datagen.catalog import Catalog, LineageEntry, Store, write_parquet_atomic
from datagen.schemas import first_error, records_to_table
from datagen.schemas.records import Quarantined, StageCounts
from tests.export.handmade import SCHEMA as TOOLPREF_SCHEMA
from tests.export.handmade import critique_records

Row = dict[str, Any]


def checked(schema_id: str, rows: list[Row]) -> list[Row]:
    """``rows``, each valid in ``schema_id`` (else the first reason fails the test)."""
    reasons = [reason for row in rows if (reason := first_error(schema_id, row))]
    assert not reasons, reasons[0]
    return rows


def toolpref_rows() -> list[Row]:
    return critique_records()  # labels, intensity, scores, complexity, source, category


def tear_rows() -> list[Row]:
    rows = []
    for i in range(8):
        variant = "code" if i % 2 else "description"
        n_passed = i % 5
        rows.append(
            {
                "task_id": f"tear-{i}",
                "variant": variant,
                "description": None if variant == "code" else "Adds one to its argument.",
                "function_id": f"fn-{i // 2}",
                "source": "humaneval",
                "entry_point": "f",
                "code": "def f(x):\n    return x + 1\n",
                "call": f"f({i})",
                "expected": str(i + 1),
                "prompt": [{"role": "user", "content": f"What does f({i}) return?"}],
                "ast_nodes": 10 + i,
                "max_depth": 1,
                "loops": 0,
                "branches": i % 2,
                "data_structures": "",
                "trace_steps": 2 + i,
                "n_samples": 4,
                "n_passed": n_passed,
                "pass_rate": n_passed / 4,
                "pass_bucket": f"{n_passed / 4:.2f}",
            }
        )
    return checked("tear/rl.v2", rows)


def a2search_rows() -> list[Row]:
    rows = []
    for i in range(6):
        alternatives = i % 3
        alts = [[f"alt {i}.{k}", f"alias {i}.{k}"] for k in range(alternatives)]
        answers = [[f"answer {i}"], *alts]
        rows.append(
            {
                "question_id": f"q-{i}",
                "question": f"Who wrote book {i}?",
                "answer_set": answers,
                "reference": [f"answer {i}"],
                "alternatives": alternatives,
                "ambiguous": alternatives > 0,
                "protocol": "tags",
            }
        )
    return checked("a2search/rl.v1", rows)


def a2search_trajectory_rows() -> list[Row]:
    rows = []
    for i in range(6):
        finish = ("answer", "max_turns", "malformed")[i % 3]
        rows.append(
            {
                "question_id": f"q-{i // 2}",
                "agent": f"agent-{i % 2}",
                "trajectory_id": f"t-{i}",
                "messages": [
                    {"role": "user", "content": "Who wrote it?", "tool_output": False},
                    {"role": "assistant", "content": "<search>book</search>", "tool_output": False},
                    {"role": "tool", "content": "doc 1", "tool_output": True},
                ],
                "turns": [
                    {
                        "index": 0,
                        "kind": "tool",
                        "text": "<search>book</search>",
                        "finish_reason": "stop",
                        "completion_tokens": 5,
                        "seed": 1,
                        "tool": "search",
                        "input": "book",
                        "output": "doc 1",
                        "tool_error": None,
                    },
                ],
                "answer": "someone" if finish == "answer" else None,
                "finish_reason": finish,
                "tool_calls": i % 4,
                "malformed_turns": int(finish == "malformed"),
                "completion_tokens": 20,
                "prompt_tokens": 40,
            }
        )
    return checked("a2search/trajectory.v1", rows)


LANGUAGES = ("python", "java", "cpp")


def ifevalcode_row(i: int, language: str, direction: str) -> Row:
    return {
        "id": f"ifc-{language}-{i}",
        "programming_language": language,
        "english_question": "Write a function that adds two numbers.",
        "chinese_question": "",
        "check_correctness": "assert add(1, 2) == 3",
        "check_instruction": "def check_instruction(response):\n    return True\n",
        "constraints": [
            {"category": "naming", "kind": f"kind-{k}", "text": "Name it add.", "parameters": {}}
            for k in range(1 + i % 3)
        ],
        "direction": direction,
        "reference_response": "def add(a, b):\n    return a + b\n",
        "seed_id": f"seed-{i}",
        "source": "handmade",
        "license": "MIT",
    }


def ifevalcode_rows() -> list[Row]:
    rows = [
        ifevalcode_row(i, language, ("forward", "backward")[i % 2])
        for i, language in enumerate(LANGUAGES * 2)
    ]
    return checked("ifevalcode/problem.v1", rows)


def ifevalcode_quarantine() -> dict[str, list[Quarantined]]:
    """The keep stage's failures, stored under each chain's first stage (``CHAIN_STAGES``):
    python loses 2 of 4 checked, java 1 of 3, cpp none; the ``pick`` stage's record without a
    ``direction`` (a parse failure) is not a checked row."""
    lost = [ifevalcode_row(10, "python", "backward"), ifevalcode_row(11, "python", "backward")]
    picked = ifevalcode_row(12, "java", "forward")
    unparsed = {"id": "ifc-x", "programming_language": "cpp", "text": "no picks"}
    return {
        "backward": [Quarantined(r["id"], "check_failed:tests", r) for r in lost],
        "pick": [
            Quarantined(picked["id"], "check_failed:instruction", picked),
            Quarantined("ifc-x", "unparsed_picks", unparsed),
        ],
    }


def omni_rows(*, flagged: Sequence[float | None] = (0.0, 0.25, 0.5, 0.1, None)) -> list[Row]:
    rows = []
    for i, share in enumerate(flagged):
        sha = hashlib.sha256(f"clip-{i}".encode()).hexdigest()
        rows.append(
            {
                "clip_id": f"clip-{i}",
                "media_sha256": sha,
                "path": f"/store/media/{sha}.wav",
                "duration_s": 3.5 + i,
                "modality": ("audio", "video", "audio-visual")[i % 3],
                "caption": "A dog barks twice.",
                "transcript": "",
                "evidence": [
                    {
                        "turn": k,
                        "tool": "audio",
                        "question": "What is heard?",
                        "observation": "barking",
                    }
                    for k in range(1 + i % 2)
                ],
                "hallucination": {
                    "check_version": 1,
                    "sentences": 4,
                    "flagged_share": share,
                    "flagged": [],
                },
                "finish_reason": "answer" if i % 2 == 0 else "max_turns",
                "messages": [],
                "turns": [],
                "cloze": None,
                "source": "handmade",
                "license": "CC-BY-4.0",
            }
        )
    return checked("omni/caption.v1", rows)


ROWS = {
    "toolpref-pairwise": (TOOLPREF_SCHEMA, toolpref_rows),
    "tear": ("tear/rl.v2", tear_rows),
    "a2search": ("a2search/rl.v1", a2search_rows),
    "a2search-trajectories": ("a2search/trajectory.v1", a2search_trajectory_rows),
    "ifevalcode": ("ifevalcode/problem.v1", ifevalcode_rows),
    "omni-detective": ("omni/caption.v1", omni_rows),
}
"""Dataset → (the schema its flow publishes, its hand-made rows)."""


def publish_rows(
    store: Store,
    *,
    dataset: str,
    schema_id: str,
    rows: Sequence[Row],
    lineage: Sequence[LineageEntry] = (),
    quarantine: Mapping[str, Sequence[Quarantined]] | None = None,
) -> str:
    """Publish ``rows`` as ``dataset``'s next version, as a flow's publish step does; its ref."""
    part = write_parquet_atomic(
        records_to_table(schema_id, list(rows)), store.staging_dir() / "part-00000.parquet"
    )
    lost = sum(len(entries) for entries in (quarantine or {}).values())
    info = Catalog(store, lock_timeout=10).publish(
        dataset=dataset,
        files=[part.path],
        schema_id=schema_id,
        params={"source": "handmade"},
        code_version="test",
        flow_run_id=None,
        stats={},
        lineage=lineage,
        quarantine=quarantine,
        stage_counts=[
            StageCounts(
                stage="keep",
                n_in=len(rows) + lost,
                n_out=len(rows),
                n_filtered=0,
                n_quarantined=lost,
            )
        ],
    )
    return info.ref
