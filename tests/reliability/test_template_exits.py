"""Issue 19 item 8: a template that calls sys.exit() or raises SystemExit/KeyboardInterrupt is
reported as the user's error at their line, in every verb that compiles templates."""

from __future__ import annotations

import pytest
from cli_runner import assert_input_error, run_cli

BODIES = {
    "exit": ("import sys", "sys.exit(3)", "sys.exit(3) was called"),
    "systemexit": ("", "raise SystemExit('bye')", "sys.exit('bye') was called"),
    "interrupt": ("", "raise KeyboardInterrupt", "KeyboardInterrupt was raised"),
    "module": ("import sys\nsys.exit(0)", "pass", "sys.exit(0) was called"),
    # found by the long fuzz run: any exception that is not an Exception escaped as a traceback
    "generatorexit": ("", "raise GeneratorExit('boom')", "GeneratorExit was raised: boom"),
    "own": ("class Stop(BaseException):\n    pass", "raise Stop()", "Stop was raised in t"),
    "module-own": ("class Stop(BaseException):\n    pass\n\n\nraise Stop('now')", "pass", "Stop was raised: now while loading"),
}
VERBS = {
    "compile": ("compile", "t.py"),
    "validate": ("validate", "t.py"),
    "graph": ("graph", "t.py"),
    "create": ("create", "s", "t.py"),
    "plan": ("plan", "s", "t.py"),
    "update": ("update", "s", "t.py", "--yes"),
    "iam": ("iam", "simulate", "t.py", "--action", "s3:GetObject"),
}


@pytest.mark.parametrize("verb", VERBS)
@pytest.mark.parametrize("kind", BODIES)
def test_template_exit_is_reported_at_the_users_line(tmp_path, monkeypatch, verb, kind):
    monkeypatch.chdir(tmp_path)
    head, stmt, message = BODIES[kind]
    source = f"{head}\nimport sparkleform as sf\n\n\n@sf.template\ndef t(t):\n    {stmt}\n"
    (tmp_path / "t.py").write_text(source)
    line = source.splitlines().index(f"    {stmt}") + 1 if not kind.startswith("module") else head.count("\n") + 1
    if verb == "update":
        (tmp_path / "q.yaml").write_text("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n")
        assert run_cli("create", "s", "q.yaml", "--state", str(tmp_path / "state.db")).code == 0
    result = run_cli(*VERBS[verb], "--state", str(tmp_path / "state.db"))
    assert_input_error(result, message, f"t.py:{line}")


def test_up_reports_a_template_exit(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "t.py").write_text("import sys\nimport sparkleform as sf\n\n\n@sf.template\ndef t(t):\n    sys.exit(3)\n")
    (tmp_path / "sparkleform.toml").write_text('[stacks.a]\ntemplate = "t.py"\n')
    assert_input_error(run_cli("up", "--yes", "--state", str(tmp_path / "state.db")), "sys.exit(3) was called", "t.py:7")
