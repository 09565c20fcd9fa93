"""``datagen verify toolcall`` through the real CLI agrees with BFCL's checker line by line."""

from __future__ import annotations

import json
import random
import subprocess
import sys

from tests.verifiers.bfcl_mutations import cases, to_bfcl, to_calls

CATEGORIES = (
    "simple_python",
    "multiple",
    "parallel",
    "parallel_multiple",
    "live_simple",
    "live_parallel",
)


def test_cli_verdicts_match_bfcl_and_malformed_lines_get_reasons(bfcl_check, bfcl_rows) -> None:
    rng = random.Random(11)
    lines, expected = [], []
    for category in CATEGORIES:
        for question, answer in bfcl_rows[category][:15]:
            for kind, mutated in cases(question["function"], answer["ground_truth"], rng):
                output = json.loads(json.dumps(mutated))  # what the CLI will read (tuples → lists)
                case_id = f"{question['id']}:{kind}:{len(lines)}"
                record = {
                    "id": case_id,
                    "function": question["function"],
                    "ground_truth": answer["ground_truth"],
                    "calls": to_calls(output),
                }
                if len(lines) % 2:
                    record["category"] = category  # else inferred from the ground truth
                lines.append(json.dumps(record))
                valid, _ = bfcl_check(
                    question["function"], to_bfcl(output), answer["ground_truth"], category
                )
                expected.append((case_id, valid))
    lines += ["not json", json.dumps({"id": "no-calls", "function": [], "ground_truth": []}), ""]
    done = subprocess.run(
        [sys.executable, "-m", "datagen.flows.cli", "verify", "toolcall", "-"],
        input="\n".join(lines),
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    verdicts = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(verdicts) == len(expected) + 2
    assert [(v["id"], v["valid"]) for v in verdicts[: len(expected)]] == expected
    assert {v for _, v in expected} == {True, False}
    for verdict in verdicts[: len(expected)]:
        assert (verdict["score"] == 1.0) is verdict["valid"] and verdict["reason"]
    bad_json, no_calls = verdicts[-2:]
    assert bad_json["valid"] is False and "invalid JSON" in bad_json["reason"]
    assert no_calls["id"] == "no-calls" and "missing keys: calls" in no_calls["reason"]
