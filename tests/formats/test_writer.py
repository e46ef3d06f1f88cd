"""The JSON and YAML writers: order, short forms, quoting, block scalars, re-reading equal."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparkleform.formats import dump_json, dump_yaml, loads_template


def reread(text: str) -> dict:
    return loads_template(text, "out")[0]


DOC = {
    "AWSTemplateFormatVersion": "2010-09-09",
    "Description": "two\nlines",
    "Parameters": {"Env": {"Type": "String", "AllowedValues": ["yes", "no", "0644", "1.0", "null"]}},
    "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
                   "Both": {"Fn::And": [{"Condition": "IsProd"}, {"Fn::Not": [{"Condition": "IsProd"}]}]}},
    "Resources": {
        "Web": {
            "Type": "AWS::EC2::Instance",
            "Condition": "IsProd",
            "Properties": {
                "ImageId": {"Fn::FindInMap": ["M", {"Ref": "AWS::Region"}, "Ami"]},
                "UserData": {"Fn::Base64": {"Fn::Sub": "#!/bin/bash\necho ${AWS::Region}\n"}},
                "Tags": [{"Key": "Name", "Value": {"Fn::Join": ["-", [{"Ref": "AWS::StackName"}, "web"]]}}],
                "Count": 3, "Ratio": 0.5, "On": True, "Off": False, "Nothing": None,
            },
        }
    },
    "Outputs": {"Ip": {"Value": {"Fn::GetAtt": ["Web", "PublicIp"]}}},
}  # fmt: skip


def test_json_is_two_space_indented_in_order_with_trailing_newline() -> None:
    text = dump_json(DOC)
    assert text.endswith("}\n")
    assert text.startswith('{\n  "AWSTemplateFormatVersion": "2010-09-09",\n  "Description"')
    assert json.loads(text) == DOC
    assert list(json.loads(text)) == list(DOC)
    compact = dump_json(DOC, compact=True)
    assert "\n" not in compact.rstrip("\n") and json.loads(compact) == DOC


def test_yaml_reads_back_equal_in_both_forms() -> None:
    assert reread(dump_yaml(DOC)) == DOC
    assert reread(dump_yaml(DOC, short_form=False)) == DOC


def test_yaml_uses_short_forms_where_they_read_back() -> None:
    text = dump_yaml(DOC)
    assert "ImageId: !FindInMap\n" in text
    assert "Value: !GetAtt Web.PublicIp\n" in text
    assert "- !Ref AWS::StackName\n" in text
    assert "IsProd: !Equals\n" in text
    assert "- !Condition IsProd\n" in text
    # a node has one tag: the outer function stays long, the inner one short
    assert "UserData:\n        Fn::Base64: !Sub |\n          #!/bin/bash\n" in text
    # a resource's Condition attribute stays a plain key
    assert "    Condition: IsProd\n" in text
    assert "!" not in dump_yaml(DOC, short_form=False).replace("#!/bin/bash", "")


def test_yaml_keeps_key_order() -> None:
    doc = {"Z": 1, "A": {"c": 1, "b": 2, "a": 3}}
    assert dump_yaml(doc) == "Z: 1\n\nA:\n  c: 1\n  b: 2\n  a: 3\n"


@pytest.mark.parametrize(
    "text",
    ["2010-09-09", "yes", "No", "on", "OFF", "y", "n", "0644", "0x10", "1e3", "1_000", "12", "-1", "1.5",
     ".inf", "null", "~", "", " lead", "trail ", "a: b", "a #b", "#x", "- x", "-x", "*x", "&x", "!x", "%x",
     "@x", "`x", "{a}", "[a]", "'q'", '"q"', "x:", "---", "...", "<<", "=", "1:20", "tab\there",
     "bell\x07", "nel\x85", "é ünicode ✓", "emoji 😀", "line\u2028sep", "\ufeffbom", "back\\slash"],
)  # fmt: skip
def test_strings_that_would_read_back_as_something_else_are_quoted(text: str) -> None:
    doc = {"Value": text, "List": [text], text or "k": 1}
    assert reread(dump_yaml(doc)) == doc


@pytest.mark.parametrize(
    "text",
    ["a\nb", "a\nb\n", "a\nb\n\n\n", "\nfirst empty\n", "  indented first\nx\n", "x\n  indented later\n",
     "trailing spaces  \nx", "\n\n", "tab\tin\nblock\n", "cr\r\nlf", "a\n\n\nb", "\tfirst\nsecond",
     "\t\nx", "a\n\tb\n", "a\n...\nb", "a\n---\nb", "- a\n- b", "# c\nd"],
)  # fmt: skip
def test_multiline_strings_read_back(text: str) -> None:
    doc = {"S": text, "L": [text, {"K": text}], "T": {"Fn::Sub": text}}
    assert reread(dump_yaml(doc)) == doc


def test_multiline_strings_are_block_scalars() -> None:
    assert dump_yaml({"S": "a\nb\n"}) == "S: |\n  a\n  b\n"
    assert dump_yaml({"S": "a\nb"}) == "S: |-\n  a\n  b\n"
    assert dump_yaml({"L": ["a\nb\n\n"]}) == "L:\n  - |+\n    a\n    b\n\n"


def test_numbers_and_scalars() -> None:
    doc = {"i": 7, "f": 1e20, "g": 1e-7, "h": -2.0, "b": True, "n": None, "big": 10**30}
    out = dump_yaml(doc)
    assert "f: 1.0e+20\n" in out
    assert reread(out) == doc
    assert type(reread(out)["h"]) is float


def test_shapes_the_reader_would_refuse_stay_long() -> None:
    doc = {
        "A": {"Fn::GetAtt": "Web.PublicIp"},  # string form: short form would read back a list
        "B": {"Ref": ["x"]},  # wrong shape
        "C": {"Ref": 5},  # tagged scalars read back as strings
        "D": {"Fn::GetAtt": ["a.b", "c"]},  # dotted resource: list form
        "E": {"Fn::ForEach::Loop": [1]},  # not a simple tag name
        "F": {"Fn::Join": []},
        "G": {"Fn::GetAZs": {}},
    }
    text = dump_yaml(doc)
    assert reread(text) == doc
    assert "A:\n  Fn::GetAtt: Web.PublicIp" in text
    assert "D: !GetAtt\n  - a.b\n" in text


def test_json_refuses_values_json_cannot_hold() -> None:
    from sparkleform.errors import FormatError

    with pytest.raises(FormatError, match="cannot be written as JSON"):
        dump_json({"A": float("inf")})
    with pytest.raises(FormatError, match="cannot hold a object"):
        dump_json({"A": object()})


def test_empty_collections() -> None:
    doc = {"A": {}, "B": [], "C": [[], {}], "D": [[1, [2]], {"x": []}]}
    assert reread(dump_yaml(doc)) == doc
    assert dump_yaml({}) == "{}\n"


# Text made of the characters YAML gives meaning to, so quoting and block scalars get exercised.
yamlish = st.text(alphabet=st.sampled_from(list(" \t\n\r-:#'\"!&*?|>%@`{}[],.0123456789aeyYnNoOx~\\\x85\u2028")), max_size=12)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    yamlish,
)
keys = st.one_of(st.text(min_size=1, max_size=12), yamlish.filter(bool))
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(keys, inner, max_size=4),
        st.builds(lambda v: {"Ref": v}, st.text(max_size=8)),
        st.builds(lambda a, b: {"Fn::GetAtt": [a, b]}, st.text(max_size=6), st.text(max_size=6)),
        st.builds(lambda v: {"Fn::Base64": v}, inner),
        st.builds(lambda v: {"Fn::If": ["C", v, {"Ref": "AWS::NoValue"}]}, inner),
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(keys, values, max_size=5))
def test_any_document_reads_back_equal(doc: dict) -> None:
    assert reread(dump_yaml(doc)) == doc
    assert reread(dump_yaml(doc, short_form=False)) == doc
    assert reread(dump_json(doc)) == doc


def test_lone_surrogates_stay_escaped_in_json_and_are_refused_by_yaml() -> None:
    from sparkleform.errors import FormatError

    doc = {"a": "x\ud800y"}  # the readers refuse this (issue 19); the writers must not crash
    text = dump_json(doc)
    assert "\\ud800" in text and text.encode("utf-8")
    with pytest.raises(FormatError, match="surrogate"):
        reread(text)
    with pytest.raises(FormatError, match="surrogate"):
        dump_yaml(doc)
