"""The YAML line map is built only when a line is asked for, and is then the same map the
line-tracking reader builds; syntax errors still point at their line at once."""

from __future__ import annotations

import pytest

from corpus_data import corpus_rows
from sparkleform.errors import FormatError
from sparkleform.formats import loads_template
from sparkleform.formats.yaml_reader import LazyLineMap, read_yaml

TEXT = """\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub '${AWS::StackName}-b'
      Tags:
        - Key: a
          Value: !GetAtt Other.Arn
"""


def test_reading_builds_no_line_map_until_asked():
    doc, sources = loads_template(TEXT, "t.yaml")
    assert isinstance(sources, LazyLineMap) and not sources.built
    assert doc["Resources"]["Bucket"]["Properties"]["BucketName"] == {"Fn::Sub": "${AWS::StackName}-b"}
    assert not sources.built
    loc = sources.get(("Resources", "Bucket", "Properties", "Tags", 0, "Value", "Fn::GetAtt"))
    assert sources.built and str(loc) == "t.yaml:9"
    assert dict(sources) == dict(read_yaml(TEXT, "t.yaml")[1])


def test_syntax_and_shape_errors_are_reported_at_once_with_their_line():
    with pytest.raises(FormatError) as err:
        loads_template(TEXT + "  Bad: [unclosed\n", "t.yaml")
    assert err.value.location and err.value.location.startswith("t.yaml:")
    with pytest.raises(FormatError) as err:
        loads_template("Resources:\n  A: !GetAtt nodot\n", "t.yaml")
    assert err.value.location == "t.yaml:2"


def test_the_lazy_map_equals_the_eager_one_on_the_corpus(corpus_dir):
    paths = [corpus_dir / r["path"] for r in corpus_rows() if r["format"] == "yaml" and r["parse"] == "ok"]
    if not paths:
        pytest.skip("no YAML templates in the corpus")
    compared = 0
    for path in paths[::max(1, len(paths) // 60)]:
        text = path.read_text(encoding="utf-8")
        try:
            eager = read_yaml(text, path.name)
        except FormatError:
            continue
        doc, lazy = loads_template(text, path.name)
        assert doc == eager[0]
        assert dict(lazy) == dict(eager[1]), path
        compared += 1
    assert compared
