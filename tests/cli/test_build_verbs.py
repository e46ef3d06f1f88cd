"""End to end: the build verbs (compile, list, describe, new) through the real CLI."""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import cli_inprocess

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def run(*args, cwd=EXAMPLES, check=None):
    """The real CLI: a subprocess for the first call of each verb in the session, in-process
    after that (tests/cli_inprocess.py)."""
    proc = cli_inprocess.run(args, cwd, check=check)
    if check is not None:
        assert proc.returncode == check, proc.stderr
    return proc


def test_compile_prints_json_and_yaml():
    out = run("compile", "ec2_example", check=0).stdout
    doc = json.loads(out)
    assert list(doc["Outputs"]) == ["InstanceId", "Subnet", "SecurityGroupId"]
    yaml_out = run("compile", "ec2_example", "--format", "yaml", check=0).stdout
    from sparkleform.formats import loads_template

    assert loads_template(yaml_out)[0] == doc
    assert "!Ref AmiId" in yaml_out


def test_compile_writes_file_and_set_converts(tmp_path):
    target = tmp_path / "out" / "subnets.json"
    run("compile", "vpc_subnets", "--set", "subnets=2", "--set", "vpc_cidr=10.9.0.0/16", "-o", str(target), check=0)
    doc = json.loads(target.read_text())
    assert sum(r["Type"] == "AWS::EC2::Subnet" for r in doc["Resources"].values()) == 2


def test_compile_by_path_and_nested_templates_written_beside(tmp_path):
    (tmp_path / "stack.py").write_text(
        textwrap.dedent(
            """
            import sparkleform as sf

            @sf.template
            def inner(t):
                t.resources.q.type = "AWS::SQS::Queue"
                t.output("queue_url", sf.ref("q"))

            @sf.template
            def stack(t):
                t.nest("queues", "inner")
            """
        )
    )
    no_out = run("compile", "stack.py", cwd=tmp_path)
    assert no_out.returncode == 2 and "use -o FILE" in no_out.stderr
    run("compile", "stack.py", "-o", "build/stack.json", cwd=tmp_path, check=0)
    parent = json.loads((tmp_path / "build" / "stack.json").read_text())
    url = parent["Resources"]["Queues"]["Properties"]["TemplateURL"]
    child = json.loads((tmp_path / "build" / url).read_text())
    assert child["Outputs"]["QueueUrl"]["Value"] == {"Ref": "Q"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("compile", "no_such_template"), "no template named 'no_such_template'"),
        (("compile", "vpc_subnets", "--set", "subnets=many"), "not a valid int"),
        (("compile", "vpc_subnets", "--set", "sub=1"), "no compile-time parameter 'sub'"),
        (("compile", "vpc_subnets", "--set", "novalue"), "--set expects Key=Value"),
        (("compile", "missing.json"), "does not exist"),
    ],
)
def test_user_errors_exit_2_with_one_clear_line(args, message):
    proc = run(*args)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr


def test_exception_in_user_template_names_their_line(tmp_path):
    (tmp_path / "broken.py").write_text(
        "import sparkleform as sf\n\n@sf.template\ndef broken(t):\n    t.resources.q.type = 'AWS::SQS::Queue'\n    1 / 0\n"
    )
    proc = run("compile", "broken.py", cwd=tmp_path)
    assert proc.returncode == 2
    assert "broken.py:6" in proc.stderr and "ZeroDivisionError" in proc.stderr
    assert "Traceback" not in proc.stderr
    verbose = run("-v", "compile", "broken.py", cwd=tmp_path)
    assert "Traceback" in verbose.stderr and verbose.returncode == 2


def test_compile_refuses_to_write_a_template_with_errors(tmp_path):
    (tmp_path / "typo.py").write_text(
        "import sparkleform as sf\n\n@sf.template\ndef typo(t):\n"
        "    t.resources.web.type = 'AWS::EC2::Instance'\n"
        "    t.resources.web.properties['ImageID'] = 'ami-12345678'\n"
    )
    target = tmp_path / "typo.json"
    proc = run("compile", "typo.py", "-o", str(target), cwd=tmp_path)
    assert proc.returncode == 1
    assert "typo.py:6" in proc.stderr and "ImageId" in proc.stderr
    assert not target.exists()
    run("compile", "typo.py", "-o", str(target), "--no-check", cwd=tmp_path, check=0)
    assert target.exists()


def test_list_json_has_name_kind_source_doc():
    items = json.loads(run("list", "--output", "json", check=0).stdout)
    by_name = {(i["kind"], i["name"]): i for i in items}
    entry = by_name[("dynamic", "launch_config")]
    assert entry["source"] == "sparkleformation"
    assert entry["doc"].startswith("A LaunchConfiguration named NAME")
    assert {"name", "kind", "source", "doc"} <= set(entry)
    assert ("template", "coolapp_asg") in by_name and ("component", "base") in by_name
    only = json.loads(run("list", "templates", "--output", "json", check=0).stdout)
    assert {i["kind"] for i in only} == {"template"}


def test_describe_part_prints_signature_parameters_and_doc():
    out = run("describe", "template", "vpc_subnets", check=0).stdout
    assert "vpc_cidr: str (default '10.0.0.0/16')" in out
    assert "subnets: int (default 3)" in out
    info = json.loads(run("describe", "dynamic", "launch_config", "--output", "json", check=0).stdout)
    assert info["signature"].startswith("launch_config(t, name, *, run_list=()")
    assert info["file"].endswith("launch_config.py")


def test_new_makes_a_collection_that_compiles(tmp_path):
    run("new", str(tmp_path / "proj"), check=0)
    doc = json.loads(run("compile", "web_server", cwd=tmp_path / "proj", check=0).stdout)
    assert doc["Resources"]["WebServer"]["Type"] == "AWS::EC2::Instance"
    again = run("new", str(tmp_path / "proj"))
    assert again.returncode == 2 and "--force" in again.stderr


def test_help_and_compile_import_no_heavy_libraries():
    code = (
        "import sys, sparkleform.cli.main as m\n"
        "try:\n    m.main(['compile', 'ec2_example'])\nexcept SystemExit:\n    pass\n"
        "heavy = [n for n in ('boto3', 'botocore', 'rich', 'cfnlint', 'samtranslator', 'moto') if n in sys.modules]\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=EXAMPLES, capture_output=True, text=True)
    assert "HEAVY []" in proc.stderr, proc.stderr


def test_global_options_accepted_after_the_verb():
    items = json.loads(run("list", "components", "--output", "json", check=0).stdout)
    assert items and all(i["kind"] == "component" for i in items)


def test_ctx_exit_codes_reach_the_process():
    code = (
        "import click, sparkleform.cli.main as m\n"
        "@click.command('probe')\n@click.pass_context\ndef probe(ctx):\n    ctx.exit(3)\n"
        "m.cli.add_command(probe)\nm.main(['probe'])\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 3, proc.stderr


@pytest.mark.parametrize("verb", ["compile", "validate", "graph"])
def test_config_flag_reaches_every_verb_that_loads_templates(tmp_path, verb):
    project = tmp_path / "project"
    (project / "cfn" / "templates").mkdir(parents=True)
    (project / "cfn" / "templates" / "only_here.py").write_text(
        "from sparkleform import template\n\n@template\ndef only_here(t):\n    t.resources.q.type = 'AWS::SQS::Queue'\n"
    )
    (project / "settings.toml").write_text('collection = "cfn"\n')
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    proc = run("--config", str(project / "settings.toml"), verb, "only_here", cwd=elsewhere)
    assert proc.returncode == 0, proc.stderr
    assert ("only_here" if verb == "validate" else "Q") in proc.stdout
    without = run(verb, "only_here", cwd=elsewhere)
    assert without.returncode == 2 and "no template named 'only_here'" in without.stderr
