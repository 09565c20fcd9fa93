"""Evaluation figures on one line, as ``catalog show`` prints them."""

from __future__ import annotations

import pytest

from datagen.flows.render import figures_text


@pytest.mark.parametrize(
    ("figures", "text"),
    [
        ({"overall": 0.5, "per_tag": {"visual": 1.0, "auditory": None}},
         "overall 0.500, visual 1.000, auditory -"),
        ({"w_avg": 0.25, "per_category": {"simple": {"pair_accuracy": 0.75, "order_1": 1.0},
                                          "multiple": {"pair_accuracy": 0.5}}},
         "w_avg 0.250, simple pair_accuracy 0.750, simple order_1 1.000, "
         "multiple pair_accuracy 0.500"),
        ({}, ""),
    ],
    ids=["cloze", "critic", "empty"],
)  # fmt: skip
def test_a_group_of_groups_keeps_each_inner_groups_name(figures: dict, text: str) -> None:
    assert figures_text(figures) == text
