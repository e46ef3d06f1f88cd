"""The template reader: short-form tags, YAML 1.1 pitfalls, duplicate keys, errors, line numbers."""

from __future__ import annotations

import textwrap

import pytest

from sparkleform.errors import FormatError
from sparkleform.formats import load_template, loads_template
from sparkleform.sourcemap import Location


def read(text: str) -> dict:
    return loads_template(textwrap.dedent(text), "t.yaml")[0]


def value(text: str):
    return read(f"Value: {text}\n")["Value"]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("!Ref Vpc", {"Ref": "Vpc"}),
        ("!Ref AWS::Region", {"Ref": "AWS::Region"}),
        ("!GetAtt Web.PublicIp", {"Fn::GetAtt": ["Web", "PublicIp"]}),
        ("!GetAtt Nested.Outputs.VpcId", {"Fn::GetAtt": ["Nested", "Outputs.VpcId"]}),
        ("!GetAtt [Web, PublicIp]", {"Fn::GetAtt": ["Web", "PublicIp"]}),
        ("!GetAtt [Web, !Ref Attr]", {"Fn::GetAtt": ["Web", {"Ref": "Attr"}]}),
        ("!Sub 'arn:${AWS::Partition}:s3:::b'", {"Fn::Sub": "arn:${AWS::Partition}:s3:::b"}),
        ("!Sub ['${A}-x', {A: !Ref B}]", {"Fn::Sub": ["${A}-x", {"A": {"Ref": "B"}}]}),
        ("!If [IsProd, 1, 2]", {"Fn::If": ["IsProd", 1, 2]}),
        ("!Equals [!Ref Env, prod]", {"Fn::Equals": [{"Ref": "Env"}, "prod"]}),
        ("!Join ['', [a, !Ref B]]", {"Fn::Join": ["", ["a", {"Ref": "B"}]]}),
        ("!Select [0, !GetAZs '']", {"Fn::Select": [0, {"Fn::GetAZs": ""}]}),
        ("!Split [',', !Ref L]", {"Fn::Split": [",", {"Ref": "L"}]}),
        ("!FindInMap [M, !Ref AWS::Region, Ami]", {"Fn::FindInMap": ["M", {"Ref": "AWS::Region"}, "Ami"]}),
        ("!Base64 hello", {"Fn::Base64": "hello"}),
        ("!Base64 {'Fn::Sub': x}", {"Fn::Base64": {"Fn::Sub": "x"}}),
        ("!Cidr [!Ref Block, 6, 5]", {"Fn::Cidr": [{"Ref": "Block"}, 6, 5]}),
        ("!GetAZs ''", {"Fn::GetAZs": ""}),
        ("!GetAZs {Ref: AWS::Region}", {"Fn::GetAZs": {"Ref": "AWS::Region"}}),
        ("!ImportValue shared-vpc", {"Fn::ImportValue": "shared-vpc"}),
        ("!ImportValue {'Fn::Sub': '${X}-id'}", {"Fn::ImportValue": {"Fn::Sub": "${X}-id"}}),
        ("!Condition IsProd", {"Condition": "IsProd"}),
        ("!And [!Condition A, !Condition B]", {"Fn::And": [{"Condition": "A"}, {"Condition": "B"}]}),
        ("!Or [!Condition A, !Equals [a, b]]", {"Fn::Or": [{"Condition": "A"}, {"Fn::Equals": ["a", "b"]}]}),
        ("!Not [!Condition A]", {"Fn::Not": [{"Condition": "A"}]}),
        ("!Transform {Name: M, Parameters: {a: 1}}", {"Fn::Transform": {"Name": "M", "Parameters": {"a": 1}}}),
        ("!ToJsonString {a: [1]}", {"Fn::ToJsonString": {"a": [1]}}),
        ("!Length [1, 2]", {"Fn::Length": [1, 2]}),
        ("!Rain::Embed file.txt", {"Fn::Rain::Embed": "file.txt"}),
    ],
)
def test_short_form_tags_become_long_form(source: str, expected: dict) -> None:
    assert value(source) == expected


def test_tag_arguments_are_strings_as_written() -> None:
    assert value("!Ref 0644") == {"Ref": "0644"}
    assert value("!Sub yes") == {"Fn::Sub": "yes"}


def test_block_scalar_under_a_tag() -> None:
    doc = read(
        """\
        UserData: !Base64
          Fn::Sub: |
            #!/bin/bash
            echo ${AWS::Region}
        """
    )
    assert doc["UserData"] == {"Fn::Base64": {"Fn::Sub": "#!/bin/bash\necho ${AWS::Region}\n"}}


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("!Ref [a, b]", "!Ref takes a string, not a sequence"),
        ("!If IsProd", "!If takes a list, not a scalar"),
        ("!Join {a: b}", "!Join takes a list, not a mapping"),
        ("!GetAtt NoDot", "must be written Resource.Attribute"),
        ("!Transform name", "!Transform takes a mapping"),
        ("!Condition [a]", "!Condition takes a string"),
    ],
)
def test_tag_with_wrong_argument_shape_is_an_error_with_its_line(source: str, message: str) -> None:
    with pytest.raises(FormatError) as info:
        loads_template(f"A: 1\nValue: {source}\n", "bad.yaml")
    assert message in info.value.message
    assert info.value.location == "bad.yaml:2"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("2010-09-09", "2010-09-09"),
        ("2001-12-14t21:59:43.10-05:00", "2001-12-14t21:59:43.10-05:00"),
        ("yes", True),
        ("No", False),
        ("ON", True),
        ("off", False),
        ("true", True),
        ("y", "y"),
        ("n", "n"),
        ("0644", 420),
        ("000400", 256),
        ("09", "09"),
        ("0x1F", 31),
        ("1_000", 1000),
        ("12", 12),
        ("-3", -3),
        ("1.5", 1.5),
        ("1e3", "1e3"),
        ("1:20", "1:20"),
        ("~", None),
        ("null", None),
        ("", None),
        ("'2010-09-09'", "2010-09-09"),
        ("'yes'", "yes"),
        ('"0644"', "0644"),
        ("!!str 12", "12"),
        ("!!int '12'", 12),
        ("<<foo", "<<foo"),
        ("=", "="),
    ],
)
def test_yaml_11_pitfalls_read_as_cloudformation_reads_them(source: str, expected: object) -> None:
    got = value(source)
    assert got == expected
    assert type(got) is type(expected)


def test_unquoted_template_version_is_a_string() -> None:
    doc = read("AWSTemplateFormatVersion: 2010-09-09\nResources: {}\n")
    assert doc["AWSTemplateFormatVersion"] == "2010-09-09"


def test_non_string_keys_become_strings() -> None:
    doc = read("Mappings:\n  Ports:\n    80: {a: 1}\n    yes: {b: 2}\n    '0644': {c: 3}\n")
    assert list(doc["Mappings"]["Ports"]) == ["80", "true", "0644"]


def test_key_order_is_kept() -> None:
    doc = read("Z: 1\nA: 2\nM: {c: 1, b: 2, a: 3}\n")
    assert list(doc) == ["Z", "A", "M"]
    assert list(doc["M"]) == ["c", "b", "a"]


def test_block_scalars() -> None:
    doc = read(
        """\
        Keep: |+
          a

        Strip: |-
          a
          b
        Folded: >
          one
          two
        Last: x
        """
    )
    assert doc["Keep"] == "a\n\n"
    assert doc["Strip"] == "a\nb"
    assert doc["Folded"] == "one two\n"


def test_anchors_and_merge_keys() -> None:
    doc = read(
        """\
        Base: &base {A: 1, B: 2}
        Copy: *base
        Merged:
          <<: *base
          B: 3
        """
    )
    assert doc["Copy"] == {"A": 1, "B": 2}
    assert doc["Copy"] is not doc["Base"]
    assert doc["Merged"] == {"B": 3, "A": 1}


def test_duplicate_yaml_keys_name_both_lines() -> None:
    text = "Resources:\n  A:\n    Type: X\n  B:\n    Type: Y\n  A:\n    Type: Z\n"
    with pytest.raises(FormatError) as info:
        loads_template(text, "dup.yaml")
    assert info.value.location == "dup.yaml:6"
    assert "'A'" in info.value.message and "line 2" in info.value.message and "line 6" in info.value.message


def test_duplicate_json_keys_name_both_lines() -> None:
    text = '{\n  "Resources": {\n    "A": {"Type": "X"},\n    "A": {"Type": "Y"}\n  }\n}\n'
    with pytest.raises(FormatError) as info:
        loads_template(text, "dup.json")
    assert info.value.location == "dup.json:4"
    assert "line 3" in info.value.message and "line 4" in info.value.message


def test_duplicates_that_differ_only_after_reading_are_caught() -> None:
    with pytest.raises(FormatError, match="duplicate key 'true'"):
        loads_template("M:\n  yes: 1\n  true: 2\n", "d.yaml")


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("Resources:\n  A: [1, 2\n", "YAML syntax error", None),
        ("A: 1\n B: 2\n", "YAML syntax error", 2),
        ("- 1\n- 2\n", "top level must be a mapping", 1),
        ("just text\n", "top level must be a mapping", 1),
        ("", "empty", 1),
        ("# only a comment\n", "empty", 1),
        ("A: 1\n---\nB: 2\n", "YAML syntax error", 2),
        ('{\n  "A": 1,\n  "B": 2\n  "C": 3\n}\n', "JSON syntax error", 4),
        ("[1, 2]\n", "top level must be a mapping", 1),
        ("A: !!python/name:os.system x\n", "unsupported YAML tag", 1),
        ("A: &a [*a]\n", "alias refers to the node", 1),
    ],
)
def test_unreadable_input_is_one_located_error(text: str, message: str, line: int | None) -> None:
    with pytest.raises(FormatError) as info:
        loads_template(text, "in.yaml")
    assert message in info.value.message
    assert info.value.location is not None and info.value.location.startswith("in.yaml:")
    if line is not None:
        assert info.value.location == f"in.yaml:{line}"


def test_json_is_decided_by_content_not_extension(tmp_path) -> None:
    path = tmp_path / "looks.yaml"
    path.write_text('{"Resources": {"A": {"Type": "AWS::SNS::Topic"}}, "N": 1.0, "B": true}')
    doc, _ = load_template(path)
    assert doc == {"Resources": {"A": {"Type": "AWS::SNS::Topic"}}, "N": 1.0, "B": True}
    yaml_path = tmp_path / "really.json"
    yaml_path.write_text("Resources:\n  A:\n    Type: AWS::SNS::Topic\n")
    assert load_template(yaml_path)[0] == {"Resources": {"A": {"Type": "AWS::SNS::Topic"}}}


def test_yaml_flow_mapping_starting_with_brace_is_still_read() -> None:
    assert loads_template("{Resources: {A: {Type: X}}}\n")[0] == {"Resources": {"A": {"Type": "X"}}}


def test_missing_file_and_non_utf8_are_format_errors(tmp_path) -> None:
    with pytest.raises(FormatError, match="no such file"):
        load_template(tmp_path / "nope.yaml")
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes(b"A: 1\nB: caf\xe9\n")
    with pytest.raises(FormatError, match="not UTF-8") as info:
        load_template(bad)
    assert info.value.location.endswith(":2")


def test_byte_order_mark_is_ignored() -> None:
    assert loads_template('\ufeff{"A": 1}')[0] == {"A": 1}
    assert loads_template("\ufeffA: 1\n")[0] == {"A": 1}


YAML_TEMPLATE = """\
Parameters:
  Env:
    Type: String
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub '${Env}-b'
      Tags:
        - Key: a
          Value: !Ref Env
        - Key: b
          Value: c
"""


def test_source_map_has_every_key_and_item_in_yaml() -> None:
    _, smap = loads_template(YAML_TEMPLATE, "s.yaml")
    assert smap.exact(("Parameters",)) == Location("s.yaml", 1)
    assert smap.exact(("Resources", "Bucket", "Type")) == Location("s.yaml", 6)
    assert smap.exact(("Resources", "Bucket", "Properties", "BucketName")) == Location("s.yaml", 8)
    assert smap.exact(("Resources", "Bucket", "Properties", "BucketName", "Fn::Sub")) == Location("s.yaml", 8)
    assert smap.exact(("Resources", "Bucket", "Properties", "Tags", 1)) == Location("s.yaml", 12)
    assert smap.exact(("Resources", "Bucket", "Properties", "Tags", 1, "Value")) == Location("s.yaml", 13)
    assert smap.exact(("Resources", "Bucket", "Properties", "Tags", 0, "Value", "Ref")) == Location("s.yaml", 11)
    assert smap.get(("Resources", "Bucket", "Properties", "Tags", 0, "Value", "Ref", 5)) == Location("s.yaml", 11)


def test_source_map_for_tagged_collections_nests_below_the_function() -> None:
    _, smap = loads_template("A:\n  V: !Join\n    - ''\n    - - x\n      - !Ref Y\n", "j.yaml")
    assert smap.exact(("A", "V", "Fn::Join")) == Location("j.yaml", 2)
    assert smap.exact(("A", "V", "Fn::Join", 1, 1)) == Location("j.yaml", 5)
    assert smap.exact(("A", "V", "Fn::Join", 1, 1, "Ref")) == Location("j.yaml", 5)


def test_source_map_has_every_key_and_item_in_json() -> None:
    text = '{\n  "Resources": {\n    "B": {\n      "Type": "AWS::S3::Bucket",\n      "L": [\n        1,\n        {"Ref": "X"}\n      ]\n    }\n  }\n}\n'
    doc, smap = loads_template(text, "s.json")
    assert doc["Resources"]["B"]["L"] == [1, {"Ref": "X"}]
    assert smap.exact(("Resources",)) == Location("s.json", 2)
    assert smap.exact(("Resources", "B", "Type")) == Location("s.json", 4)
    assert smap.exact(("Resources", "B", "L", 0)) == Location("s.json", 6)
    assert smap.exact(("Resources", "B", "L", 1, "Ref")) == Location("s.json", 7)


def test_json_numbers_strings_and_literals() -> None:
    doc, _ = loads_template('{"a": -1, "b": 2.5e3, "c": "\\u00e9\\n", "d": null, "e": false, "f": []}')
    assert doc == {"a": -1, "b": 2500.0, "c": "é\n", "d": None, "e": False, "f": []}
    assert type(doc["a"]) is int


@pytest.mark.parametrize("text", ['{"a": "x" "b": 1}', '{"a": 1}}', '{"a": [1, 2}'])
def test_invalid_json_is_refused(text: str) -> None:
    with pytest.raises(FormatError, match="JSON syntax error"):
        loads_template(text, "x.json")


def test_brace_text_that_is_not_json_is_read_as_yaml_flow() -> None:
    # CloudFormation, too, falls back to YAML: `{'a': NaN}` is a YAML flow mapping.
    assert loads_template("{'a': NaN, b: 01}")[0] == {"a": "NaN", "b": 1}


def test_yaml_11_surprises_are_noted_with_their_lines() -> None:
    notes: list[str] = []
    text = "A:\n  mode: 0644\n  b: yes\n  c: true\n  d: 12\n  e: [0x1F, Off, '0644', 1_000]\n  f: !Ref yes\n"
    doc, _ = loads_template(text, "n.yaml", notes=notes)
    assert doc["A"]["mode"] == 420
    assert notes == [
        "n.yaml:2: unquoted 0644 is read as the number 420 (YAML 1.1 octal); quote it to keep the text",
        "n.yaml:3: unquoted yes is read as the boolean true (YAML 1.1); quote it to keep the word",
        "n.yaml:6: unquoted 0x1F is read as the number 31 (hexadecimal); quote it to keep the text",
        "n.yaml:6: unquoted Off is read as the boolean false (YAML 1.1); quote it to keep the word",
        "n.yaml:6: unquoted 1_000 is read as the number 1000 (YAML 1.1 digit separators); quote it to keep the text",
    ]
    quiet: list[str] = []
    loads_template('{"a": 1, "b": true}', "j.json", notes=quiet)
    assert quiet == []


def test_absurd_nesting_is_a_format_error_not_a_crash() -> None:
    from sparkleform.formats import dump_json, dump_yaml

    deep_json = '{"a": ' + "[" * 5000 + "]" * 5000 + "}"
    with pytest.raises(FormatError, match="nests too deeply"):
        loads_template(deep_json, "deep.json")
    deep: dict = {}
    node = deep
    for _ in range(5000):
        node["a"] = {}
        node = node["a"]
    with pytest.raises(FormatError, match="too deeply"):
        dump_yaml(deep)
    with pytest.raises(FormatError, match="too deeply"):
        dump_json(deep)


def test_alias_bombs_are_refused() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 10):
        refs = ", ".join([f"*a{level - 1}"] * 10)
        lines.append(f"a{level}: &a{level} [{refs}]")
    with pytest.raises(FormatError, match="aliases expand to too much data"):
        loads_template("\n".join(lines) + "\n", "bomb.yaml")


@pytest.mark.parametrize(
    "text",
    [
        '{"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "a\\udfffb"}}}}',  # JSON escape
        'Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties: {QueueName: "a\\udfffb"}\n',  # YAML \\u
        'Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties: {QueueName: "a\\U0000dfffb"}\n',  # YAML \\U
        "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties: {QueueName: a\udfffb}\n",  # a str made in Python
    ],
)
def test_a_lone_surrogate_is_refused_however_it_got_into_the_text(text: str) -> None:
    """The per-value check is skipped only when the text cannot produce one (no escape, no
    surrogate in it), so every way in is still refused, by both readers (libyaml refuses a
    surrogate escape itself)."""
    from sparkleform.formats import loads_document

    for read in (loads_template, loads_document):
        with pytest.raises(FormatError, match=r"lone surrogate|invalid Unicode character escape"):
            read(text, "s.yaml")


def test_the_shape_limits_hold_without_the_string_check() -> None:
    from sparkleform.errors import InputError
    from sparkleform.inputs import MAX_DEPTH, may_hold_surrogates

    deep = "A: " + "[" * (MAX_DEPTH + 2) + "]" * (MAX_DEPTH + 2) + "\n"
    assert not may_hold_surrogates(deep)
    with pytest.raises(InputError, match="levels deep"):
        loads_template(deep, "deep.yaml")
    fine = "A: " + "[" * (MAX_DEPTH - 2) + "]" * (MAX_DEPTH - 2) + "\n"
    assert loads_template(fine, "ok.yaml")[0]["A"]
