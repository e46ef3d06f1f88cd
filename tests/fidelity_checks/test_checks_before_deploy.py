"""Item 1 of issue 13: create / plan / update / up run the validate checks before deploying,
refuse on errors with the user's file:line (exit 1), and `--no-check` skips them; errors the
engine raises about a template carry the source line too."""

from __future__ import annotations

import pytest
from fc_cli import Cli

TYPO = """\
Resources:
  Web:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-12345678
      InstnceType: t3.micro
"""

DSL_TYPO = '''\
from sparkleform import template


@template()
def typo(t):
    with t.resources.topic as r:
        r.type = "AWS::SNS::Topic"
        r.properties.display_nam = "x"
'''

OK = """\
Resources:
  Topic:
    Type: AWS::SNS::Topic
"""


@pytest.fixture
def cli(tmp_path) -> Cli:
    return Cli(tmp_path)


def test_create_refuses_a_yaml_typo_with_its_line_and_creates_nothing(cli):
    cli.write("typo.yaml", TYPO)
    proc = cli.run("create", "web", "typo.yaml")
    assert proc.returncode == 1, proc.stderr
    assert "typo.yaml:6:7:" in proc.stderr  # file:line:column, as validate writes it
    assert "InstnceType" in proc.stderr and "nothing was deployed" in proc.stderr
    assert "--no-check" in proc.stderr
    assert cli.status("web") is None


def test_create_refuses_a_dsl_typo_at_the_python_line(cli):
    cli.write("typo.py", DSL_TYPO)
    proc = cli.run("create", "dsl", "typo.py")
    assert proc.returncode == 1, proc.stderr
    assert "typo.py:8:22:" in proc.stderr and "DisplayNam" in proc.stderr
    assert cli.status("dsl") is None


def test_no_check_skips_the_checks(cli):
    cli.write("typo.yaml", TYPO.replace("InstnceType", "InstanceType") + "  Other:\n    Type: AWS::SNS::Topic\n    Properties:\n      DisplayName: !Ref Undeclared\n")
    refused = cli.run("create", "s", "typo.yaml")
    assert refused.returncode == 1 and "typo.yaml:10:" in refused.stderr
    # without the checks the engine refuses it itself (exit 2), still at the user's line
    proc = cli.run("create", "s", "typo.yaml", "--no-check")
    assert proc.returncode == 2, proc.stderr
    assert "typo.yaml:10: Template format error: Unresolved resource dependencies [Undeclared]" in proc.stderr


def test_engine_cycle_error_names_the_line(cli):
    cli.write("cycle.yaml", """\
Resources:
  A:
    Type: AWS::SNS::Topic
    Properties:
      DisplayName: !GetAtt B.TopicName
  B:
    Type: AWS::SNS::Topic
    Properties:
      DisplayName: !GetAtt A.TopicName
""")
    proc = cli.run("create", "c", "cycle.yaml", "--no-check")
    assert proc.returncode == 2
    assert "Circular dependency between resources: [A, B]" in proc.stderr
    assert "cycle.yaml:2:" in proc.stderr or "cycle.yaml:6:" in proc.stderr


def test_plan_and_update_refuse_too(cli):
    cli.write("ok.yaml", OK)
    assert cli.run("create", "s", "ok.yaml").returncode == 0
    cli.write("bad.yaml", OK + "    Properties:\n      DisplayNme: x\n")
    for verb in (["plan", "s", "bad.yaml"], ["update", "s", "bad.yaml", "-y"]):
        proc = cli.run(*verb)
        assert proc.returncode == 1, (verb, proc.stderr)
        assert "bad.yaml:5:" in proc.stderr
    assert cli.status("s") == "CREATE_COMPLETE"
    proc = cli.run("update", "s", "bad.yaml", "-y", "--no-check")
    assert "bad.yaml:5" not in proc.stderr


def test_up_refuses_and_no_check_goes_on(cli):
    cli.write("bad.yaml", OK + "    Properties:\n      DisplayNme: x\n")
    cli.write("sparkleform.toml", '[stacks.one]\ntemplate = "bad.yaml"\n')
    proc = cli.run("up", "-y")
    assert proc.returncode == 1 and "bad.yaml:5:" in proc.stderr
    assert cli.status("one") is None
    proc = cli.run("up", "-y", "--no-check")
    assert "bad.yaml:5:" not in proc.stderr
    assert cli.status("one") is not None


def test_python_api_checks_too(tmp_path, monkeypatch):
    from sparkleform import Stacks
    from sparkleform.errors import OperationFailed
    from sparkleform.stacks.checks import TemplateChecksFailed
    from sparkleform.stacks.request import StackInputs

    (tmp_path / "typo.yaml").write_text(TYPO)
    monkeypatch.chdir(tmp_path)
    stacks = Stacks(provider="local", state=str(tmp_path / "s.db"))
    with pytest.raises(TemplateChecksFailed) as info:
        stacks.create("web", "typo.yaml")
    assert "typo.yaml:6" in str(info.value)
    with pytest.raises(OperationFailed, match="extraneous key"):  # deployed: the engine's validation refuses it
        stacks.create("web2", "typo.yaml", inputs=StackInputs(no_check=True))
