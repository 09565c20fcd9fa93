"""The one engine stage every dataset uses: requests out, one batch per engine, results parsed.

A dataset gives two functions: ``requests(record) -> [(engine spec, Request), ...]`` and
``parse(record, request, result) -> [Record | Quarantined, ...]``. Every request of the shard
goes to its engine in one ``generate`` call per engine (engines batch; vLLM fills a GPU), and
every result comes back to ``parse`` whole, so a stage that aggregates a record's samples
(TeaR's K answers per task) does it there. A request the engine could not complete is
quarantined here, once per sample, with a reason of one vocabulary:
``engine_error:<kind>: <message>``, the kind one of ``ERROR_KINDS``.

Counting: each request stands for ``request.sampling.n`` samples; ``parse`` returns at most
that many outputs, and samples it drops are counted as filtered.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from datagen.generators.engines.base import Engine, Request, Result
from datagen.schemas.records import Quarantined, Record, StageOutcome

Requests = Callable[[Record], Sequence[tuple[str, Request]]]
Parse = Callable[[Record, Request, Result], Sequence[Record | Quarantined]]


def engine_stage(
    records: Sequence[Record],
    *,
    stage: str,
    engines: Callable[[str], Engine],
    requests: Requests,
    parse: Parse,
) -> StageOutcome:
    """Every record's requests in one batch per engine; outputs in record, then request order."""
    planned = [(record, spec, request) for record in records for spec, request in requests(record)]
    results = _generate([(spec, request) for _, spec, request in planned], engines)
    outputs: list[Record] = []
    quarantined: list[Quarantined] = []
    filtered = 0
    for (record, _, request), result in zip(planned, results, strict=True):
        samples = request.sampling.n
        if result.error is not None or len(result.completions) != samples:
            quarantined += engine_failures(record, request, result)
            continue
        parsed = parse(record, request, result)
        if len(parsed) > samples:
            raise AssertionError(
                f"stage {stage!r}: parse made {len(parsed)} outputs of request "
                f"{request.request_id!r}, which has {samples} samples"
            )
        filtered += samples - len(parsed)
        for item in parsed:
            (quarantined if isinstance(item, Quarantined) else outputs).append(item)
    n_in = sum(request.sampling.n for _, _, request in planned)
    return StageOutcome(stage, n_in, outputs, filtered, quarantined).check()


def engine_failures(record: Record, request: Request, result: Result) -> list[Quarantined]:
    """One quarantined entry per sample of a request the engine did not complete."""
    if result.error is not None:
        reason = f"engine_error:{result.error_kind or 'other'}: {result.error}"
    else:
        reason = (
            f"engine_error:invalid_output: {len(result.completions)} completions for "
            f"{request.sampling.n} samples"
        )
    samples = request.sampling.n
    ids = (
        [request.request_id]
        if samples == 1
        else [f"{request.request_id}#{i}" for i in range(samples)]
    )
    return [Quarantined(record_id, reason, record) for record_id in ids]


def _generate(
    planned: Sequence[tuple[str, Request]], engines: Callable[[str], Engine]
) -> list[Result]:
    """Results in ``planned`` order, from one ``generate`` call per engine spec."""
    by_engine: dict[str, list[int]] = {}
    for index, (spec, _) in enumerate(planned):
        by_engine.setdefault(spec, []).append(index)
    results: list[Result | None] = [None] * len(planned)
    for spec, indices in by_engine.items():
        answers = engines(spec).generate([planned[i][1] for i in indices])
        if len(answers) != len(indices):
            raise AssertionError(f"engine {spec} answered {len(answers)} of {len(indices)}")
        for index, answer in zip(indices, answers, strict=True):
            results[index] = answer
    return [result for result in results if result is not None]
