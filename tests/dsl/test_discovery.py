"""Discovery: sub-folder templates as dir__file, top-level .py files, JSON/YAML templates."""

import json
import os
import subprocess
import sys
import textwrap

from sparkleform.dsl.collection import load_collection
from sparkleform.dsl.templates import build


def _write(root, rel, text):
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))


def _compile(registry, name):
    return build(registry.get("template", name), registry).compile()


def test_subfolders_top_level_files_and_documents(tmp_path):
    _write(tmp_path, "templates/network/vpc.py", """
        from sparkleform import template

        @template
        def network_vpc(t):
            t.resource("vpc", "AWS::EC2::VPC", cidr_block="10.0.0.0/16")
        """)
    _write(tmp_path, "stack.py", """
        from sparkleform import template

        @template
        def top_level(t):
            t.resource("queue", "AWS::SQS::Queue")
        """)
    _write(tmp_path, "script.py", "import sparkleform\nraise SystemExit('not a collection file: never run')\n")
    _write(tmp_path, "templates/legacy/queue.yaml", """
        AWSTemplateFormatVersion: 2010-09-09
        Parameters:
          Name: {Type: String}
        Resources:
          Queue:
            Type: AWS::SQS::Queue
            Properties:
              QueueName: !Ref Name
        Outputs:
          Arn: {Value: !GetAtt Queue.Arn}
        """)
    (tmp_path / "templates" / "bucket.json").write_text(json.dumps({"Resources": {"B": {"Type": "AWS::S3::Bucket"}}}))
    _write(tmp_path, "templates/extended.py", """
        from sparkleform import template

        @template(inherit="legacy__queue")
        def extended(t):
            t.resources["Queue"].properties.delay_seconds = 5
        """)
    registry = load_collection(tmp_path, builtin=False)
    assert _compile(registry, "network__vpc") == _compile(registry, "network_vpc")
    assert "Queue" in _compile(registry, "top_level")["Resources"]
    legacy = _compile(registry, "legacy__queue")
    assert legacy["AWSTemplateFormatVersion"] == "2010-09-09"
    assert legacy["Resources"]["Queue"]["Properties"] == {"QueueName": {"Ref": "Name"}}
    assert legacy["Outputs"]["Arn"] == {"Value": {"Fn::GetAtt": ["Queue", "Arn"]}}
    assert _compile(registry, "bucket") == {"Resources": {"B": {"Type": "AWS::S3::Bucket"}}}
    assert _compile(registry, "extended")["Resources"]["Queue"]["Properties"] == {
        "QueueName": {"Ref": "Name"}, "DelaySeconds": 5,
    }
    names = [e.name for e in registry.all("template")]
    assert {"bucket", "legacy__queue", "network_vpc", "top_level", "extended"} <= set(names)


def test_the_cli_lists_and_compiles_them(tmp_path):
    _write(tmp_path, "sparkleformation/templates/apps/web.py", """
        from sparkleform import template

        @template
        def web(t):
            t.resource("queue", "AWS::SQS::Queue")
        """)
    _write(tmp_path, "sparkleformation/templates/old.json", '{"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}')
    env = {**os.environ, "PYTHONPATH": os.environ.get("PYTHONPATH", "")}

    def run(*args):
        return subprocess.run([sys.executable, "-m", "sparkleform.cli.main", *args], cwd=tmp_path, env=env,
                              capture_output=True, text=True, check=False)

    out = run("compile", "apps__web")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["Resources"] == {"Queue": {"Type": "AWS::SQS::Queue"}}
    out = run("compile", "old")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == {"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}
    listed = run("list", "templates")
    assert "old" in listed.stdout and "web" in listed.stdout


def test_top_level_scripts_without_parts_are_never_run(tmp_path):
    _write(tmp_path, "probe.py", "import sparkleform\nraise SystemExit('a script, not a collection file')\n")
    _write(tmp_path, "parts.py", """
        import sparkleform as sf

        @sf.template
        def from_top(t):
            t.resource("queue", "AWS::SQS::Queue")
        """)
    registry = load_collection(tmp_path, builtin=False)
    assert registry.find("template", "from_top") is not None
