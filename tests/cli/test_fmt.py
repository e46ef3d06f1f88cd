"""`sparkleform fmt` (comments and key order kept, the meaning never changed) and `convert`'s
note about the comments it drops, run as the real CLI."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path

import pytest

import cli_inprocess
from corpus_data import corpus_rows
from sparkleform.formats import loads_document
from sparkleform.formats.fmt import format_text, yaml_comment_lines

MESSY = """\
# the web tier
AWSTemplateFormatVersion: '2010-09-09'
Parameters:
    Env:   {Type: String, AllowedValues: [prod, dev]}   # where it runs
Resources:
  # the bucket comes first
  Bucket:
      Type: AWS::S3::Bucket
      Properties:
          BucketName: !Sub '${AWS::StackName}-b'
          Tags:
          - Key: legacy
            Value: 'yes'
          - {Key: mode, Value: '0644'}
      Metadata:
        script: |
          #!/bin/bash
          echo hi   # not a comment: inside the block
Outputs:
  Zeta: {Value: !Ref Bucket}
  Alpha: {Value: !GetAtt Bucket.Arn}
"""


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """The real CLI: a subprocess for the first call of each verb in the session, in-process
    after that (tests/cli_inprocess.py)."""
    return cli_inprocess.run(args, cwd, check=None, no_color=False)


def test_fmt_prints_formatted_yaml_keeping_comments_order_and_quotes(tmp_path):
    (tmp_path / "t.yaml").write_text(MESSY)
    out = run("fmt", "t.yaml", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    text = out.stdout
    for comment in ("# the web tier", "# where it runs", "# the bucket comes first"):
        assert comment in text
    assert "\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Sub" in text
    assert "      Tags:\n        - Key: legacy\n          Value: 'yes'\n" in text  # quotes kept: YAML 1.1 reads yes as true
    assert text.index("Zeta") < text.index("Alpha")  # key order as written
    assert loads_document(text) == loads_document(MESSY)
    assert (tmp_path / "t.yaml").read_text() == MESSY  # without --write nothing is touched


def test_check_and_write(tmp_path):
    messy = tmp_path / "messy.yaml"
    messy.write_text(MESSY)
    messy.chmod(0o640)
    tidy = tmp_path / "tidy.json"
    tidy.write_text(json.dumps({"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}, indent=2) + "\n")
    check = run("fmt", "--check", "messy.yaml", "tidy.json", cwd=tmp_path)
    assert check.returncode == 1
    assert "would reformat messy.yaml" in check.stderr and "tidy.json" not in check.stderr
    write = run("fmt", "--write", "messy.yaml", "tidy.json", cwd=tmp_path)
    assert write.returncode == 0, write.stderr
    assert "formatted messy.yaml" in write.stderr
    assert stat.S_IMODE(os.stat(messy).st_mode) == 0o640  # the file keeps its mode
    assert "# the bucket comes first" in messy.read_text()
    assert run("fmt", "--check", "messy.yaml", "tidy.json", cwd=tmp_path).returncode == 0  # idempotent


def test_json_keeps_key_order(tmp_path):
    (tmp_path / "t.json").write_text('{"Resources": {"B": {"Type": "AWS::SQS::Queue"}, "A": {"Type": "AWS::SNS::Topic"}},'
                                     ' "AWSTemplateFormatVersion": "2010-09-09"}')
    out = run("fmt", "t.json", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.index('"B"') < out.stdout.index('"A"') < out.stdout.index("AWSTemplateFormatVersion")
    assert out.stdout.startswith('{\n  "Resources": {\n    "B": {\n')


def test_bad_input_is_one_line_with_file_and_line_exit_2(tmp_path):
    (tmp_path / "bad.yaml").write_text("Resources:\n  A: [unclosed\n")
    out = run("fmt", "--write", "bad.yaml", cwd=tmp_path)
    assert out.returncode == 2
    assert out.stderr.startswith("error: bad.yaml:") and "Traceback" not in out.stderr
    many = run("fmt", "a.yaml", "b.yaml", cwd=tmp_path)
    assert many.returncode == 2 and "--write" in many.stderr


def test_convert_says_it_drops_comments(tmp_path):
    (tmp_path / "t.yaml").write_text(MESSY)
    out = run("convert", "t.yaml", "--to", "json", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "t.yaml: 3 comment line(s) (first at line 1) are dropped: JSON has no comments" in out.stderr
    (tmp_path / "plain.yaml").write_text("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n"
                                         "      QueueName: 'a#b'\n      Tags: [{Key: k, Value: x}]\n")
    quiet = run("convert", "plain.yaml", "--to", "json", cwd=tmp_path)
    assert "comment" not in quiet.stderr


def test_comment_scan_skips_block_scalars_and_strings():
    text = ("a: 1 # c\nb: \"x # y\"\nc: !Sub |\n  # inside\n  x\nd:\n  - >-\n    # inside\n# yes\n"
            "e: &anchor |\n  # inside\nf: 'it''s # fine'\n")
    assert yaml_comment_lines(text) == [1, 9]


def test_fmt_keeps_the_meaning_of_real_templates(corpus_dir):
    paths = [corpus_dir / r["path"] for r in corpus_rows() if r["format"] == "yaml" and r["label"] != "bad"]
    if not paths:
        pytest.skip("no YAML templates in the corpus")
    checked = 0
    for path in paths[:: max(1, len(paths) // 12)]:
        text = path.read_text(encoding="utf-8")
        try:
            before = loads_document(text, path.name)
        except Exception:
            continue
        out = format_text(text, path.name)
        assert loads_document(out, path.name) == before
        assert format_text(out, path.name) == out  # a second run changes nothing
        # every comment line the scan found is still there after formatting
        kept = {line.strip() for line in out.splitlines()}
        for number in yaml_comment_lines(text):
            comment = text.splitlines()[number - 1]
            assert comment[comment.index("#"):].strip() in "\n".join(kept), (path, number)
        checked += 1
    assert checked >= 5
