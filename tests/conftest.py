"""Shared test fixtures: the public template corpus (skipped cleanly when absent)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

CORPUS = (Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus").resolve()


def corpus_rows() -> list[dict[str, str]]:
    """MANIFEST.tsv rows of the public corpus, or [] when ../shared/corpus is absent."""
    manifest = CORPUS / "MANIFEST.tsv"
    if not manifest.is_file():
        return []
    with manifest.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    if not (CORPUS / "MANIFEST.tsv").is_file():
        pytest.skip("../shared/corpus is absent")
    return CORPUS
