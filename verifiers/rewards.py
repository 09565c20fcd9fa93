"""Reward entry points with the signatures trainers call, one registry for every dataset.

- verl: ``compute_score(data_source, solution_str, ground_truth, extra_info=None, **kwargs)``,
  named by ``reward.custom_reward_function.path=<this file>`` and ``.name=compute_score``.
  verl loads the file with ``importlib.util.spec_from_file_location`` under a made-up module
  name, so this module uses absolute imports only and defines no dataclasses (both need the
  module to be importable by its own name).
- TRL: ``reward_func(prompts, completions, *, data_source, ground_truth, **kwargs)``, named by
  ``--reward_funcs datagen.verifiers.rewards.reward_func``; GRPOTrainer passes every dataset
  column as a keyword argument, so the exported ``data_source`` and ``ground_truth`` columns
  arrive here.

Both dispatch on ``data_source``, the value the exports write, to the dataset's verifier, and
pass ``ground_truth`` through as the trainer typed it (text, number, list, dict, NumPy array):
the verifier decodes it. A new dataset adds one entry to ``REWARDS`` (and one to
``BATCH_REWARDS`` when its checks run programs, so that TRL's batches run in parallel).

A verifier with per-row options reads them from the row's ``extra_info`` (``ROW_OPTIONS``):
the critique's ``<choice>`` parser, say, which each ToolPref row names.

A reward made of parts (IFEvalCode's correct × instruction) reports them: ``compute_score``
returns verl's dict form ``{"score", **parts}``, whose other keys verl keeps as
``reward_extra_info``, and ``reward_func`` logs them.
"""

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from datagen.verifiers.ansf1 import ansf1_reward
from datagen.verifiers.answer_match import answer_match
from datagen.verifiers.code_reward import code_reward, code_rewards
from datagen.verifiers.critique import critique_options, critique_reward
from datagen.verifiers.verdict import Verdict

RewardFn = Callable[[Any, Any], Verdict]
"""``(completion text, ground truth as the trainer gave it) -> Verdict``; each verifier decodes
its ground truth (``datagen.verifiers.ground_truth.plain``)."""

REWARDS: Mapping[str, RewardFn] = {
    "toolpref-pairwise": critique_reward,
    "tear": answer_match,
    "example": answer_match,
    "a2search": ansf1_reward,
    "ifevalcode": code_reward,
}

ROW_OPTIONS: Mapping[str, Callable[[Any], dict[str, Any]]] = {
    "toolpref-pairwise": critique_options,
}
"""``extra_info -> keyword options of the verifier``, for datasets whose rows choose how they
are scored; a row without the key is scored by the verifier's default."""

BatchRewardFn = Callable[..., list[Verdict]]
"""``(completions, ground truths, **options) -> verdicts``: a verifier that runs programs
scores a whole batch at once, its programs in parallel (``reward_func`` uses it)."""

BATCH_REWARDS: Mapping[str, BatchRewardFn] = {
    "ifevalcode": code_rewards,
}


def reward_for(data_source: str) -> RewardFn:
    """The verifier that scores completions of ``data_source``; unknown sources are an error
    (a silent 0 would train a policy on a misconfigured run without anyone noticing)."""
    try:
        return REWARDS[data_source]
    except (KeyError, TypeError):
        raise ValueError(
            f"no reward for data_source {data_source!r}; known data sources: "
            f"{', '.join(sorted(REWARDS))}"
        ) from None


def score(
    data_source: str,
    completion: Any,
    ground_truth: Any,
    *,
    extra_info: Any = None,
    **options: Any,
) -> Verdict:
    """The full verdict (value, pass flag, reason) for one completion; ``options`` go to a
    batch verifier (IFEvalCode's ``combine``), ``extra_info`` to ``ROW_OPTIONS``."""
    reward = reward_for(data_source)
    if options and data_source in BATCH_REWARDS:
        return BATCH_REWARDS[data_source]([completion], [ground_truth], **options)[0]
    row_options = ROW_OPTIONS[data_source](extra_info) if data_source in ROW_OPTIONS else {}
    return reward(completion, ground_truth, **row_options)


def compute_score(
    data_source: str,
    solution_str: str,
    ground_truth: Any,
    extra_info: dict[str, Any] | None = None,
    combine: str | None = None,
    **kwargs: Any,
) -> float | dict[str, float]:
    """verl's reward function: the score of one decoded response, in [0, 1].

    ``extra_info`` matters only through ``ROW_OPTIONS`` (a critique row's ``parser``); the
    extra keyword arguments verl adds (``num_turns``, reward-loop handles) do not change a
    rule-based score. ``combine`` (from verl's
    ``custom_reward_function.reward_kwargs``) picks how IFEvalCode's parts make the score;
    a reward with parts returns ``{"score": ..., **parts}``.
    """
    options = {"combine": combine} if combine is not None else {}
    verdict = score(data_source, solution_str, ground_truth, extra_info=extra_info, **options)
    if verdict.parts is not None:
        return {"score": verdict.value, **verdict.parts}
    return verdict.value


def completion_text(completion: Any) -> Any:
    """The text to score: a plain string, or the last assistant message of a conversational
    completion (TRL passes ``[{"role": "assistant", "content": ...}]``). Other shapes are
    returned unchanged so the verifier can reject them with a reason."""
    if isinstance(completion, Sequence) and not isinstance(completion, str | bytes):
        messages = [m for m in completion if isinstance(m, Mapping)]
        replies = [m for m in messages if m.get("role") == "assistant"] or messages
        return replies[-1].get("content") if replies else None
    return completion


def reward_func(
    prompts: Sequence[Any],
    completions: Sequence[Any],
    *,
    data_source: Sequence[str],
    ground_truth: Sequence[Any],
    log_extra: Callable[[str, list], None] | None = None,
    **kwargs: Any,
) -> list[float]:
    """TRL's reward function: one score per completion, from the row's own dataset verifier.

    Rows of a batch verifier (``BATCH_REWARDS``) are scored together, their programs in
    parallel. ``log_extra`` (given by GRPOTrainer) records each verdict's reason code, and
    each part of a reward made of parts, beside the completion in TRL's completions table, so
    a run shows *why* rewards are zero. An ``extra_info`` column (GRPOTrainer passes it with
    the others) gives each row its ``ROW_OPTIONS``.
    """
    if not len(completions) == len(data_source) == len(ground_truth):
        raise ValueError(
            f"reward_func got {len(completions)} completions but {len(data_source)} "
            f"data_source and {len(ground_truth)} ground_truth values; they must align"
        )
    texts = [completion_text(completion) for completion in completions]
    infos = kwargs.get("extra_info")
    if infos is None:
        infos = [None] * len(texts)
    elif len(infos) != len(texts):
        raise ValueError(f"reward_func got {len(texts)} completions but {len(infos)} extra_info")
    verdicts: list[Verdict | None] = [None] * len(texts)
    for source in {s for s in data_source if isinstance(s, str)} & BATCH_REWARDS.keys():
        rows = [i for i, s in enumerate(data_source) if s == source]
        batch = BATCH_REWARDS[source]([texts[i] for i in rows], [ground_truth[i] for i in rows])
        for i, verdict in zip(rows, batch, strict=True):
            verdicts[i] = verdict
    done = [
        verdict or score(source, text, truth, extra_info=info)
        for verdict, text, source, truth, info in zip(
            verdicts, texts, data_source, ground_truth, infos, strict=True
        )
    ]
    if log_extra is not None:
        log_extra("reward_reason", [v.code for v in done])
        for part in sorted({name for v in done for name in v.parts or {}}):
            log_extra(part, [(v.parts or {}).get(part) for v in done])
    return [v.value for v in done]
