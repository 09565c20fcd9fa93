"""A²Search's filter, vote count, merge and answer sets on trajectories the tests write, and its
search and verify stages on ``FakeScriptedEngine`` over the demo corpus's real BM25 index."""

from __future__ import annotations

import re
from functools import partial

import pytest

from datagen.generators.a2search.agent import search_stage
from datagen.generators.a2search.alternatives import find_alternatives
from datagen.generators.a2search.answer_sets import (
    answer_sets,
    merge_aliases,
    verified_trajectories,
)
from datagen.generators.a2search.configs import AgentConfig
from datagen.generators.a2search.evidence import verified_candidates, verify_stage
from datagen.generators.a2search.search_index import open_index
from datagen.generators.a2search.sources import read_passages
from datagen.generators.engines import open_engine

QUESTION = {
    "question_id": "border-MEX",
    "question": "Name a country that borders Mexico.",
    "answers": ["Belize"],
    "answer_set": None,
}


def _trajectory(n: int, agent: str, answer: str | None, finish: str = "answer") -> dict:
    return {
        "trajectory_id": f"border-MEX|{agent}|{n}",
        "question_id": "border-MEX",
        "agent": agent,
        "answer": answer,
        "finish_reason": finish,
        "turns": [{"kind": "tool", "input": "Mexico borders"}, {"kind": "answer"}],
    }


def test_the_filter_keeps_new_answers_of_agents_that_reached_the_reference() -> None:
    trajectories = [
        _trajectory(0, "good", "Belize; Guatemala"),
        _trajectory(1, "good", "the belize; United States; Guatemala."),
        _trajectory(2, "good", None, finish="max_turns"),
        _trajectory(3, "lost", "Canada; Guatemala"),  # never says Belize: not trusted
    ]
    found = find_alternatives([QUESTION], trajectories)

    assert [c["answer"] for c in found.candidates] == ["Guatemala", "United States"]
    assert found.candidates[0]["queries"] == ["Mexico borders"]
    assert found.candidates[0]["trajectory_id"] == "border-MEX|good|0"
    assert found.dropped == {
        "equivalent_to_reference": 2,
        "duplicate_alternative": 1,
        "no_answer": 1,
        "agent_never_reached_reference": 1,
    }
    assert [t["trajectory_id"] for t in found.trusted] == ["border-MEX|good|0", "border-MEX|good|1"]


def test_a_known_answer_set_counts_as_the_reference() -> None:
    question = QUESTION | {"answer_set": [["Belize"], ["Guatemala", "Republic of Guatemala"]]}
    found = find_alternatives([question], [_trajectory(0, "a", "Belize; republic of guatemala")])
    assert found.candidates == [] and found.dropped["equivalent_to_reference"] == 2


def test_candidates_with_fewer_than_eta_yes_votes_are_rejected() -> None:
    candidates = [{"candidate_id": "x"}, {"candidate_id": "y"}, {"candidate_id": "z"}]
    votes = [{"candidate_id": "x", "vote": v} for v in ("yes", "yes", "yes", "no")]
    votes += [{"candidate_id": "y", "vote": v} for v in ("yes", "yes", "invalid", "no")]
    verified, rejected = verified_candidates(candidates, votes, eta=3)
    assert [(c["candidate_id"], c["yes_votes"], c["votes"]) for c in verified] == [("x", 3, 4)]
    assert [(c["candidate_id"], c["yes_votes"]) for c in rejected] == [("y", 2), ("z", 0)]


@pytest.mark.parametrize(
    ("answers", "groups"),
    [
        (["Republic of Guatemala", "Guatemala"], [["Guatemala", "Republic of Guatemala"]]),
        (["Korea", "North Korea", "South Korea"], [["Korea", "North Korea"], ["South Korea"]]),
        (["the USA", "USA", "Canada"], [["the USA", "USA"], ["Canada"]]),
        ([], []),
    ],
)
def test_alternatives_naming_one_thing_merge_into_aliases(answers, groups) -> None:
    assert merge_aliases(answers) == groups


def test_each_question_gets_its_set_and_the_trajectories_that_earned_it() -> None:
    other = QUESTION | {"question_id": "capital-ALB", "answers": ["Tirana"]}
    verified = [
        {"question_id": "border-MEX", "answer": "Republic of Guatemala"},
        {"question_id": "border-MEX", "answer": "Guatemala"},
    ]
    rows = answer_sets([QUESTION, other], verified, protocol="tags")
    assert rows[0]["answer_set"] == [["Belize"], ["Guatemala", "Republic of Guatemala"]]
    assert (rows[0]["ambiguous"], rows[0]["alternatives"]) == (True, 1)
    assert (rows[1]["answer_set"], rows[1]["ambiguous"]) == ([["Tirana"]], False)

    trajectories = [
        _trajectory(0, "a", "Belize; Guatemala"),
        _trajectory(1, "a", "Belize; Canada"),  # Canada was never verified
        _trajectory(2, "a", None, finish="max_turns"),
    ]
    kept = verified_trajectories(trajectories, rows)
    assert [t["trajectory_id"] for t in kept] == ["border-MEX|a|0"]


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    cache = tmp_path_factory.mktemp("index")
    index = open_index(read_passages("demo").records, cache)
    return str(cache / index.key), index.key


def test_the_search_stage_samples_each_agent_configurations_trajectories(index_dir) -> None:
    folder, key = index_dir
    agents = [
        {"engine": "fake:agent", "prompt": "default", "temperature": 0.7},
        {"engine": "fake:agent", "prompt": "exhaustive", "temperature": 1.0},
    ]
    outcome = search_stage(
        [QUESTION, QUESTION | {"question_id": "q2"}],
        engines=open_engine,
        index_dir=folder,
        agents=agents,
        trajectories=3,
        top_k=3,
        max_turns=3,
        max_tokens=512,
        turn_tokens=64,
        seed=1,
        corpus=key,
    )
    assert outcome.n_in == 12 and len(outcome.records) == 12
    ids = [r["trajectory_id"] for r in outcome.records]
    assert len(set(ids)) == 12
    assert {r["agent"] for r in outcome.records} == {AgentConfig(**a).id for a in agents}
    assert outcome.records[0]["messages"][0]["content"].startswith("Answer the question")


def test_the_verify_stage_votes_on_each_candidate_with_every_verifier(index_dir) -> None:
    folder, key = index_dir
    candidates = find_alternatives([QUESTION], [_trajectory(0, "a", "Belize; Guatemala; Peru")])
    verify = partial(
        verify_stage,
        engines=open_engine,
        index_dir=folder,
        top_k=3,
        seed=5,
        corpus=key,
        votes=2,
        verifiers=[
            {"engine": "fake:agent", "prompt": "default"},
            {"engine": "fake:agent", "prompt": "strict"},
        ],
    )
    outcome = verify(candidates.candidates)
    assert len(outcome.records) == 2 * 2 * 2  # candidates x verifiers x votes
    assert {v["vote"] for v in outcome.records} <= {"yes", "no"}
    assert all(v["passages"] > 0 for v in outcome.records)  # the agent's query found them
    assert verify(candidates.candidates).records == outcome.records  # seeded


@pytest.mark.parametrize(
    ("engine", "message"),
    [
        ("embedded", "'embedded' has none: use vllm:MODEL?tool_parser=NAME or openai:URL"),
        ("fake:a2search", "'fake:a2search' has none"),
        ("vllm:/models/qwen", "needs the spec's tool_parser=NAME"),
    ],
)
def test_the_tools_protocol_refuses_engines_without_native_calls(engine: str, message: str) -> None:
    from datagen.generators.a2search.recipe import A2SearchConfig

    with pytest.raises(ValueError, match=re.escape(message)):
        A2SearchConfig(protocol="tools", engine=engine)
    assert A2SearchConfig(protocol="tools", engine="vllm:/models/qwen?tool_parser=hermes")
    assert A2SearchConfig(protocol="tools", engine="openai:http://127.0.0.1:8000/v1?model=m")
    with pytest.raises(ValueError, match="protocol must be one of"):
        A2SearchConfig(protocol="mcp")


def test_the_tools_protocol_prompt_names_the_function_not_tags() -> None:
    from datagen.generators.a2search.configs import agent_messages

    system = agent_messages("Who?", "exhaustive", "tools")[0]["content"]
    assert "search function" in system and "<search>" not in system
    assert "look for all of them" in system
