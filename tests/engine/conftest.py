"""Fixtures for the engine tests: a LocalProvider on a fresh state file."""

from __future__ import annotations

import pytest

from sparkleform.providers.local import LocalProvider


@pytest.fixture
def provider(tmp_path):
    p = LocalProvider(state=tmp_path / "state.db")
    yield p
    p.close()
