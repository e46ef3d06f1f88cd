"""`validate` as a CI gate: SARIF that passes the SARIF 2.1.0 schema (clean, findings, a parse
error), a helpUri per rule, --fail-on, suppression (sparkleform.toml, resource Metadata, a
Python line), repeated findings grouped, JUnit XML, several files (pre-commit), and SF and
cfn-lint findings of one problem reported once."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import pytest
import yaml

import cli_inprocess
from sparkleform.check.rules import all_rules

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-2.1.0-rtm.5.json").read_text())

CLEAN = "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n"
FINDINGS = """Parameters:
  Unused:
    Type: String
Resources:
  Web:
    Type: AWS::EC2::Instance
    Properties:
      ImageID: ami-12345678
"""


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """The real CLI: a subprocess for the first call of each verb in the session, in-process
    after that (tests/cli_inprocess.py)."""
    return cli_inprocess.run(args, cwd, check=None, no_color=False)


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "clean.yaml").write_text(CLEAN)
    (tmp_path / "findings.yaml").write_text(FINDINGS)
    (tmp_path / "broken.yaml").write_text("Resources:\n  Queue: [unclosed\n")
    return tmp_path


@pytest.mark.parametrize(("name", "code", "results"), [("clean", 0, 0), ("findings", 1, 2), ("broken", 2, 1)])
def test_sarif_passes_the_schema(folder, name, code, results):
    proc = run(folder, "validate", f"{name}.yaml", "--format", "sarif")
    assert proc.returncode == code, proc.stderr
    log = json.loads(proc.stdout)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    run_ = log["runs"][0]
    assert len(run_["results"]) == results
    for rule in run_["tool"]["driver"]["rules"]:
        assert rule["helpUri"].endswith("docs/validate.md#" + rule["id"].lower())
    if name == "broken":
        (res,) = run_["results"]
        assert res["ruleId"] == "SF1000" and "YAML syntax error" in res["message"]["text"]
        # the line where the YAML parser gave up (the end of the file)
        assert res["locations"][0]["physicalLocation"]["region"]["startLine"] == 3
        assert res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "broken.yaml"


def test_every_rule_has_an_anchor_in_the_docs():
    doc = (ROOT / "docs" / "validate.md").read_text()
    for rule in all_rules().values():
        assert f'<a id="{rule.anchor}"></a>' in doc and rule.help_uri.endswith("#" + rule.anchor)


def test_fail_on(folder):
    (folder / "warn.yaml").write_text(CLEAN.replace("Resources:", "Parameters:\n  Unused:\n    Type: String\nResources:"))
    assert run(folder, "validate", "warn.yaml").returncode == 0
    failed = run(folder, "validate", "warn.yaml", "--fail-on", "warning")
    assert failed.returncode == 1 and "warning: parameter Unused is never used [SF3020]" in failed.stdout
    assert run(folder, "validate", "findings.yaml", "--fail-on", "none").returncode == 0


def test_suppression_in_config_metadata_and_python_lines(folder):
    base = run(folder, "validate", "findings.yaml", "--format", "json")
    rules = {r["rule"] for r in json.loads(base.stdout)}
    assert "SF2002" in rules and len(rules) == 2
    warning_rule = (rules - {"SF2002"}).pop()
    # globally, in sparkleform.toml
    (folder / "sparkleform.toml").write_text(f'[validate]\nignore = ["{warning_rule}"]\n')
    assert {r["rule"] for r in json.loads(run(folder, "validate", "findings.yaml", "--format", "json").stdout)} == {
        "SF2002"}
    (folder / "sparkleform.toml").unlink()
    # per resource, in its Metadata
    tpl = yaml.safe_load(FINDINGS)
    tpl["Resources"]["Web"]["Metadata"] = {"sparkleform": {"ignore": ["SF2002"]}}
    (folder / "meta.yaml").write_text(yaml.safe_dump(tpl))
    meta = run(folder, "validate", "meta.yaml", "--format", "json")
    assert {r["rule"] for r in json.loads(meta.stdout)} == {warning_rule} and meta.returncode == 0
    # per Python line
    (folder / "web.py").write_text(
        "from sparkleform import template\n\n\n@template()\ndef web(t):\n"
        "    with t.resources.web_server as r:\n"
        '        r.type = "AWS::EC2::Instance"\n'
        '        r.properties["ImageID"] = "ami-12345678"  # sparkleform: ignore[SF2002]\n'
    )
    py = run(folder, "validate", "web.py", "--format", "json")
    assert json.loads(py.stdout) == [] and py.returncode == 0, py.stdout + py.stderr


def test_repeated_findings_are_grouped(folder):
    resources = {f"Web{i}": {"Type": "AWS::EC2::Instance", "Properties": {"ImageID": "ami-1"}} for i in range(6)}
    (folder / "many.json").write_text(json.dumps({"Resources": resources}, indent=1))
    text = run(folder, "validate", "many.json").stdout
    assert text.count("[SF2002") == 1 and "SF2002 × 6; also many.json:" in text
    assert "6 errors" in text
    assert run(folder, "validate", "many.json", "--no-group").stdout.count("[SF2002]") == 6


def test_junit_and_several_files(folder):
    proc = run(folder, "validate", "clean.yaml", "findings.yaml", "broken.yaml", "--format", "junit")
    assert proc.returncode == 2  # an unreadable file wins over findings
    root = ET.fromstring(proc.stdout)
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert set(suites) == {"clean.yaml", "findings.yaml", "broken.yaml"}
    assert suites["clean.yaml"].get("failures") == "0"
    assert suites["findings.yaml"].get("failures") == "2"
    assert [f.get("type") for f in suites["broken.yaml"].iter("failure")] == ["error"]


def test_cfn_lint_duplicates_are_reported_once(folder):
    pytest.importorskip("cfnlint")
    records = json.loads(run(folder, "validate", "findings.yaml", "--cfn-lint", "--format", "json").stdout)
    at_image = [r for r in records if r["path"] == "Resources.Web.Properties.ImageID"]
    assert [r["rule"] for r in at_image] == ["SF2002"] and at_image[0].get("cfn_lint", "").startswith("E")


def test_pre_commit_hook_definition():
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    (hook,) = [h for h in hooks if h["id"] == "sparkleform-validate"]
    assert hook["entry"].split()[:2] == ["sparkleform", "validate"] and hook["language"] == "python"


def test_columns_in_json_and_sarif(folder):
    (rec,) = [r for r in json.loads(run(folder, "validate", "findings.yaml", "--format", "json").stdout)
              if r["rule"] == "SF2002"]
    assert (rec["line"], rec["column"]) == (8, 7)  # "      ImageID: ..." in FINDINGS
    log = json.loads(run(folder, "validate", "findings.yaml", "--format", "sarif").stdout)
    regions = {r["ruleId"]: r["locations"][0]["physicalLocation"]["region"] for r in log["runs"][0]["results"]}
    assert regions["SF2002"] == {"startLine": 8, "startColumn": 7}
    (folder / "web.py").write_text(
        "from sparkleform import template\n\n\n@template()\ndef web(t):\n"
        "    with t.resources.web_server as r:\n"
        '        r.type = "AWS::EC2::Instance"\n'
        '        r.properties["ImageID"] = "ami-12345678"\n'
    )
    (py,) = json.loads(run(folder, "validate", "web.py", "--format", "json").stdout)
    assert (py["line"], py["column"]) == (8, 22)  # the subscript "ImageID" on the Python line


def test_text_output_gives_file_line_column(folder):
    # YAML: the keys' columns (ImageID is indented six spaces, Unused two)
    proc = run(folder, "validate", "findings.yaml")
    assert proc.returncode == 1
    assert "findings.yaml:8:7: Resources.Web.Properties.ImageID: AWS::EC2::Instance has no property ImageID" in proc.stdout
    assert "findings.yaml:2:3: Parameters.Unused: warning: parameter Unused is never used [SF3020]" in proc.stdout
    # JSON: the column of the quoted key
    (folder / "findings.json").write_text(
        '{\n  "Resources": {\n    "Web": {\n      "Type": "AWS::EC2::Instance",\n'
        '      "Properties": {"ImageId": "ami-12345678", "ImageID": "ami-12345678"}\n    }\n  }\n}\n'
    )
    proc = run(folder, "validate", "findings.json")
    assert "findings.json:5:49: Resources.Web.Properties.ImageID:" in proc.stdout, proc.stdout
    # a Python template: where the name is written on the line that set it
    (folder / "web.py").write_text(
        "from sparkleform import template\n\n\n@template()\ndef web(t):\n"
        '    t.parameter("key_name", type="String")\n'
        "    with t.resources.web_server as r:\n"
        '        r.type = "AWS::EC2::Instance"\n'
        '        r.properties["ImageID"] = "ami-12345678"\n'
    )
    proc = run(folder, "validate", "web.py")
    assert "web.py:9:22: Resources.WebServer.Properties.ImageID:" in proc.stdout, proc.stdout
    assert "web.py:6:18: Parameters.KeyName: warning:" in proc.stdout
    # the JSON report agrees with the text
    (rec,) = [r for r in json.loads(run(folder, "validate", "web.py", "--format", "json").stdout)
              if r["rule"] == "SF2002"]
    assert (rec["line"], rec["column"]) == (9, 22)


def test_syntax_errors_give_the_column_the_reader_stopped_at(folder):
    (folder / "bad.json").write_text('{\n  "Resources": {\n    "A": {"Type": "AWS::SNS::Topic",, }\n  }\n}\n')
    (folder / "tab.yaml").write_text("Resources:\n  A:\n    Type: AWS::SNS::Topic\n   B: 1\n")
    one = run(folder, "validate", "bad.json")
    assert one.returncode == 2 and one.stderr.startswith("error: bad.json:3:37: JSON syntax error"), one.stderr
    one = run(folder, "validate", "tab.yaml")
    assert one.returncode == 2 and one.stderr.startswith("error: tab.yaml:4:4: YAML syntax error"), one.stderr
    # several files: each is an SF1000 finding, with the same place in text, JSON and SARIF
    both = run(folder, "validate", "bad.json", "tab.yaml")
    assert "bad.json:3:37: (template): JSON syntax error" in both.stdout
    assert "tab.yaml:4:4: (template): YAML syntax error" in both.stdout
    records = json.loads(run(folder, "validate", "bad.json", "tab.yaml", "--format", "json").stdout)
    assert [(r["file"], r["line"], r["column"]) for r in records] == [("bad.json", 3, 37), ("tab.yaml", 4, 4)]
    log = json.loads(run(folder, "validate", "bad.json", "tab.yaml", "--format", "sarif").stdout)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    assert [r["locations"][0]["physicalLocation"]["region"] for r in log["runs"][0]["results"]] == [
        {"startLine": 3, "startColumn": 37}, {"startLine": 4, "startColumn": 4}]
