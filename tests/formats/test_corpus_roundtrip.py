"""Every readable template of the public corpus survives YAML and JSON round trips unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus_data import corpus_rows
from sparkleform.errors import FormatError
from sparkleform.formats import dump_json, dump_yaml, load_document, load_template, loads_template

ROWS = corpus_rows()

# Files the manifest's plain loader reads but we refuse, on purpose: cfn-lint "bad" fixtures
# whose short-form tags have an argument of the wrong kind (e.g. `!And` on a string).
SHAPE_ERRORS = {
    "public/cfn-lint-bad/conditions/and.yaml",
    "public/cfn-lint-bad/conditions/equals.yaml",
}


@pytest.mark.parametrize("row", ROWS, ids=[r["path"] for r in ROWS])
def test_corpus_file_round_trips(row: dict, corpus_dir: Path) -> None:
    path = corpus_dir / row["path"]
    if row["path"] in SHAPE_ERRORS:
        with pytest.raises(FormatError, match="takes a list"):
            load_template(path)
        return
    if row["parse"] != "ok" or (row["resource_count"] == "0" and path.stat().st_size == 0):
        with pytest.raises(FormatError):
            load_template(path)
        return
    doc, smap = load_template(path)
    assert isinstance(doc, dict)
    assert load_document(path) == doc  # the fast reader (no line map) reads the same
    assert len(smap) > len(doc)
    assert loads_template(dump_yaml(doc), "y.yaml")[0] == doc
    assert loads_template(dump_yaml(doc, short_form=False), "l.yaml")[0] == doc
    assert loads_template(dump_json(doc), "j.json")[0] == doc


def test_our_yaml_means_the_same_to_cfn_lint(corpus_dir: Path) -> None:
    """Another reader (cfn-lint's, a CloudFormation-faithful YAML loader) sees the same template."""
    import json

    decode = pytest.importorskip("cfnlint.decode")
    checked = 0
    for row in ROWS:
        try:
            doc, _ = load_template(corpus_dir / row["path"])
        except FormatError:
            continue
        theirs, matches = decode.decode_str(dump_yaml(doc))
        assert theirs is not None, (row["path"], matches[:1])
        assert json.loads(json.dumps(theirs, default=str)) == doc, row["path"]
        checked += 1
    assert checked > 250
