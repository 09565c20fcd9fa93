"""A ToolPref run's options as each stage takes them.

Apart from ``pipeline`` on purpose: this module reads the recipe, whose flow reference would put
every flow's code into the score stage's resume key (``catalog.code_fingerprint``).
"""

from __future__ import annotations

from datagen.generators.engines.spec import without_prices
from datagen.generators.sampling import SamplingPlan
from datagen.generators.toolpref.critique_rows import CritiqueConfig
from datagen.generators.toolpref.generate import GenerationConfig
from datagen.generators.toolpref.pairs import PairingConfig
from datagen.generators.toolpref.recipe import ToolPrefConfig


def stage_configs(
    config: ToolPrefConfig,
) -> tuple[SamplingPlan, GenerationConfig, PairingConfig, CritiqueConfig]:
    """The run's options as each stage takes them: sampling plan, generation, pairing and
    balance, critique rows."""
    plan = SamplingPlan(
        engines=without_prices(config.engines),
        temperatures=config.temperatures,
        samples_per_task=config.samples,
    )
    generation = GenerationConfig(
        plan=plan,
        run_seed=config.seed,
        max_tokens=config.max_tokens,
        constrain=config.constrain,
        ground_truth_candidate=config.ground_truth_candidate,
    )
    pairing = PairingConfig(
        min_margin=config.min_margin,
        max_bucket_share=config.max_bucket_share,
        target_pairs=config.target_pairs,
        seed=config.seed,
        difficulty_filter=config.difficulty_filter,
    )
    critique = CritiqueConfig(
        orders=config.orders,
        mode=config.critique_mode,
        prompt_template=config.prompt_template,
        parser=config.choice_parser,
        seed=config.seed,
    )
    return plan, generation, pairing, critique
