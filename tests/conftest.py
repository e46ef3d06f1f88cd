"""Shared test fixtures: the public template corpus (skipped cleanly when absent)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # so test modules can import corpus_data

from corpus_data import CORPUS, corpus_rows  # noqa: F401


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    if not (CORPUS / "MANIFEST.tsv").is_file():
        pytest.skip("../shared/corpus is absent")
    return CORPUS


@pytest.fixture(autouse=True)
def _no_secrets_from_other_tests():
    """Each test starts with no NoEcho values registered for masking: a value another test
    registered ("Secret-…") would mask words in this test's messages."""
    from sparkleform import secrets

    secrets.registry.clear()
    yield

