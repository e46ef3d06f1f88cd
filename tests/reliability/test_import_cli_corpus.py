"""Issue 19 item 7: `sparkleform import` (with its compile-back self-check) over the corpus,
through the CLI, including the templates without AWSTemplateFormatVersion."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_runner import run_cli

from corpus_data import corpus_rows

ROWS = [r for r in corpus_rows() if r["parse"] == "ok"]


def _without_version(corpus: Path, limit: int) -> list[Path]:
    found = []
    for row in ROWS:
        path = corpus / row["path"]
        try:
            head = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if "AWSTemplateFormatVersion" not in head and _readable(path):
            found.append(path)
        if len(found) >= limit:
            break
    return found


def _readable(path: Path) -> bool:
    from sparkleform.errors import FormatError
    from sparkleform.formats import load_template

    try:
        load_template(path)
    except FormatError:
        return False
    return True


def test_import_checks_templates_without_a_version_through_the_cli(corpus_dir, tmp_path):
    paths = _without_version(corpus_dir, 40)
    assert len(paths) >= 10
    failures = []
    for index, path in enumerate(paths):
        result = run_cli("import", str(path), "-o", str(tmp_path / f"m{index}.py"))
        if result.code != 0:
            failures.append(f"{path.relative_to(corpus_dir)}: {result.stderr.strip()[:200]}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("version", [True, False])
def test_import_self_check_with_and_without_a_version(tmp_path, version):
    text = ('AWSTemplateFormatVersion: "2010-09-09"\n' if version else "") + "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n"
    (tmp_path / "t.yaml").write_text(text)
    result = run_cli("import", str(tmp_path / "t.yaml"), "-o", str(tmp_path / "t.py"))
    assert result.code == 0, result.stderr
    assert "it compiles back to the same template" in result.stderr
