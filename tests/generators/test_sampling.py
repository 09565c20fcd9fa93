from __future__ import annotations

from collections import Counter

import pytest

from datagen.generators.sampling import SamplingPlan, derive_seed, stable_int


def test_cells_are_the_cross_product() -> None:
    plan = SamplingPlan(
        engines=("a", "b"),
        temperatures=(0.5, 1.0),
        prompt_variants=("x",),
        tool_orders=("given", "shuffled"),
    )
    cells = plan.cells()
    assert len(cells) == 8
    assert len({(c.engine, c.temperature, c.prompt_variant, c.tool_order) for c in cells}) == 8


def test_samples_spread_evenly_over_cells_across_tasks() -> None:
    plan = SamplingPlan(samples_per_task=4)  # 8 cells, 4 samples per task
    used = Counter(cell for t in range(400) for _, cell in plan.assign(f"task-{t}"))
    assert len(used) == 8
    assert max(used.values()) - min(used.values()) < 0.25 * max(used.values())


def test_a_task_never_repeats_a_cell_while_cells_remain() -> None:
    plan = SamplingPlan(samples_per_task=8)
    cells = [cell for _, cell in plan.assign("t")]
    assert len(set(cells)) == 8


def test_seeds_depend_on_run_task_and_sample_only() -> None:
    assert derive_seed(0, "t", 1) == derive_seed(0, "t", 1)
    seeds = {derive_seed(run, task, i) for run in (0, 1) for task in ("a", "b") for i in range(4)}
    assert len(seeds) == 16
    assert all(0 <= s < 2**31 for s in seeds)
    assert stable_int("x") == stable_int("x") != stable_int("y")


@pytest.mark.parametrize(
    "kwargs",
    [{"engines": ()}, {"temperatures": ()}, {"samples_per_task": 0}, {"temperatures": (-0.1,)}],
)
def test_invalid_plans_are_refused(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        SamplingPlan(**kwargs)
