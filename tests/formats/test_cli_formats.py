"""The `convert` and `import` verbs, run as the real CLI."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import cli_inprocess
from sparkleform.formats import load_template, loads_template

DATA = Path(__file__).parent / "data"
EC2 = DATA / "ec2_example.json"


def run(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess:
    """The real CLI: a subprocess for the first call of each verb in the session, in-process
    after that (tests/cli_inprocess.py)."""
    return cli_inprocess.run(args, cwd, check=None, input=stdin, no_color=False)


def test_convert_json_to_yaml_and_back(tmp_path: Path) -> None:
    doc, _ = load_template(EC2)
    out = run("convert", str(EC2), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "ImageId: !Ref AmiId\n" in out.stdout
    assert loads_template(out.stdout)[0] == doc
    (tmp_path / "t.yaml").write_text(out.stdout)
    back = run("convert", "t.yaml", "--to", "json", "-o", "t.json", cwd=tmp_path)
    assert back.returncode == 0, back.stderr
    assert json.loads((tmp_path / "t.json").read_text()) == doc
    compact = run("convert", "t.yaml", "--to", "json", "--compact", cwd=tmp_path)
    assert compact.stdout.count("\n") == 1 and json.loads(compact.stdout) == doc
    long_form = run("convert", str(EC2), "--to", "yaml", "--long-form", cwd=tmp_path)
    assert "Ref: AmiId" in long_form.stdout and "!Ref" not in long_form.stdout


def test_convert_reads_stdin(tmp_path: Path) -> None:
    out = run("convert", "-", "--to", "json", cwd=tmp_path, stdin="Resources:\n  A: {Type: !Ref X}\n")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == {"Resources": {"A": {"Type": {"Ref": "X"}}}}


def test_convert_bad_input_is_one_line_with_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("Resources:\n  A:\n    Type: X\n  A:\n    Type: Y\n")
    out = run("convert", "bad.yaml", cwd=tmp_path)
    assert out.returncode == 2
    assert out.stderr.strip() == "error: bad.yaml:4: duplicate key 'A' (first at line 2, again at line 4)"
    (tmp_path / "tag.yaml").write_text("Resources:\n  A:\n    Type: !If x\n")
    out = run("convert", "tag.yaml", "--to", "json", cwd=tmp_path)
    assert out.returncode == 2 and "tag.yaml:3: !If takes a list" in out.stderr
    out = run("convert", "missing.yaml", cwd=tmp_path)
    assert out.returncode == 2 and "no such file" in out.stderr
    (tmp_path / "list.yaml").write_text("- a\n- b\n")
    out = run("convert", "list.yaml", cwd=tmp_path)
    assert out.returncode == 2 and "list.yaml:1: the template's top level must be a mapping" in out.stderr
    assert "Traceback" not in out.stderr


def test_import_writes_a_module_that_compiles_back(tmp_path: Path) -> None:
    out = run("import", str(EC2), "-o", "ec2_example.py", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "compiles back to the same template" in out.stderr
    code = (tmp_path / "ec2_example.py").read_text()
    assert "def ec2_example(t):" in code
    compiled = run("compile", "ec2_example.py", cwd=tmp_path)
    assert compiled.returncode == 0, compiled.stderr
    assert json.loads(compiled.stdout) == load_template(EC2)[0]
    again = run("import", str(EC2), "-o", "ec2_example.py", cwd=tmp_path)
    assert again.returncode == 2 and "already exists" in again.stderr
    forced = run("import", str(EC2), "-o", "ec2_example.py", "--force", "--name", "web", cwd=tmp_path)
    assert forced.returncode == 0 and "def web(t):" in (tmp_path / "ec2_example.py").read_text()


def test_import_to_stdout_and_bad_input(tmp_path: Path) -> None:
    out = run("import", str(EC2), cwd=tmp_path)
    assert out.returncode == 0 and out.stdout.startswith('"""') and "@template" in out.stdout
    (tmp_path / "bad.json").write_text('{"Resources": {"A": 1}')
    bad = run("import", "bad.json", cwd=tmp_path)
    assert bad.returncode == 2 and bad.stderr.startswith("error: bad.json:1:23: JSON syntax error")  # file:line:column


def test_import_components_into_a_collection(tmp_path: Path) -> None:
    (tmp_path / "sparkleform.toml").write_text("")
    templates = tmp_path / "sparkleformation" / "templates"
    templates.mkdir(parents=True)
    out = run("import", str(EC2), "-o", "sparkleformation/templates/ec2_example.py", "--components", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    component = tmp_path / "sparkleformation" / "components" / "ec2_example_parameters.py"
    assert "@component" in component.read_text() and "t.parameter(" in component.read_text()
    assert 'load=["ec2_example_parameters"]' in (templates / "ec2_example.py").read_text()
    compiled = run("compile", "ec2_example", cwd=tmp_path)
    assert compiled.returncode == 0, compiled.stderr
    assert json.loads(compiled.stdout) == load_template(EC2)[0]


def test_convert_notes_yaml_11_surprises(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text("Resources:\n  F:\n    Type: X\n    Properties:\n      Mode: 0644\n")
    out = run("convert", "t.yaml", cwd=tmp_path)
    assert out.returncode == 0
    assert json.loads(out.stdout)["Resources"]["F"]["Properties"]["Mode"] == 420
    assert "note: t.yaml:5: unquoted 0644 is read as the number 420" in out.stderr
