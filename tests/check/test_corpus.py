"""The public corpus: no error on any template cfn-lint finds clean; bad fixtures load and
check without crashing."""

from __future__ import annotations

import pytest

from conftest import corpus_rows
from sparkleform.check import run_checks
from sparkleform.errors import SparkleformError
from sparkleform.formats import load_template


def _rows(pred):
    return [r for r in corpus_rows() if pred(r)]


def test_no_false_alarms_on_cfn_lint_clean_templates(corpus_dir):
    rows = _rows(lambda r: r["cfn_lint"] == "clean")
    assert rows, "the manifest lists clean templates"
    false_alarms = []
    for row in rows:
        template, sources = load_template(corpus_dir / row["path"])
        for d in run_checks(template, sources):
            if d.severity == "error":
                false_alarms.append(f"{row['path']}: {d}")
    assert not false_alarms, "\n".join(false_alarms)


def test_every_corpus_file_checks_without_crashing(corpus_dir):
    checked = 0
    for row in corpus_rows():
        try:
            template, sources = load_template(corpus_dir / row["path"])
        except SparkleformError:
            continue  # unparseable fixtures are the loader's business
        run_checks(template, sources)
        checked += 1
    assert checked > 250


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("cfn-lint-bad/properties_ec2_vpc.yaml", None),
    ],
)
def test_placeholder_bad_fixture_loads(corpus_dir, name, rule):
    path = corpus_dir / "public" / name
    if not path.exists():
        pytest.skip(f"{name} not in the public corpus")
    template, sources = load_template(path)
    assert isinstance(run_checks(template, sources), list)
