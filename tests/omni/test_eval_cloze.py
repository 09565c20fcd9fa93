"""``datagen eval cloze``: candidate captions scored on a version's Omni-Cloze blanks.

The version is three caption.v1 rows made by ``caption_row`` with Omni-Cloze items from
``add_cloze`` (the flow's own functions), registered with ``Catalog.publish`` as the flow's
publish step does; no detective runs. Its six blanks: clip 1 (video) two visual ones, clip 2
(audio) three auditory ones, clip 3 one audio-visual (stated by both OCR and ASR). Logic is
tested with an engine whose answers the test chooses, the command through the real CLI on the
scripted fake, and once on the embedded model.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from typer.testing import CliRunner

from datagen.catalog import Catalog, Store, write_parquet_atomic
from datagen.catalog.evaluations import EvaluationInput
from datagen.flows.cli import app
from datagen.flows.evaluate import prepare_cloze, run_cloze
from datagen.generators.engines import Completion, Request, Result, open_engine
from datagen.generators.omni.captions import caption_row
from datagen.generators.omni.cloze import (
    LETTERS,
    Blank,
    answer_request,
    blanks_from_record,
    choose_blanks,
    cloze_record,
)
from datagen.generators.omni.cloze_eval import (
    ClozeEvalError,
    answer_requests,
    cloze_items,
    read_captions,
)
from datagen.generators.omni.cloze_options import with_options
from datagen.generators.omni.cloze_rows import add_cloze
from datagen.schemas import first_error, records_to_table
from datagen.schemas.records import StageCounts

from ..flows.conftest import datagen

SCHEMA = "omni/caption.v1"
CLIPS = {
    1: ('The screen shows "HELLO OMNI" on a blue background.',
        [("ocr", '"HELLO OMNI"'), ("video", "colours: blue 85%")]),
    2: ('A man says "good morning" over a tone at 440 Hz.',
        [("asr", "good morning"), ("audio", "steady tone at 440 Hz")]),
    3: ('The word "WELCOME" appears as a bell rings.', [("ocr", "WELCOME"), ("asr", "welcome")]),
}  # fmt: skip
"""Each clip's detective caption and its evidence trail ``(tool, observation)``."""


def clip_id(n: int) -> str:
    return f"{n:016x}"


def caption_rows(numbers: Sequence[int]) -> list[dict[str, Any]]:
    """caption.v1 rows of the clips ``numbers`` with their cloze items, schema-checked."""
    rows = []
    for n in numbers:
        caption, trail = CLIPS[n]
        clip = {
            "clip_id": clip_id(n), "media_sha256": f"{n:064x}", "path": f"/media/{n}.mp4",
            "duration_s": 4.0, "has_audio": n != 1, "has_video": n != 2, "source": "test",
            "license": None,
        }  # fmt: skip
        evidence = [
            {"turn": turn, "tool": tool, "question": "q", "observation": observation}
            for turn, (tool, observation) in enumerate(trail)
        ]
        trajectory = {"caption": caption, "transcript": "", "evidence": evidence,
                      "finish_reason": "answer", "messages": [], "turns": []}  # fmt: skip
        rows.append(caption_row(clip, trajectory))
    rows, missing = add_cloze(rows, seed=0, max_blanks=6)
    assert not missing
    errors = [error for row in rows if (error := first_error(SCHEMA, row))]
    assert not errors, errors[0]
    return rows


def publish(store: Store, rows: list[dict], *, dataset: str = "omni-detective") -> str:
    part = write_parquet_atomic(
        records_to_table(SCHEMA, rows), store.staging_dir() / "part-00000.parquet"
    )
    info = Catalog(store, lock_timeout=10).publish(
        dataset=dataset, files=[part.path], schema_id=SCHEMA, params={"source": "test"},
        code_version="test", flow_run_id=None, stats={},
        stage_counts=[StageCounts("detective", len(rows), len(rows))],
    )  # fmt: skip
    return info.ref


@pytest.fixture(scope="module")
def version(tmp_path_factory) -> tuple[Store, str, list[dict]]:
    """A store with ``omni-detective@1`` (the three clips) and ``pairs@1`` (not captions)."""
    store = Store.resolve(tmp_path_factory.mktemp("eval-cloze-store"))
    rows = caption_rows([1, 2, 3])
    ref = publish(store, rows)
    other = write_parquet_atomic(pa.table({"row_id": ["r0"]}), store.staging_dir() / "p.parquet")
    Catalog(store).publish(
        dataset="pairs", files=[other.path], schema_id="toolpref/pair.v1", params={},
        code_version="test", flow_run_id=None, stats={},
    )  # fmt: skip
    return store, ref, rows


def blanks_of(rows: list[dict]) -> dict[str, Blank]:
    return {b.blank_id: b for row in rows for b in blanks_from_record(row["cloze"])}


def write_captions(path: Path, captions: dict[int, str], *extra: str) -> Path:
    lines = [json.dumps({"clip_id": clip_id(n), "caption": c}) for n, c in captions.items()]
    path.write_text("\n".join([*lines, *extra]) + "\n", encoding="utf-8")
    return path


class ChosenEngine:
    """Answers each blank with the text the test chose for it (by request id); a blank it has
    no text for gets an engine error. Records every batch it is given."""

    name = "chosen"
    model = "chosen-answers"

    def __init__(self, answers: dict[str, str]) -> None:
        self.answers = answers
        self.batches: list[list[Request]] = []

    def generate(self, requests: Sequence[Request]) -> list[Result]:
        self.batches.append(list(requests))
        return [self._result(r) for r in requests]

    def _result(self, request: Request) -> Result:
        text = self.answers.get(request.request_id.removeprefix("cloze-answer:"))
        if text is None:
            return Result(request_id=request.request_id, completions=(), prompt_tokens=1,
                          model=self.model, error="too slow", error_kind="timeout")  # fmt: skip
        done = Completion(text=text, finish_reason="stop", completion_tokens=1)
        return Result(request_id=request.request_id, completions=(done,), prompt_tokens=1,
                      model=self.model)  # fmt: skip

    def close(self) -> None:
        pass


# --- the stored items and the captions file -----------------------------------------------


def test_the_version_holds_the_blanks_the_tests_assume(version) -> None:
    _, _, rows = version
    found = [(b.blank_id, b.tag, b.answer) for b in blanks_of(rows).values()]
    assert found == [
        (f"{clip_id(1)}:1", "visual", "HELLO OMNI"),
        (f"{clip_id(1)}:2", "visual", "blue"),
        (f"{clip_id(2)}:1", "auditory", "good morning"),
        (f"{clip_id(2)}:2", "auditory", "tone"),
        (f"{clip_id(2)}:3", "auditory", "440 Hz"),
        (f"{clip_id(3)}:1", "audio-visual", "WELCOME"),
    ]


def test_blanks_from_record_gives_back_the_blanks_cloze_record_stored() -> None:
    caption, trail = CLIPS[2]
    evidence = [{"turn": 0, "tool": tool, "question": "q", "observation": o} for tool, o in trail]
    chosen = choose_blanks(caption, evidence, clip_id=clip_id(2), max_blanks=6, seed=4)
    blanks = tuple(with_options(b, clip_id=clip_id(2), caption=caption, seed=4) for b in chosen)
    stored = json.loads(json.dumps(cloze_record(clip_id=clip_id(2), caption=caption,
                                                blanks=blanks, seed=4)))  # fmt: skip
    assert len(blanks) == 3
    assert blanks_from_record(stored) == blanks


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (["not json"], "c.jsonl line 1: not JSON (Expecting value)"),
        (['{"clip_id": "a", "caption": "x"}', '["a", "x"]'],
         "c.jsonl line 2: expected an object {clip_id, caption}"),
        (['{"caption": "x"}'], "c.jsonl line 1: 'clip_id' must be a non-empty string"),
        (['{"clip_id": 7, "caption": "x"}'], "c.jsonl line 1: 'clip_id' must be a non-empty"),
        (['{"clip_id": "a"}'], "c.jsonl line 1: 'caption' must be a string"),
        (['{"clip_id": "a", "caption": null}'], "c.jsonl line 1: 'caption' must be a string"),
        (['{"clip_id": "a", "caption": "x"}', "", '{"clip_id": "a", "caption": "y"}'],
         "c.jsonl line 3: clip 'a' already has a caption (line 1)"),
    ],
)  # fmt: skip
def test_bad_caption_lines_are_errors_naming_the_line(lines: list[str], message: str) -> None:
    with pytest.raises(ClozeEvalError, match=re.escape(message)):
        read_captions(lines, source="c.jsonl")


def test_captions_skip_blank_lines_and_ignore_other_keys() -> None:
    lines = ["", '{"clip_id": "a", "caption": "A box.", "model": "m"}', "  ", '{"clip_id": "b", '
             '"caption": ""}\r']  # fmt: skip
    assert read_captions(lines, source="c") == {"a": "A box.", "b": ""}


def test_a_clip_with_two_items_is_refused(version) -> None:
    _, _, rows = version
    with pytest.raises(ClozeEvalError, match=f"clip '{clip_id(1)}' has two cloze items"):
        cloze_items([rows[0], {"clip_id": "x", "cloze": None}, rows[0]])


def test_requests_carry_the_candidate_caption_and_skip_uncaptioned_clips(version) -> None:
    _, _, rows = version
    items = cloze_items(rows)
    requests = answer_requests(items, {clip_id(1): "A blue screen.", clip_id(3): " "})
    assert [r.request_id for r in requests] == [
        f"cloze-answer:{clip_id(1)}:1",
        f"cloze-answer:{clip_id(1)}:2",
    ]
    assert all("Description:\nA blue screen.\n" in r.messages[1]["content"] for r in requests)
    assert all(r.response_format.choice == LETTERS for r in requests)


# --- evaluating and storing -----------------------------------------------------------------


def _other_letter(blank: Blank) -> str:
    return next(letter for letter in "ABCD" if letter != blank.answer_letter)


def test_accuracy_per_tag_from_chosen_answers_is_stored_beside_the_version(
    version, tmp_path: Path
) -> None:
    store, ref, rows = version
    blanks = blanks_of(rows)
    one, two, three = clip_id(1), clip_id(2), clip_id(3)
    # clip 3 has no caption: its audio-visual blank is a missing answer; a caption of a clip
    # the version does not hold is ignored.
    candidate = {1: "Blue text says HELLO OMNI.", 2: "A man talks.", 9: "Other."}
    path = write_captions(tmp_path / "captions.jsonl", candidate)
    answers = {
        f"{one}:1": blanks[f"{one}:1"].answer_letter,  # right
        f"{one}:2": _other_letter(blanks[f"{one}:2"]),  # wrong
        f"{two}:1": f"({blanks[f'{two}:1'].answer_letter})",  # right, as "(C)"
        f"{two}:2": "E",  # not given
    }  # two:3 gets an engine error
    engine = ChosenEngine(answers)
    catalog = Catalog(store)

    marked, stored = run_cloze(catalog, prepare_cloze(catalog, ref, captions=path), engine)

    assert [len(batch) for batch in engine.batches] == [5]  # one batch, clip 3 not asked
    assert marked.lines == [
        {"clip_id": one, "blank_id": f"{one}:1", "tag": "visual",
         "answer": blanks[f"{one}:1"].answer_letter, "correct": True},
        {"clip_id": one, "blank_id": f"{one}:2", "tag": "visual",
         "answer": _other_letter(blanks[f"{one}:2"]), "correct": False},
        {"clip_id": two, "blank_id": f"{two}:1", "tag": "auditory",
         "answer": blanks[f"{two}:1"].answer_letter, "correct": True},
        {"clip_id": two, "blank_id": f"{two}:2", "tag": "auditory", "answer": "E",
         "correct": False},
        {"clip_id": two, "blank_id": f"{two}:3", "tag": "auditory", "answer": None,
         "correct": False},
        {"clip_id": three, "blank_id": f"{three}:1", "tag": "audio-visual", "answer": None,
         "correct": False},
    ]  # fmt: skip
    assert marked.figures == {
        "overall": 2 / 6,
        "per_tag": {"visual": 0.5, "auditory": 1 / 3, "audio-visual": 0.0},
    }
    assert marked.counts == {
        "items": 3,
        "blanks": 6,
        "asked": 5,
        "clips_without_caption": 1,
        "captions_unused": 1,
        "blanks_per_tag": {"visual": 2, "auditory": 3, "audio-visual": 1},
        "correct_per_tag": {"visual": 1, "auditory": 1, "audio-visual": 0},
        "reasons": {
            "correct": 2,
            "engine_error:timeout": 1,
            "no_caption": 1,
            "not_given": 1,
            "wrong": 1,
        },
    }
    data = path.read_bytes()
    assert stored.ref == ref and stored.kind == "cloze"
    assert (stored.engine, stored.model) == ("chosen", "chosen-answers")
    assert stored.inputs == (
        EvaluationInput(role="captions", path=str(path.resolve()), bytes=len(data),
                        sha256=hashlib.sha256(data).hexdigest()),
    )  # fmt: skip
    assert stored.started_at <= stored.finished_at
    assert (stored.figures, stored.counts) == (marked.figures, marked.counts)
    assert stored in catalog.evaluations(ref)
    assert stored.as_json() in catalog.show(ref)["evaluations"]


def test_a_file_with_no_caption_of_the_version_scores_zero_without_asking(
    version, tmp_path: Path
) -> None:
    store, ref, _ = version
    engine = ChosenEngine({})
    catalog = Catalog(store)
    prepared = prepare_cloze(catalog, ref, captions=write_captions(tmp_path / "c.jsonl", {9: "x"}))
    marked, _ = run_cloze(catalog, prepared, engine)
    assert engine.batches == []
    assert marked.figures == {
        "overall": 0.0,
        "per_tag": {"visual": 0.0, "auditory": 0.0, "audio-visual": 0.0},
    }
    assert marked.counts["reasons"] == {"no_caption": 6}


# --- the command ----------------------------------------------------------------------------


def test_the_command_prints_a_line_per_blank_and_stores_the_evaluation(
    version, tmp_path: Path
) -> None:
    store, ref, rows = version
    captions = {1: CLIPS[1][0], 2: "A man says good morning."}
    path = write_captions(tmp_path / "captions.jsonl", captions)
    done = datagen("eval", "cloze", ref, "--captions", str(path), "--engine", "fake:example",
                   store=store.root)  # fmt: skip

    # The fake picks a letter by a hash of the request: ask it the same questions here.
    blanks = blanks_of(rows)
    fake = open_engine("fake:example")
    expected = []
    for blank in blanks.values():
        n = int(blank.blank_id.split(":")[0], 16)
        if n not in captions:
            expected.append({"clip_id": clip_id(n), "blank_id": blank.blank_id,
                             "tag": blank.tag, "answer": None, "correct": False})  # fmt: skip
            continue
        request = answer_request(blank, captions[n], request_id=f"cloze-answer:{blank.blank_id}")
        (result,) = fake.generate([request])
        letter = result.completions[0].text
        expected.append({"clip_id": clip_id(n), "blank_id": blank.blank_id, "tag": blank.tag,
                         "answer": letter, "correct": letter == blank.answer_letter})  # fmt: skip
    assert [json.loads(line) for line in done.stdout.splitlines()] == expected
    assert done.stdout.splitlines()[0] == json.dumps(expected[0])  # keys in the documented order

    (stored,) = [e for e in Catalog(store).evaluations(ref) if e.engine == "fake:example"]
    right = sum(line["correct"] for line in expected)
    assert stored.figures["overall"] == right / 6
    assert stored.model == "fake-scripted-example"
    table = re.search(r"overall\s*│\s*6\s*│\s*(\d)\s*│\s*([\d.]+)", done.stderr)
    assert table and (int(table.group(1)), float(table.group(2))) == (right, round(right / 6, 3))
    for tag, n in (("visual", 2), ("auditory", 3), ("audio-visual", 1)):
        assert re.search(rf"{tag}\s*│\s*{n}\s*│", done.stderr), done.stderr
    assert f"stored evaluation {stored.eval_id} of {ref}" in done.stderr
    assert "clips without a caption: 1 of 3" in done.stderr

    shown = datagen("catalog", "show", ref, store=store.root).stdout
    assert "evaluations" in shown and stored.eval_id in shown and "fake:example" in shown


def _eval(store: Store, *args: str) -> Any:
    return CliRunner().invoke(app, ["eval", "cloze", *args, "--store", str(store.root)])


@pytest.mark.parametrize(
    ("ref", "lines", "engine", "message"),
    [
        ("omni-detective@7", None, "fake:example",
         "dataset 'omni-detective' has no version 7; existing versions: 1"),
        ("nope@1", None, "fake:example", "unknown dataset 'nope'"),
        ("pairs@1", None, "fake:example",
         "pairs@1 holds toolpref/pair.v1 records, not Omni-Detective captions (omni/caption.v1)"),
        ("omni-detective@1", ['{"clip_id": "a", "caption": "x"}', "{oops"], "fake:example",
         "captions.jsonl line 2: not JSON"),
        ("omni-detective@1", None, "nope:x", "unknown engine 'nope'"),
        ("omni-detective@1", None, "fake:missing", "fake engine: unknown script 'missing'"),
        ("omni-detective@1", "absent", "fake:example", "cannot read the captions"),
    ],
)  # fmt: skip
def test_refused_inputs_exit_2_naming_the_problem_and_store_nothing(
    version, tmp_path: Path, ref: str, lines: list[str] | str | None, engine: str, message: str
) -> None:
    store, good_ref, _ = version
    path = tmp_path / "captions.jsonl"
    if lines is None:
        write_captions(path, {1: "A blue screen."})
    elif lines != "absent":
        path.write_text("\n".join(lines), encoding="utf-8")
    before = Catalog(store).evaluations(good_ref)
    done = _eval(store, ref, "--captions", str(path), "--engine", engine)
    assert done.exit_code == 2, done.output
    assert done.stdout == ""
    assert done.stderr.startswith("error: ") and message in done.stderr, done.stderr
    assert Catalog(store).evaluations(good_ref) == before


def test_a_version_without_cloze_items_is_refused(tmp_path: Path) -> None:
    store = Store.resolve(tmp_path / "store")
    rows = [row | {"cloze": None} for row in caption_rows([1])]
    ref = publish(store, rows)
    done = _eval(store, ref, "--captions", str(write_captions(tmp_path / "c.jsonl", {1: "x"})))
    assert done.exit_code == 2
    assert "omni-detective@1 has no cloze items" in done.stderr
    assert Catalog(store).evaluations(ref) == []


def test_deleting_a_version_deletes_its_evaluations(tmp_path: Path) -> None:
    store = Store.resolve(tmp_path / "store")
    ref = publish(store, caption_rows([1, 3]))
    catalog = Catalog(store)
    prepared = prepare_cloze(catalog, ref, captions=write_captions(tmp_path / "c.jsonl", {1: "x"}))
    run_cloze(catalog, prepared, ChosenEngine({}))
    catalog.delete(ref)
    assert catalog.sql("select count(*) as n from evaluations").to_pylist() == [{"n": 0}]


@pytest.mark.slow
def test_eval_cloze_runs_on_the_embedded_engine(tmp_path: Path) -> None:
    """The real command on the embedded model: three blanks, one batch."""
    store = Store.resolve(tmp_path / "store")
    rows = caption_rows([1, 3])
    ref = publish(store, rows)
    path = write_captions(tmp_path / "captions.jsonl", {1: CLIPS[1][0], 3: CLIPS[3][0]})
    done = datagen("eval", "cloze", ref, "--captions", str(path), "--engine", "embedded",
                   store=store.root, timeout=300)  # fmt: skip
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    blanks = blanks_of(rows)
    assert [line["blank_id"] for line in lines] == list(blanks)
    for line in lines:
        assert line["answer"] in LETTERS
        assert line["correct"] == (line["answer"] == blanks[line["blank_id"]].answer_letter)
    (stored,) = Catalog(store).evaluations(ref)
    assert stored.engine == "embedded" and stored.model.startswith("gemma-3-270m")
    assert stored.counts["reasons"].keys() <= {"correct", "wrong", "not_given"}
    assert stored.figures["overall"] == sum(line["correct"] for line in lines) / 3
    print(done.stderr)
