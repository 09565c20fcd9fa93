"""``datagen verify toolcall --rule toolrm`` through the real CLI, malformed lines included."""

from __future__ import annotations

import json
import subprocess
import sys

EMAIL = {"name": "send_email", "arguments": {"to": "ana@example.com", "subject": "Hi", "body": "x"}}
WRONG_BODY = {"name": "send_email", "arguments": {**EMAIL["arguments"], "body": "y"}}


def _run(lines: list[str], *rule: str) -> list[dict]:
    done = subprocess.run(
        [sys.executable, "-m", "datagen.flows.cli", "verify", "toolcall", "-", *rule],
        input="\n".join(lines),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_toolrm_lines_get_the_rules_verdicts_and_malformed_lines_get_reasons() -> None:
    records = [
        {"id": "exact", "ground_truth": [EMAIL], "calls": [EMAIL], "function": [{"name": "x"}]},
        {"id": "body", "ground_truth": [EMAIL], "calls": [WRONG_BODY]},
        {"id": "twice", "ground_truth": [EMAIL], "calls": [EMAIL, EMAIL]},
        {"id": "none", "ground_truth": [], "calls": []},
        {"id": "bad-args", "ground_truth": [EMAIL], "calls": [{"name": "f", "arguments": "{"}]},
        {"id": "no-calls", "ground_truth": [EMAIL]},
        {"id": "gt-type", "ground_truth": {"name": "f"}, "calls": []},
        {"id": "gt-shape", "ground_truth": [{"arguments": {}}], "calls": []},
        {"id": "docs-type", "ground_truth": [], "calls": [], "function": "send_email"},
    ]
    lines = [json.dumps(record) for record in records] + ["not json", "", "[1, 2]"]
    verdicts = _run(lines, "--rule", "toolrm")
    assert [v["id"] for v in verdicts] == [r["id"] for r in records] + ["line 10", "line 12"]
    got = {v["id"]: (v["valid"], round(v["score"], 4), v["error_type"]) for v in verdicts}
    assert got == {
        "exact": (True, 1.0, "ok"),
        "body": (False, 0.6667, "wrong_arguments"),
        "twice": (False, 0.0, "call_count"),
        "none": (True, 1.0, "ok"),
        "bad-args": (False, 0.0, "malformed_input"),
        "no-calls": (False, 0.0, "malformed_input"),
        "gt-type": (False, 0.0, "malformed_input"),
        "gt-shape": (False, 0.0, "malformed_input"),
        "docs-type": (False, 0.0, "malformed_input"),
        "line 10": (False, 0.0, "malformed_input"),
        "line 12": (False, 0.0, "malformed_input"),
    }
    for verdict in verdicts:
        assert (
            set(verdict) == {"id", "valid", "score", "error_type", "reason"} and verdict["reason"]
        )
    reasons = {v["id"]: v["reason"] for v in verdicts}
    assert "missing keys: calls" in reasons["no-calls"]
    assert "invalid JSON" in reasons["line 10"]
    assert "JSON object" in reasons["line 12"]


def test_bfcl_stays_the_default_rule() -> None:
    line = json.dumps({"id": "a", "ground_truth": [EMAIL], "calls": [EMAIL]})
    (default,) = _run([line])
    assert default["error_type"] == "malformed_input" and "function" in default["reason"]
    (toolrm,) = _run([line], "--rule", "toolrm")
    assert toolrm["valid"] is True
