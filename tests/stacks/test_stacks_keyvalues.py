"""Key=Value options and parameter files in their JSON/YAML shapes."""

from __future__ import annotations

import json

import pytest

from sparkleform.errors import ParameterError
from sparkleform.stacks.keyvalues import load_parameters_file, parse_mapping, parse_pairs


def test_parse_pairs_keeps_equals_in_values_and_later_wins():
    assert parse_pairs(["A=1", "B=x=y", "A=2", "C="], "-p") == {"A": "2", "B": "x=y", "C": ""}


@pytest.mark.parametrize("bad", ["A", "=1", ""])
def test_parse_pairs_refuses_items_without_key(bad):
    with pytest.raises(ParameterError, match="-p expects Key=Value"):
        parse_pairs([bad], "-p")


def test_parse_mapping_forms():
    assert parse_mapping("Out:Param") == (None, "Out", "Param")
    assert parse_mapping("coolapp-elb__Out:Param") == ("coolapp-elb", "Out", "Param")
    with pytest.raises(ParameterError):
        parse_mapping("OutOnly")


def test_json_plain_map(tmp_path):
    f = tmp_path / "p.json"
    f.write_text(json.dumps({"A": "x", "N": 3, "On": True, "L": ["a", "b"]}))
    assert load_parameters_file(f) == ({"A": "x", "N": "3", "On": "true", "L": "a,b"}, set())


def test_json_aws_list_form_with_use_previous(tmp_path):
    f = tmp_path / "p.json"
    f.write_text(json.dumps([
        {"ParameterKey": "A", "ParameterValue": "x"},
        {"ParameterKey": "B", "UsePreviousValue": True},
    ]))
    assert load_parameters_file(f) == ({"A": "x"}, {"B"})


def test_yaml_map_and_wrapped_list(tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text("A: x\nB: 2\n")
    assert load_parameters_file(f) == ({"A": "x", "B": "2"}, set())
    g = tmp_path / "q.yml"
    g.write_text("Parameters:\n  - ParameterKey: A\n    ParameterValue: y\n")
    assert load_parameters_file(g) == ({"A": "y"}, set())


def test_bad_files_name_the_file_and_line(tmp_path):
    f = tmp_path / "p.json"
    f.write_text('{"A": 1,\n "B": }')
    with pytest.raises(ParameterError) as info:
        load_parameters_file(f)
    assert info.value.location == f"{f}:2"
    with pytest.raises(ParameterError, match="does not exist"):
        load_parameters_file(tmp_path / "missing.json")
    g = tmp_path / "p.yaml"
    g.write_text("- 1\n- 2\n")
    with pytest.raises(ParameterError, match="entry 1"):
        load_parameters_file(g)
    h = tmp_path / "n.yaml"
    h.write_text("A: {nested: map}\n")
    with pytest.raises(ParameterError, match="'A' must be a string"):
        load_parameters_file(h)
