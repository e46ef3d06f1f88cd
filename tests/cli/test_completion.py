"""Shell completion through the real CLI: the scripts, TEMPLATE and STACK arguments, and in a
real bash; and the "did you mean" for verbs."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

SLOW = Path(__file__).parent


def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sparkleform.cli.main", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120, env={**os.environ, **(env or {})})


def complete(cwd: Path, *words: str) -> list[str]:
    """What bash completion gets for the last word (click's bash protocol: type,value lines)."""
    line = ["sparkleform", *words]
    out = run(cwd=cwd, env={"_SPARKLEFORM_COMPLETE": "bash_complete", "COMP_WORDS": " ".join(line),
                            "COMP_CWORD": str(len(line) - 1)})
    assert out.returncode == 0, out.stderr
    return out.stdout.splitlines()


@pytest.fixture()
def project(tmp_path):
    (tmp_path / "sparkleform.toml").write_text('[stacks.network]\ntemplate = "net"\n')
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "web_tier.py").write_text(
        "from sparkleform import template\n\n\n@template()\ndef web_tier(t):\n"
        "    with t.resources.queue as q:\n        q.type = 'AWS::SQS::Queue'\n")
    (tmp_path / "webapp.yaml").write_text("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n")
    (tmp_path / "notes.txt").write_text("not a template")
    assert run("create", "web-prod", "webapp.yaml", cwd=tmp_path).returncode == 0
    return tmp_path


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_prints_the_script(shell, tmp_path):
    out = run("completion", shell, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "_SPARKLEFORM_COMPLETE" in out.stdout and f"{shell}_complete" in out.stdout


def test_template_arguments_complete_names_and_template_files(project):
    assert "plain,web_tier" in complete(project, "compile", "web")
    got = complete(project, "create", "x", "web")
    assert "plain,web_tier" in got and "plain,webapp.yaml" in got
    # nothing of ours matches: the shell completes any file (a template may have any suffix)
    assert complete(project, "validate", "note") == ["file,note"]
    assert complete(project, "compile", "templ") == ["file,templ"]  # only a folder: the shell walks into it
    assert complete(project, "compile", "templates/") == ["plain,templates/web_tier.py"]


def test_stack_arguments_complete_from_state_and_config(project):
    assert complete(project, "outputs", "") == ["plain,network", "plain,web-prod"]
    assert complete(project, "destroy", "web") == ["plain,web-prod"]
    assert "plain,web-prod" in complete(project, "describe", "w")
    assert "plain,component" in complete(project, "describe", "c")


def test_verbs_and_options_complete(project):
    assert "plain,compile" in complete(project, "comp")
    assert "plain,completion" in complete(project, "comp")


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_in_a_real_bash(project, tmp_path_factory):
    bindir = tmp_path_factory.mktemp("bin")
    launcher = bindir / "sparkleform"
    launcher.write_text(f"#!/bin/sh\nexec {sys.executable} -m sparkleform.cli.main \"$@\"\n")
    launcher.chmod(launcher.stat().st_mode | stat.S_IEXEC)
    script = (
        'source <(sparkleform completion bash)\n'
        'COMP_WORDS=(sparkleform destroy web); COMP_CWORD=2; _sparkleform_completion sparkleform\n'
        'echo "stacks: ${COMPREPLY[*]}"\n'
        'COMPREPLY=(); COMP_WORDS=(sparkleform compile web_); COMP_CWORD=2; _sparkleform_completion sparkleform\n'
        'echo "templates: ${COMPREPLY[*]}"\n'
    )
    env = {**os.environ, "PATH": f"{bindir}{os.pathsep}{os.environ['PATH']}"}
    out = subprocess.run(["bash", "-c", script], cwd=project, capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "stacks: web-prod" in out.stdout and "templates: web_tier" in out.stdout


def test_a_mistyped_verb_gets_a_suggestion(tmp_path):
    out = run("compil", "x", cwd=tmp_path)
    assert out.returncode == 2
    assert "No such command 'compil'. Did you mean 'compile'?" in out.stderr
    assert "Did you mean" not in run("frobnicate", cwd=tmp_path).stderr
