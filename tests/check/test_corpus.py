"""The public corpus: no error on any template cfn-lint finds clean; bad fixtures load and
check without crashing."""

from __future__ import annotations

import pytest

from corpus_data import corpus_rows
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
        for d in run_checks(template, sources, filename=str(corpus_dir / row["path"])):
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


# cfn-lint rule -> our rules, one of which must fire on every bad fixture cfn-lint flags with it
EXPECTED = {
    "E3003": ("SF2003", "SF2008"),  # cfn-lint reports "at least one of" as missing required properties
    "E3004": ("SF3010",),
    "E3002": ("SF2002", "SF2004", "SF2007", "SF2008"),  # E3002 is cfn-lint's catch-all for property shapes
    "E2015": ("SF1103",),
    "E3012": ("SF2004",),
    "E3030": ("SF2005", "SF2004"),
}


@pytest.mark.parametrize(("cfn_rule", "ours"), sorted(EXPECTED.items()), ids=sorted(EXPECTED))
def test_bad_fixtures_are_caught_by_the_matching_rule(corpus_dir, cfn_rule, ours):
    rows = _rows(lambda r: r["label"] == "bad-fixture" and cfn_rule in r["cfn_lint"].split(":", 1)[-1].split(","))
    if not rows:
        pytest.skip(f"no public bad fixture with {cfn_rule}")
    missed = []
    for row in rows:
        try:
            template, sources = load_template(corpus_dir / row["path"])
        except SparkleformError:
            continue
        if not set(ours) & {d.rule for d in run_checks(template, sources)}:
            missed.append(row["path"])
    assert not missed, f"{cfn_rule} fixtures without {ours}: {missed}"
