"""Fixtures of the export tests: the hand-made store (``handmade.py``) and a local tokenizer."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from datagen.catalog import Catalog, Store
from tests.export.handmade import SCHEMA_V1, publish_example, publish_toolpref


@pytest.fixture(scope="session")
def toolpref_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Catalog, str]:
    """A store holding one hand-made ``toolpref-pairwise`` version (read-only for tests)."""
    store = Store.resolve(tmp_path_factory.mktemp("export-store"))
    ref = publish_toolpref(store)
    return Catalog(store, lock_timeout=10), ref


@pytest.fixture(scope="session")
def toolpref_v1_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Catalog, str]:
    """A store holding the same rows published as ``toolpref/critique.v1`` (read-only)."""
    store = Store.resolve(tmp_path_factory.mktemp("export-store-v1"))
    ref = publish_toolpref(store, schema=SCHEMA_V1)
    return Catalog(store, lock_timeout=10), ref


@pytest.fixture(scope="session")
def example_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Catalog, str]:
    """A store holding the worked example's rows (read-only for tests)."""
    store = Store.resolve(tmp_path_factory.mktemp("example-store"))
    return Catalog(store, lock_timeout=10), publish_example(store)


@pytest.fixture(scope="session")
def offline() -> Iterator[None]:
    """No hub downloads and no experiment tracker for the trainers the tests run."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HF_HUB_OFFLINE", "1")
        patch.setenv("WANDB_DISABLED", "true")
        yield


@pytest.fixture(scope="session")
def hf_cache(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A private ``datasets`` cache, so tests neither read nor fill the user's."""
    return str(tmp_path_factory.mktemp("hf-cache"))


@pytest.fixture(scope="session")
def tokenizer():
    """A word-level fast tokenizer with a ChatML-like chat template, built offline."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    specials = ["[UNK]", "[PAD]", "<|im_start|>", "<|im_end|>"]
    words = [
        "system",
        "user",
        "assistant",
        "tool",
        "Response",
        "better",
        "<choice>",
        "</choice>",
        "1",
        "2",
    ]
    vocab = {token: i for i, token in enumerate(specials + words)}
    core = Tokenizer(models.WordLevel(vocab=vocab, unk_token="[UNK]"))
    core.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tok = PreTrainedTokenizerFast(
        tokenizer_object=core, unk_token="[UNK]", pad_token="[PAD]", eos_token="<|im_end|>"
    )
    tok.chat_template = (
        "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n"
        "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
    )
    return tok
