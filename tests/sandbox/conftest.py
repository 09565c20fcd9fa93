"""One sandbox for the session's tests, with tight limits so runaways end quickly."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from datagen.verifiers.sandbox import Sandbox
from tests.sandbox.helpers import TIGHT


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(limits=TIGHT, workers=2) as box:
        yield box
