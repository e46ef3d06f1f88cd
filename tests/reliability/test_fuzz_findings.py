"""Inputs the long fuzz run (tests/reliability/fuzz_long.py) found to end in a traceback,
each run through the real CLI: exit 2 and a message naming the input, never a traceback."""

from __future__ import annotations

import pytest
from cli_runner import assert_input_error, run_cli

QUEUE = "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n"


@pytest.fixture
def work(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "q.yaml").write_text(QUEUE)
    return tmp_path


@pytest.mark.parametrize(("setting", "fragment"), [
    ("region = 1", "`region` must be a string, not int"),
    ("profile = 1", "`profile` must be a string"),
    ("bucket = 1", "`bucket` must be a string"),
    ("prefix = []", "`prefix` must be a string, not list"),
    ("packs = [1]", "`packs[]` must be a string"),
])
def test_a_wrongly_typed_top_level_setting(work, setting, fragment):
    (work / "c.toml").write_text(setting + "\n")
    result = run_cli("--config", "c.toml", "create", "s", "q.yaml", "--state", str(work / "state.db"))
    assert_input_error(result, "c.toml", fragment)


@pytest.mark.parametrize(("setting", "fragment"), [
    ("stack_policy = 3", "`stacks.a.stack_policy` must be a string"),
    ("apply_stacks = [3]", "`stacks.a.apply_stacks[]` must be a string"),
    ("apply_mappings = {a = 3}", "`stacks.a.apply_mappings.a` must be a string"),
    ('region = ["x"]', "`stacks.a.region` must be a string"),
    ('role_arn = 2', "`stacks.a.role_arn` must be a string"),
    ('termination_protection = "yes"', "`stacks.a.termination_protection` must be a bool"),
])
def test_a_wrongly_typed_stack_setting(work, setting, fragment):
    (work / "sparkleform.toml").write_text(f'[stacks.a]\ntemplate = "q.yaml"\n{setting}\n')
    result = run_cli("up", "--yes", "--state", str(work / "state.db"))
    assert_input_error(result, "sparkleform.toml", fragment)


SURROGATE_TEMPLATE = (
    "from sparkleform import template\n\n\n@template\ndef t(t):\n"
    "    t.resources.q.type = 'AWS::SQS::Queue'\n"
    "    t.mapping('m', {'\\udfff': {'a': 'b'}})\n"
)
PY_VERBS = {
    "validate": ("validate", "t.py"),
    "graph": ("graph", "t.py"),
    "compile": ("compile", "t.py"),
    "create": ("create", "s", "t.py"),
    "plan": ("plan", "s", "t.py"),
    "iam": ("iam", "simulate", "t.py", "--action", "s3:GetObject"),
    "trace": ("trace", "t.py"),
}


@pytest.mark.parametrize("verb", PY_VERBS)
def test_a_python_template_that_makes_a_lone_surrogate(work, verb):
    """validate and graph printed a UnicodeEncodeError traceback: what a Python template
    makes is held to the limits of a template file."""
    (work / "t.py").write_text(SURROGATE_TEMPLATE)
    result = run_cli(*PY_VERBS[verb], "--state", str(work / "state.db"))
    assert_input_error(result, "t.py", "a lone surrogate '\\udfff'")
