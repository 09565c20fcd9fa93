"""Schema validation throughput: datagen's validator vs the ``jsonschema`` reference.

    python bench/validator.py [--records 200000] [--smoke]

Both validate the same critique rows (valid and invalid) against ``toolpref/critique.v2``,
side by side in one run; prints records/s for each and the ratio.
"""

from __future__ import annotations

import argparse
import copy
import time

import jsonschema

from datagen.schemas import first_error, is_valid, load_schema

try:
    from bench.machine import describe_machine
except ImportError:  # run as a script from bench/
    from machine import describe_machine

SCHEMA = "toolpref/critique.v2"
ROW = {
    "row_id": "bfcl/simple_python_0|a>b#1",
    "pair_id": "bfcl/simple_python_0|a>b",
    "task_id": "bfcl/simple_python_0",
    "source": "bfcl",
    "category": "simple_python",
    "prompt": [
        {"role": "user", "content": "# Conversation\n[user]\narea of a triangle?" * 14},
    ],
    "answer": "<evaluation>Response 1 is right.</evaluation>\n<choice>\n1\n</choice>",
    "label": 1,
    "mode": "think",
    "parser": "strict",
    "conversation": '[{"role": "user", "content": "area of a triangle?"}]',
    "tools": '[{"name": "area"}]',
    "ground_truth": '[{"area": {"base": [10]}}]',
    "response_1": '[{"name": "area", "arguments": {"base": 10}}]',
    "response_2": '[{"name": "area", "arguments": {"base": 1}}]',
    "score_1": 1.0,
    "score_2": 0.4,
    "complexity": 2,
    "intensity": "0.6-0.7",
}


def make_records(count: int) -> list[dict]:
    invalid = copy.deepcopy(ROW) | {"label": 3}
    return [invalid if i % 10 == 0 else copy.deepcopy(ROW) for i in range(count)]


def rate(run, records: list[dict]) -> tuple[float, int]:
    start = time.perf_counter()
    valid = run(records)
    return len(records) / (time.perf_counter() - start), valid


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument(
        "--smoke", action="store_true", help="a tiny run that checks the script works"
    )
    args = parser.parse_args()
    count = 2_000 if args.smoke else args.records
    records = make_records(count)
    reference = jsonschema.Draft202012Validator(load_schema(SCHEMA))
    ours_check, ours_rate_valid = rate(lambda rs: sum(is_valid(SCHEMA, r) for r in rs), records)
    batch_rate, batch_valid = rate(
        lambda rs: sum(first_error(SCHEMA, r) is None for r in rs), records
    )
    ref_rate, _ = rate(
        lambda rs: sum(reference.is_valid(r) for r in rs), records[: max(count // 10, 1000)]
    )
    assert ours_rate_valid == batch_valid, "the two datagen paths disagree"
    print(f"machine: {describe_machine()}")
    print(f"records: {count} critique rows (10% invalid)")
    print(f"datagen is_valid        : {ours_check:12,.0f} records/s")
    print(f"datagen first_error     : {batch_rate:12,.0f} records/s (with reasons)")
    print(f"jsonschema (reference)  : {ref_rate:12,.0f} records/s")
    print(f"ratio datagen/jsonschema: {ours_check / ref_rate:.1f}x")


if __name__ == "__main__":
    main()
