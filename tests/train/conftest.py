"""Fixtures of the training tests: the tiny chat model, and writable stores with real versions.

- ``tiny_model``: the random-weight Qwen2 of ``tests/vllm/tiny_model.py``, built offline into a
  folder (its text is noise; the trainers' mechanics are real);
- ``toolpref_store``: the hand-made ``toolpref-pairwise`` version of ``tests/export/handmade.py``
  (rl, preference and sft views), in a store of its own: training records models in it;
- ``tear_store``: a ``tear`` version made by the real TeaR flow on the named fake engine
  (``fake:tear``) from the seven functions of ``tests/tear/data``, through the session's
  Prefect server.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from datagen.catalog import Catalog, Store
from tests.export.handmade import publish_toolpref
from tests.vllm.tiny_model import build_tiny_model

TEAR_FUNCTIONS = Path(__file__).parents[1] / "tear" / "data" / "functions.jsonl"
QUICK = {"per_device_train_batch_size": "2"}
"""Options that keep two TRL steps short on two cores."""
QUICK_GRPO = QUICK | {"num_generations": "2", "max_completion_length": "8"}


@pytest.fixture(scope="session", autouse=True)
def drained_prefect(prefect_server: str) -> Iterator[None]:
    """Flush Prefect's log and event workers while the session's server is still up (else
    they retry against a stopped server at exit: 'Error logging to API')."""
    yield
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    APILogWorker.drain_all(timeout=10)
    EventsWorker.drain_all(timeout=10)


@pytest.fixture(scope="session")
def offline() -> Iterator[None]:
    """No hub calls, no experiment tracker, no tokenizer thread pools in the trainers."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HF_HUB_OFFLINE", "1")
        patch.setenv("WANDB_DISABLED", "true")
        patch.setenv("TOKENIZERS_PARALLELISM", "false")
        yield


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A local model folder (tokenizer with a chat template, config, random weights)."""
    return build_tiny_model(tmp_path_factory.mktemp("tiny-model"))


@pytest.fixture(scope="session")
def toolpref_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Catalog, str]:
    """A writable store holding the hand-made ``toolpref-pairwise@1``."""
    store = Store.resolve(tmp_path_factory.mktemp("train-toolpref-store"))
    return Catalog(store, lock_timeout=10), publish_toolpref(store)


@pytest.fixture(scope="session")
def tear_store(
    tmp_path_factory: pytest.TempPathFactory, prefect_harness: None
) -> tuple[Catalog, str]:
    """A writable store holding ``tear@1``, published by the TeaR flow on ``fake:tear``."""
    from datagen.flows.tear import tear
    from datagen.generators.tear.recipe import TeaRConfig

    root = tmp_path_factory.mktemp("train-tear-store")
    config = TeaRConfig(
        source=str(TEAR_FUNCTIONS), engine="fake:tear", samples=4, min_pass_rate=0.0
    )
    published = tear(config, store=str(root))
    return Catalog(Store(root), lock_timeout=10), published["ref"]
