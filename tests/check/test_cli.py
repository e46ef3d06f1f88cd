"""`sparkleform validate` and `sparkleform graph` end to end (click's runner, real files)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from sparkleform.cli.main import cli

BAD = """AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Unused:
    Type: String
Resources:
  Web:
    Type: AWS::EC2::Instance
    Properties:
      ImageID: ami-12345678
"""
GOOD = """Resources:
  Queue:
    Type: AWS::SQS::Queue
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      Subscription:
        - Protocol: sqs
          Endpoint: !GetAtt Queue.Arn
"""


@pytest.fixture
def files(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD)
    good = tmp_path / "good.yaml"
    good.write_text(GOOD)
    return bad, good


def invoke(*args):
    return CliRunner().invoke(cli, list(args))


def test_text_output_points_at_lines_and_exits_1(files):
    bad, _ = files
    result = invoke("validate", str(bad))
    assert result.exit_code == 1
    # file:line:column, the column where the key is written
    assert f"{bad}:9:7: Resources.Web.Properties.ImageID: AWS::EC2::Instance has no property ImageID (did you mean ImageId?) [SF2002]" in result.output
    assert f"{bad}:3:3: Parameters.Unused: warning:" in result.output
    assert result.output.strip().splitlines()[-1].startswith("1 error, 1 warning")


def test_clean_file_exits_0(files):
    _, good = files
    result = invoke("validate", str(good))
    assert result.exit_code == 0, result.output
    assert "0 errors" in result.output


def test_json_output(files):
    bad, _ = files
    result = invoke("validate", str(bad), "--format", "json")
    records = json.loads(result.output)
    assert {r["rule"] for r in records} == {"SF2002", "SF3020"}
    rec = next(r for r in records if r["rule"] == "SF2002")
    assert rec == {**rec, "severity": "error", "path": "Resources.Web.Properties.ImageID", "file": str(bad), "line": 9}


def test_sarif_output_shape(files):
    bad, _ = files
    result = invoke("validate", str(bad), "--format", "sarif")
    log = json.loads(result.output)
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    for res in run["results"]:
        assert rule_ids[res["ruleIndex"]] == res["ruleId"]
        assert res["level"] in ("error", "warning", "note")
        loc = res["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uri"].endswith("bad.yaml")
        assert loc["region"]["startLine"] >= 1


def test_unusable_input_exits_2(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("Resources: [unclosed\n")
    from sparkleform.cli.main import main

    for args in (["validate", str(broken)], ["validate", str(tmp_path / "missing.json")]):
        with pytest.raises(SystemExit) as exc:
            main(args)
        assert exc.value.code == 2


def test_schemas_dir(tmp_path):
    folder = tmp_path / "schemas"
    folder.mkdir()
    (folder / "acme.json").write_text(json.dumps({
        "typeName": "Acme::Widget::Thing",
        "properties": {"Size": {"type": "integer"}},
        "required": ["Size"],
        "additionalProperties": False,
        "readOnlyProperties": ["/properties/Id"],
        "primaryIdentifier": ["/properties/Id"],
    }))
    tpl = tmp_path / "acme.yaml"
    tpl.write_text("Resources:\n  W:\n    Type: Acme::Widget::Thing\n    Properties:\n      Size: big\n")
    from sparkleform.spec import use_schema_dir

    try:
        result = invoke("validate", str(tpl), "--schemas", str(folder), "--format", "json")
        assert [r["rule"] for r in json.loads(result.output)] == ["SF2004"]
    finally:
        use_schema_dir(None)


def test_schemas_from_config(tmp_path, monkeypatch):
    folder = tmp_path / "myschemas"
    folder.mkdir()
    (folder / "acme.json").write_text(json.dumps({
        "typeName": "Acme::Widget::Thing",
        "properties": {"Size": {"type": "integer"}},
        "additionalProperties": False,
        "primaryIdentifier": ["/properties/Size"],
    }))
    (tmp_path / "sparkleform.toml").write_text('schemas = "myschemas"\n')
    (tmp_path / "t.yaml").write_text("Resources:\n  W:\n    Type: Acme::Widget::Thing\n    Properties:\n      Colour: red\n")
    monkeypatch.chdir(tmp_path)
    from sparkleform.spec import use_schema_dir

    try:
        result = invoke("validate", "t.yaml", "--format", "json")
        records = json.loads(result.output)
        assert [(r["rule"], r["line"]) for r in records] == [("SF2002", 5)]
    finally:
        use_schema_dir(None)


def test_cfn_lint_findings_are_merged(files):
    bad, _ = files
    result = invoke("validate", str(bad), "--cfn-lint", "--format", "json")
    records = json.loads(result.output)
    # cfn-lint's E3002 on the same property is folded into SF2002 (named there), not repeated
    assert not any(r.get("source") == "cfn-lint" and r["path"] == "Resources.Web.Properties.ImageID" for r in records)
    (sf,) = [r for r in records if r["rule"] == "SF2002"]
    assert sf["line"] == 9 and sf["cfn_lint"].startswith("E3002")
    (unused,) = [r for r in records if r["path"] == "Parameters.Unused"]
    assert unused["rule"] == "SF3020" and unused["cfn_lint"] == "W2001"


def test_graph_dot_and_html(files, tmp_path):
    _, good = files
    dot = invoke("graph", str(good))
    assert dot.exit_code == 0
    assert '"Topic" -> "Queue"' in dot.output
    out = tmp_path / "g.html"
    page = invoke("graph", str(good), "--format", "html", "-o", str(out))
    assert page.exit_code == 0
    text = out.read_text()
    assert text.startswith("<!DOCTYPE html>") and "<svg" in text and "Topic" in text


DSL = '''from sparkleform import template, ref


@template(description="one instance")
def web(t, *, size: str = "t3.micro", days: int = 7):
    with t.resources.web_server as r:
        r.type = "AWS::EC2::Instance"
        r.properties["ImageID"] = "ami-12345678"
        r.properties.instance_type = size
    t.resources.logs.type = "AWS::Logs::LogGroup"
    t.resources.logs.properties.retention_in_days = days
    t.outputs.id.value = ref("web_server")
'''


def test_dsl_template_points_at_the_python_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "web.py").write_text(DSL)
    result = invoke("validate", "web.py", "--format", "json", "--set", "size=t3.nano")
    records = json.loads(result.output)
    assert [(r["rule"], r["file"], r["line"]) for r in records] == [("SF2002", "web.py", 8)]
    assert result.exit_code == 1
    # RetentionInDays takes a fixed list of values (an enum in every cfn-lint data release)
    bad_days = json.loads(invoke("validate", "web.py", "--format", "json", "--set", "days=13").output)
    assert ("SF2005", 11) in [(r["rule"], r["line"]) for r in bad_days]


def test_checks_import_no_heavy_libraries():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from sparkleform.check import run_checks\n"
        "run_checks({'Resources': {'F': {'Type': 'AWS::Lambda::Function', 'Properties': {'Runtime': 'python3.12'}}}})\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'cfnlint', 'boto3', 'botocore', 'rich', 'samtranslator'}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"
