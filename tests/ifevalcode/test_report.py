"""The report's figures: pass rates of the keep stage from kept rows and what it quarantined."""

from __future__ import annotations

from datagen.generators.ifevalcode.pipeline import report_figures
from datagen.schemas.records import Quarantined


def row(language: str, direction: str, *categories: str, chinese: str = "") -> dict:
    return {
        "programming_language": language,
        "direction": direction,
        "constraints": [{"category": c} for c in categories],
        "chinese_question": chinese,
    }


def test_pass_rates_count_kept_of_checked_per_language_category_and_direction() -> None:
    kept = [
        row("python", "backward", "naming", "limits", chinese="题目"),
        row("java", "forward", "limits", "limits"),
    ]
    failed = [
        Quarantined("x", "reference_incorrect: ...", row("java", "forward", "naming", "comments")),
        Quarantined("y", "engine_error:timeout: slow", {"id": "problem without a row"}),
    ]
    distributions, notes = report_figures(kept, failed, engine="embedded", chinese=True)
    assert "keep pass rate per language: java 1/2 (50%), python 1/1 (100%)" in notes
    assert (
        "keep pass rate per constraint category: comments 0/1 (0%), limits 2/2 (100%), "
        "naming 1/2 (50%)"
    ) in notes
    assert "keep pass rate per direction: backward 1/1 (100%), forward 1/2 (50%)" in notes
    assert distributions["constraints per problem"] == {"2": 2}
    chinese = next(n for n in notes if n.startswith("chinese_question"))
    assert "for 1 of 2 rows" in chinese and "low quality" in chinese
    _, other = report_figures(kept, [], engine="openai:http://x/v1?model=m", chinese=True)
    assert not any("low quality" in n for n in other)
