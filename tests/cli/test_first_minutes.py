"""The first ten minutes of a new user, through the real CLI: `new` gives a project that
validates cleanly; mistakes get a "did you mean"; every verb's help has an example."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

import cli_inprocess

SITE = """\
Resources:
  Site:
    Type: AWS::S3::Bucket
    Properties:
      WebsiteConfiguration: {IndexDocument: index.html}
Outputs:
  Url: {Value: !GetAtt Site.Url}
"""


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """The real CLI: a subprocess for the first call of each verb in the session, in-process
    after that (tests/cli_inprocess.py)."""
    return cli_inprocess.run(args, cwd, check=None)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("first")
    made = run("new", "proj", cwd=root)
    assert made.returncode == 0, made.stderr
    return root / "proj"


def test_new_project_validates_with_no_warning_and_ignores_its_state(project):
    out = run("validate", "web_server", cwd=project)
    assert out.returncode == 0, out.stderr
    assert "0 errors, 0 warnings" in out.stdout + out.stderr
    assert "warning:" not in out.stdout + out.stderr
    assert ".sparkleform/" in (project / ".gitignore").read_text().splitlines()
    created = run("create", "web", "web_server", cwd=project)
    assert created.returncode == 0, created.stderr
    assert (project / ".sparkleform").is_dir()
    # the web ports are open, SSH is not
    compiled = run("compile", "web_server", cwd=project).stdout
    assert '"FromPort": 443' in compiled and '"FromPort": 22' not in compiled


def test_getatt_attribute_did_you_mean(project):
    (project / "site.yaml").write_text(SITE)
    out = run("validate", "site.yaml", cwd=project)
    assert out.returncode == 1
    text = out.stdout + out.stderr
    assert "has no attribute 'Url' (did you mean WebsiteURL?)" in text
    listed = text.split("it has: ", 1)[1].split(" [SF3003]")[0].split(", ")
    assert "WebsiteURL" in listed  # the likely one is not cut off the list


def test_unknown_template_names_the_settings_and_where_it_looked(project):
    out = run("compile", "web_srever", cwd=project)
    assert out.returncode == 2
    assert "no template named 'web_srever' (did you mean 'web_server'?)" in out.stderr
    assert f"searched the collection {project.resolve() / 'sparkleformation'}" in out.stderr
    assert f"settings from {project.resolve() / 'sparkleform.toml'}" in out.stderr
    assert "Traceback" not in out.stderr


def test_unknown_stack_and_config_key_did_you_mean(project):
    assert run("create", "web-prod", "web_server", cwd=project).returncode == 0
    out = run("outputs", "web-prdo", cwd=project)
    assert out.returncode != 0 and "did you mean 'web-prod'?" in out.stderr
    assert "did you mean" not in run("outputs", "zzzz", cwd=project).stderr
    bad = project / "bad.toml"
    bad.write_text('colection = "x"\n')
    cfg = run("--config", str(bad), "list", cwd=project)
    assert cfg.returncode == 2 and "(did you mean colection -> collection?)" in cfg.stderr


def test_every_verb_help_has_an_example_and_compile_says_template(project):
    verbs = [line.split()[0] for line in run("--help", cwd=project).stdout.split("Commands:", 1)[1].splitlines()
             if line.startswith("  ") and line.split()]
    assert "compile" in verbs and len(verbs) >= 20
    from click.testing import CliRunner

    from sparkleform.cli.main import cli

    runner = CliRunner()  # click's runner: the same command objects, without 20 interpreter starts
    for verb in verbs:
        out = runner.invoke(cli, [verb, "--help"], prog_name="sparkleform")
        assert out.exit_code == 0, (verb, out.output)
        assert "Example" in out.output, verb
    simulate = runner.invoke(cli, ["iam", "simulate", "--help"], prog_name="sparkleform")
    assert "Examples:" in simulate.output and "sparkleform iam simulate nat_ha" in simulate.output
    usage = run("compile", "--help", cwd=project).stdout
    assert usage.startswith("Usage: sparkleform compile [OPTIONS] TEMPLATE\n") and "Compile TEMPLATE" in usage
