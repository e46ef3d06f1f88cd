"""The public template corpus (../shared/corpus) as test data: where it is and its manifest rows.

Imported by test modules (`from corpus_data import corpus_rows`); tests/conftest.py puts this
folder on sys.path. Every user skips cleanly when the corpus is absent.
"""

from __future__ import annotations

import csv
from pathlib import Path

CORPUS = (Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus").resolve()


def corpus_rows() -> list[dict[str, str]]:
    """MANIFEST.tsv rows of the public corpus, or [] when ../shared/corpus is absent."""
    manifest = CORPUS / "MANIFEST.tsv"
    if not manifest.is_file():
        return []
    with manifest.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))
