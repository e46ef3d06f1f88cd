"""Project settings: found by walking up, read from sparkleform.toml or pyproject.toml, and
configured packs loaded between the built-in packs and the project's own folder."""

import json
import os
import subprocess
import sys
import textwrap

import pytest

from sparkleform.config import find_config_file, load_config
from sparkleform.errors import ConfigError


def test_found_by_walking_up(tmp_path, monkeypatch):
    (tmp_path / "sparkleform.toml").write_text('collection = "cfn"\nregion = "eu-west-1"\n')
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    assert find_config_file() == tmp_path / "sparkleform.toml"
    cfg = load_config()
    assert cfg.collection == (tmp_path / "cfn").resolve()
    assert cfg.region == "eu-west-1"


def test_pyproject_tool_table(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text('[project]\nname="x"\n\n[tool.sparkleform]\nprovider = "aws"\n')
    monkeypatch.chdir(tmp_path)
    assert load_config().provider == "aws"


def test_pyproject_without_the_table_is_not_a_config(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text('[project]\nname="x"\n')
    monkeypatch.chdir(tmp_path)
    cfg = load_config()
    assert cfg.path is None and cfg.collection_dir() == tmp_path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('colection = "x"\n', "unknown setting(s) colection"),
        ('provider = "gcp"\n', "provider must be 'local' or 'aws'"),
        ("packs = 'one'\n", "`packs` must be a list"),
        ("[stacks.vpc]\nparameters = {}\n", "needs a `template`"),
        ("collection = \n", "not valid TOML"),
    ],
)
def test_bad_settings_are_clear_errors(tmp_path, text, message):
    path = tmp_path / "sparkleform.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")) as info:
        load_config(path)
    assert str(path) in str(info.value)


def test_stack_group_settings(tmp_path):
    path = tmp_path / "sparkleform.toml"
    path.write_text(
        textwrap.dedent(
            """
            [stacks.app]
            template = "coolapp_asg"
            parameters = { Size = 2 }
            apply_stacks = ["vpc"]
            """
        )
    )
    stack = load_config(path).stacks["app"]
    assert stack.template == "coolapp_asg" and stack.parameters == {"Size": "2"}
    assert stack.apply_stacks == ["vpc"]


def test_configured_pack_sits_between_builtin_packs_and_the_project(tmp_path):
    pack = tmp_path / "site" / "mypack"
    (pack / "dynamics").mkdir(parents=True)
    (pack / "__init__.py").write_text("")
    (pack / "dynamics" / "queue.py").write_text(
        "from sparkleform import dynamic\n\n@dynamic\ndef queue(t, name):\n"
        "    '''The pack's queue.'''\n    t.resources[name].type = 'AWS::SQS::Queue'\n"
    )
    (pack / "templates").mkdir()
    (pack / "templates" / "work.py").write_text(
        "from sparkleform import template\n\n@template\ndef work(t):\n    '''Pack template.'''\n"
        "    t.dynamic('queue', 'jobs')\n"
    )
    project = tmp_path / "project"
    (project / "cfn" / "dynamics").mkdir(parents=True)
    (project / "sparkleform.toml").write_text('collection = "cfn"\npacks = ["mypack"]\n')
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site")}

    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "sparkleform.cli.main", *args], cwd=project, env=env, capture_output=True, text=True
        )

    listed = {(i["kind"], i["name"]): i for i in json.loads(run("list", "--output", "json").stdout)}
    assert listed[("dynamic", "queue")]["source"] == "pack:mypack"
    assert json.loads(run("compile", "work").stdout)["Resources"] == {"Jobs": {"Type": "AWS::SQS::Queue"}}

    # the project's own folder overrides the pack's dynamic for every template asking by name
    (project / "cfn" / "dynamics" / "queue.py").write_text(
        "from sparkleform import dynamic\n\n@dynamic\ndef queue(t, name):\n"
        "    t.resources[name].type = 'AWS::SQS::Queue'\n    t.resources[name].properties.fifo_queue = True\n"
    )
    doc = json.loads(run("compile", "work").stdout)
    assert doc["Resources"]["Jobs"]["Properties"] == {"FifoQueue": True}

    (project / "sparkleform.toml").write_text('packs = ["nosuchpack"]\n')
    bad = run("list")
    assert bad.returncode == 2 and "nosuchpack" in bad.stderr and "Traceback" not in bad.stderr
