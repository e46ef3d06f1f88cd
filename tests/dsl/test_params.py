"""Compile-time parameter constraints: Literal, enums, Param(...) bounds, and the prompt."""

import enum
import json
import os
import pty
import subprocess
import sys
import textwrap
from typing import Annotated, Literal

import pytest

import sparkleform as sf
from sparkleform.dsl.parts import Registry, reset_current, set_current
from sparkleform.dsl.templates import build
from sparkleform.errors import ParameterError


class Size(enum.Enum):
    small = "t3.small"
    large = "m6i.large"


@pytest.fixture
def reg():
    registry = Registry()
    token = set_current(registry)
    yield registry
    reset_current(token)


def test_literal_enum_and_declared_constraints(reg):
    @sf.template
    def nodes(
        t,
        *,
        env: Literal["dev", "prod"] = "dev",
        size: Size = Size.small,
        count: Annotated[int, sf.Param(min_value=1, max_value=6, description="how many")] = 1,
        prefix: Annotated[str, sf.Param(allowed_pattern=r"[a-z][a-z0-9-]*", min_length=2, max_length=8)] = "node",
        zone: Annotated[str, sf.Param(allowed_values=["a", "b"])] = "a",
    ):
        for i in range(count):
            t.resource(f"{prefix}{i}", "AWS::EC2::Instance", instance_type=size.value,
                       tags=sf.tags(env=env, zone=zone))

    def compile_(**params):
        return build(reg.get("template", "nodes"), reg, params).compile()["Resources"]

    res = compile_(env="prod", size="large", count="2", prefix="web", zone="b")
    assert list(res) == ["Web0", "Web1"]
    assert res["Web0"]["Properties"]["InstanceType"] == "m6i.large"
    assert compile_(size=Size.large)["Node0"]["Properties"]["InstanceType"] == "m6i.large"
    for params, message in [
        ({"env": "test"}, r"env='test' .*not a valid Literal.*expected one of dev, prod"),
        ({"size": "huge"}, r"size='huge' .*expected one of small, large"),
        ({"count": "7"}, r"count='7' .* above the maximum 6"),
        ({"count": 0}, r"count=0 .* below the minimum 1"),
        ({"prefix": "Web"}, r"does not match \[a-z\]"),
        ({"prefix": "w"}, r"shorter than 2"),
        ({"prefix": "abcdefghij"}, r"longer than 8"),
        ({"zone": "c"}, r"not allowed \(allowed: a, b\)"),
    ]:
        with pytest.raises(ParameterError, match=message):
            compile_(**params)


COLLECTION = """
    from typing import Annotated
    from sparkleform import Param, template

    @template
    def fleet(t, *, count: Annotated[int, Param(min_value=1, max_value=3, description="instances")]):
        for i in range(count):
            t.dynamic("sqs_queue", f"q{i}")
    """


def _project(tmp_path):
    folder = tmp_path / "sparkleformation" / "templates"
    folder.mkdir(parents=True)
    (folder / "fleet.py").write_text(textwrap.dedent(COLLECTION))
    return tmp_path


def test_a_missing_parameter_is_prompted_for_on_a_terminal(tmp_path):
    project = _project(tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "SPARKLEFORM_NO_PROMPT"}
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "sparkleform.cli.main", "compile", "fleet", "--no-check", "-o", "out.json"],
        cwd=project, env=env, stdin=follower, stderr=follower, stdout=subprocess.PIPE,
    )
    os.close(follower)
    seen = b""
    while b"instances" not in seen:
        seen += os.read(leader, 1024)
    assert b"fleet: compile-time parameter count (int; 1..3; instances):" in seen
    os.write(leader, b"9\n")  # refused, asked again
    while seen.count(b"count (int") < 2:
        seen += os.read(leader, 1024)
    assert b"above the maximum 3" in seen
    os.write(leader, b"2\n")
    assert proc.wait(timeout=60) == 0
    os.close(leader)
    doc = json.loads((project / "out.json").read_text())
    assert list(doc["Resources"]) == ["Q0SqsQueue", "Q1SqsQueue"]


def test_without_a_terminal_a_missing_parameter_is_an_error(tmp_path):
    project = _project(tmp_path)
    out = subprocess.run([sys.executable, "-m", "sparkleform.cli.main", "compile", "fleet"], cwd=project,
                         capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False)
    assert out.returncode == 2
    assert "needs compile-time parameter(s) count (--set NAME=VALUE)" in out.stderr
