"""The demo clips, made once per session for every Omni-Detective test that needs them."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def demo_clips(tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    """The demo's ``MediaItem`` records with their manifests, in the spec's order
    (``speech_tone``, ``two_scenes``, ``moving_box``, ``timer_rings``, ``exit_sign``), in a
    store of their own."""
    from datagen.generators.omni.media import read_demo

    return read_demo(store=tmp_path_factory.mktemp("omni-store")).records
