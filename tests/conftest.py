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
