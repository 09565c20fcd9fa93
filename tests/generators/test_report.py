"""The run report: stage counts first, then notes, then each distribution (or "none")."""

from __future__ import annotations

from datagen.generators.report import render_report
from datagen.schemas.records import StageCounts


def test_report_lists_counts_notes_and_distributions_in_order() -> None:
    report = render_report(
        dataset="demo",
        counts=[StageCounts("source", 10, 7, 2, 1), StageCounts("pair", 7, 4, 3)],
        notes=["2 of 3 shards resumed"],
        distributions={"labels": {"1": 3, "2": 1}},
    )
    assert report.startswith("# demo: run report\n")
    assert "| source | 10 | 7 | 2 | 1 |" in report and "| pair | 7 | 4 | 3 | 0 |" in report
    assert report.index("| pair |") < report.index("- 2 of 3 shards resumed")
    assert "| 1 | 3 | 75.0% |" in report and "| 2 | 1 | 25.0% |" in report


def test_an_empty_distribution_says_none_instead_of_an_empty_table() -> None:
    report = render_report(
        dataset="demo", counts=[StageCounts("source", 1, 1, 0)], distributions={"reasons": {}}
    )
    assert report.endswith("## reasons\n\nnone\n")
    assert "| reasons | count | share |" not in report
