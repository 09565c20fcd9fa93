"""A version's tokens: stored per stage and engine, summed in ``show``, ``token_totals`` and the
``version_tokens`` view, deleted with the version."""

from __future__ import annotations

import pytest

from datagen.catalog import Catalog, PublishError
from datagen.catalog.tokens import TokenUse, tokens_text

USES = [
    TokenUse(stage="solve", engine="fake:a", prompt_tokens=1000, completion_tokens=300, cost=0.5),
    TokenUse(stage="solve", engine="fake:b", prompt_tokens=200, completion_tokens=40),
    TokenUse(stage="judge", engine="fake:a", prompt_tokens=50, completion_tokens=5, cost=0.25),
]


def test_show_lists_each_stage_and_engine_and_sums_them(catalog: Catalog, publish) -> None:
    info = publish("ds", token_counts=USES)
    tokens = catalog.show(info.ref)["tokens"]
    assert tokens["prompt_tokens"] == 1250 and tokens["completion_tokens"] == 345
    assert tokens["cost"] == pytest.approx(0.75), "the cost of the rows that have one"
    assert [(r["stage"], r["engine"], r["cost"]) for r in tokens["rows"]] == [
        ("judge", "fake:a", 0.25),
        ("solve", "fake:a", 0.5),
        ("solve", "fake:b", None),
    ]


def test_a_version_without_prices_has_no_cost_and_one_without_tokens_none(
    catalog: Catalog, publish
) -> None:
    unpriced = publish("ds", token_counts=[USES[1]])
    bare = publish("ds")
    assert catalog.show(unpriced.ref)["tokens"]["cost"] is None
    assert catalog.show(bare.ref)["tokens"] == {
        "rows": [],
        "prompt_tokens": 0,
        "completion_tokens": 0,
        "cost": None,
    }
    totals = catalog.token_totals()
    assert totals == {("ds", 1): {"prompt_tokens": 200, "completion_tokens": 40, "cost": None}}
    assert tokens_text(totals.get(("ds", 1))) == "200+40"
    assert tokens_text(totals.get(("ds", 2))) == ""


def test_the_version_tokens_view_sums_every_version(catalog: Catalog, publish) -> None:
    publish("ds", token_counts=USES)
    publish("ds", token_counts=USES[1:2])
    publish("other", token_counts=USES[2:])
    rows = catalog.sql(
        "SELECT dataset, version, prompt_tokens, completion_tokens, cost FROM version_tokens "
        "ORDER BY dataset, version"
    ).to_pylist()
    assert rows[0] | {"cost": round(rows[0]["cost"], 6)} == {
        "dataset": "ds",
        "version": 1,
        "prompt_tokens": 1250,
        "completion_tokens": 345,
        "cost": 0.75,
    }
    columns = ("dataset", "version", "prompt_tokens", "completion_tokens", "cost")
    assert [tuple(r[c] for c in columns) for r in rows[1:]] == [
        ("ds", 2, 200, 40, None),
        ("other", 1, 50, 5, 0.25),
    ]


def test_deleting_a_version_deletes_its_tokens(catalog: Catalog, publish) -> None:
    publish("ds", token_counts=USES)
    kept = publish("ds", token_counts=USES[:1])
    catalog.delete("ds@1")
    assert catalog.token_totals() == {
        ("ds", kept.version): {"prompt_tokens": 1000, "completion_tokens": 300, "cost": 0.5}
    }


@pytest.mark.parametrize(
    "uses",
    [
        [USES[0], USES[0]],
        [TokenUse(stage="s", engine="e", prompt_tokens=-1, completion_tokens=0)],
        [TokenUse(stage="s", engine="e", prompt_tokens=1, completion_tokens=0, cost=-0.1)],
    ],
)
def test_repeated_or_negative_token_counts_are_refused(
    catalog: Catalog, publish, uses: list[TokenUse]
) -> None:
    with pytest.raises(PublishError, match=r"token_counts|negative"):
        publish("ds", token_counts=uses)
    assert catalog.list_datasets() == []
