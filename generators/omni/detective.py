"""The detective: an engine that never hears or sees a clip asks observer tools about it, then
writes a chronological, detailed caption with a transcript.

As in the released code, inquiries are JSON turns ``{"tool_name": ..., "question": ...}``
(``JsonProtocol``, constrained by a schema where the engine allows it), the detective is told
that observers are imperfect and must be cross-checked, and the first inquiry is the general
"describe it in as much detail as possible". That first inquiry is asked for every clip before
the loop starts (one batched call of the ``describe`` tool) and written into the conversation,
so even a weak engine's caption starts from real observations. Every clip then advances one
turn per batched engine call; each call reaches the tools with its clip (``tool_context``).
A caption keeps its evidence trail ``[{turn, tool, question, observation}]``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from datagen.generators.agent.loop import AgentLimits, AgentLoop, AgentTask
from datagen.generators.agent.protocols import JsonProtocol
from datagen.generators.agent.stage import agent_stage
from datagen.generators.agent.tools import InContext, Tool, ToolOutput, run_tools
from datagen.generators.engines.base import Engine, Message, Sampling
from datagen.generators.omni.captions import caption_row
from datagen.generators.omni.judge import judge_rows
from datagen.generators.omni.observers import observer_tools
from datagen.schemas.records import Record, StageOutcome

FIRST_QUESTION = "Describe the clip in as much detail as possible."
FINAL_INSTRUCTION = (
    "Now write the final caption as plain text: a chronological, detailed description of "
    "everything that can be heard and seen, with times, and the full transcript of the "
    "speech in quotes. State only what the observers support."
)
SYSTEM = (
    "You are a detective describing a media clip that you cannot hear or see. You learn about "
    "it only by asking observer tools one question per turn, as JSON "
    '{{"tool_name": <tool>, "question": <question>}}. The tools:\n{tools}\n'
    "Observers are imperfect: they mishear, misread and miss things, so cross-check what "
    "matters with another tool before you rely on it. Ask about times, speech, text on screen, "
    "sounds, colours and motion."
)


def clip_facts(clip: Record) -> str:
    """What the detective is told about the clip itself: its length and what it holds."""
    kinds = [k for k, has in (("audio", clip["has_audio"]), ("video", clip["has_video"])) if has]
    return (
        f"The clip {clip['clip_id']} lasts {clip['duration_s']:.1f} s and has "
        f"{' and '.join(kinds) or 'no streams'}."
    )


def detective_task(clip: Record, first_observation: str, tools: Sequence[Tool]) -> AgentTask:
    """The conversation of one clip: the rules, the clip's facts, and the first inquiry with
    its observation already answered."""
    listing = "\n".join(f"- {tool.name}: {tool.description}" for tool in tools)
    first_call = json.dumps({"tool_name": "describe", "question": FIRST_QUESTION})
    messages: tuple[Message, ...] = (
        {"role": "system", "content": SYSTEM.format(tools=listing)},
        {"role": "user", "content": f"{clip_facts(clip)} Start your inquiries."},
        {"role": "assistant", "content": first_call, "tool_output": False},
        {"role": "user", "content": first_observation, "tool_output": True},
    )
    return AgentTask(
        trajectory_id=clip["clip_id"],
        messages=messages,
        extra={"clip_id": clip["clip_id"], "first_observation": first_observation},
        tool_context=clip,
    )


def evidence_trail(trajectory: Record) -> list[dict[str, Any]]:
    """``[{turn, tool, question, observation}]``: the first inquiry, then every tool turn."""
    trail = [
        {
            "turn": 0,
            "tool": "describe",
            "question": FIRST_QUESTION,
            "observation": trajectory["first_observation"],
        }
    ]
    for turn in trajectory["turns"]:
        if turn["kind"] == "tool":
            trail.append(
                {
                    "turn": turn["index"] + 1,
                    "tool": turn["tool"],
                    "question": turn["input"],
                    "observation": turn.get("output", ""),
                }
            )
    return trail


TRANSCRIBE = "Transcribe all of the speech."
TURN_STOPS = ("\nUser:", "\nAssistant:", "\nTool result:")
"""Where a base model, continuing the transcript, starts a turn of its own."""


def detective_stage(
    clips: Sequence[Record],
    *,
    engine: Engine,
    tools: Sequence[Tool],
    inquiries: int,
    turn_tokens: int,
    temperature: float,
    seed: int,
) -> StageOutcome:
    """Every clip's detective through one loop: up to ``inquiries`` questions after the first,
    then the caption. Trajectory records carry ``evidence``, ``caption`` and ``transcript``
    (the ``asr`` tool's, asked up front beside the first inquiry; empty without speech)."""
    asked = [("describe", InContext(clip, FIRST_QUESTION)) for clip in clips]
    asked += [("asr", InContext(clip, TRANSCRIBE)) for clip in clips]
    outputs = run_tools(asked, tools)
    firsts, transcripts = outputs[: len(clips)], outputs[len(clips) :]
    first_of = {clip["clip_id"]: _observed(out) for clip, out in zip(clips, firsts, strict=True)}
    loop = AgentLoop(
        engine=engine,
        protocol=JsonProtocol(final_instruction=FINAL_INSTRUCTION, stops=TURN_STOPS),
        tools=tools,
        limits=AgentLimits(
            max_turns=inquiries + 1, max_tokens=(inquiries + 1) * turn_tokens, final_turn=True
        ),
        sampling=Sampling(temperature=temperature, max_tokens=turn_tokens),
        seed=seed,
    )
    outcome = agent_stage(
        clips,
        stage="detective",
        loop=loop,
        tasks=lambda clip: [detective_task(clip, first_of[clip["clip_id"]], tools)],
    )
    transcript_of = {
        clip["clip_id"]: _observed(out) if clip["has_audio"] and _answered(out) else ""
        for clip, out in zip(clips, transcripts, strict=True)
    }
    for record in outcome.records:
        record["evidence"] = evidence_trail(record)
        record["caption"] = record["answer"] or ""
        record["transcript"] = transcript_of[record["clip_id"]]
    return outcome


def _observed(output: ToolOutput) -> str:
    return output.error if output.error is not None else str(output.output)


def _answered(output: ToolOutput) -> bool:
    """Whether a tool answered (observer failures are texts that start with their kind)."""
    return output.error is None and not str(output.output).startswith(("error:", "timeout:"))


def detective_shard(
    clips: Sequence[Record],
    *,
    engines: Callable[[str], Engine],
    engine: str,
    inquiries: int,
    turn_tokens: int,
    temperature: float,
    tool_seconds: float,
    seed: int,
    judge: str | None = None,
) -> list[StageOutcome]:
    """One shard of clips as a flow's shard stage: the detective, then one row per clip, each
    caption judged by the ``judge`` engine too when one is named (in the shard, so a resumed
    run keeps its judgements). The observers' analyses are cached beside the clips
    (``<store>/media/analyses``), so a rerun or another run over the same media does not
    analyse them again."""
    cache_dir = str(Path(clips[0]["path"]).parent / "analyses") if clips else None
    tools = observer_tools(cache_dir, timeout_s=tool_seconds)
    detected = detective_stage(
        clips,
        engine=engines(engine),
        tools=tools,
        inquiries=inquiries,
        turn_tokens=turn_tokens,
        temperature=temperature,
        seed=seed,
    )
    by_id = {clip["clip_id"]: clip for clip in clips}
    rows = [caption_row(by_id[t["clip_id"]], t) for t in detected.records]
    if judge is not None:
        rows = judge_rows(rows, engine=engines(judge), spec=judge)
    return [detected, StageOutcome("caption", len(detected.records), rows).check()]
