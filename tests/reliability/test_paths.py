"""Issue 19 item 5: files are written only where the user asked, with the umask's modes,
never through a symbolic link and never over a template's own source."""

from __future__ import annotations

import json
import os
import stat
import textwrap

import pytest
from cli_runner import assert_input_error, run_cli

QUEUE = "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n"


@pytest.fixture
def work(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "q.yaml").write_text(QUEUE)
    old = os.umask(0o022)
    yield tmp_path
    os.umask(old)


def nesting_template(folder, name):
    (folder / "stack.py").write_text(textwrap.dedent(f"""
        import sparkleform as sf

        @sf.template
        def inner(t):
            t.resources.q.type = "AWS::SQS::Queue"

        @sf.template
        def stack(t):
            t.nest({name!r}, "inner")
        """))


@pytest.mark.parametrize("name", ["../../Escaped", "../Up", "A/../../B"])
def test_compile_keeps_nested_templates_inside_the_out_folder(work, name):
    nesting_template(work, name)
    (work / "build").mkdir()
    result = run_cli("compile", "stack.py", "--no-check", "-o", "build/deep/stack.json")
    outside = {p.relative_to(work) for p in work.rglob("*") if p.is_file() and "deep" not in p.parts}
    assert {str(p) for p in outside} == {"q.yaml", "stack.py"}
    if name.count("..") > 1:  # it would climb out of build/deep: refused, nothing written
        assert_input_error(result, "would be written outside")
        assert not (work / "build" / "deep").exists()
    else:  # "stack-../Up.template" is a folder "stack-.." inside build/deep
        assert result.code == 0, result.stderr


@pytest.mark.parametrize("url", ["../outside.yaml", "/tmp/absolute-child.yaml"])
def test_compile_of_a_file_with_an_escaping_template_url(work, url):
    (work / "app").mkdir()
    child = work / "outside.yaml" if url.startswith("..") else None
    if child is None:
        pytest.skip("an absolute TemplateURL file cannot be made safely here") if not os.access("/tmp", os.W_OK) else None
        child = __import__("pathlib").Path(url)
    child.write_text(QUEUE)
    try:
        (work / "app" / "parent.yaml").write_text(
            f"Resources:\n  Child:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: {url}\n"
        )
        before = child.read_text()
        result = run_cli("compile", "app/parent.yaml", "-o", "app/build/parent.json")
        assert_input_error(result, "would be written outside")
        assert child.read_text() == before
        assert not (work / "app" / "build" / "parent.json").exists()
    finally:
        if url.startswith("/"):
            child.unlink()


def test_compile_never_overwrites_the_users_child_template(work):
    (work / "child.yaml").write_text("# my comments\n" + QUEUE)
    (work / "parent.yaml").write_text(
        "Resources:\n  Child:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: child.yaml\n"
    )
    result = run_cli("compile", "parent.yaml", "-o", "compiled.json")
    assert_input_error(result, "child.yaml", "own source files")
    assert (work / "child.yaml").read_text().startswith("# my comments")
    ok = run_cli("compile", "parent.yaml", "-o", "build/parent.json")
    assert ok.code == 0, ok.stderr
    assert json.loads((work / "build" / "child.yaml").read_text())["Resources"]["Q"]["Type"] == "AWS::SQS::Queue"


@pytest.mark.parametrize(
    "args",
    [
        ("graph", "q.yaml", "-o", "out.dot"),
        ("compile", "q.yaml", "-o", "out.dot"),
        ("convert", "q.yaml", "-o", "out.dot"),
        ("import", "q.yaml", "--no-check", "-o", "out.dot"),
    ],
)
def test_writers_do_not_follow_a_symlink(work, args):
    victim = work / "victim.txt"
    victim.write_text("precious")
    (work / "out.dot").symlink_to(victim)
    assert_input_error(run_cli(*args), "symbolic link")
    assert victim.read_text() == "precious"


def test_new_force_does_not_follow_a_symlink(work):
    victim = work / "victim.toml"
    victim.write_text("precious")
    (work / "col").mkdir()
    (work / "col" / "sparkleform.toml").symlink_to(victim)
    assert_input_error(run_cli("new", "col", "--force"), "symbolic link")
    assert victim.read_text() == "precious"


def test_new_force_does_not_write_through_a_linked_subfolder(work):
    outside = work / "outside"
    outside.mkdir()
    (work / "col").mkdir()
    (work / "col" / "sparkleformation").symlink_to(outside)
    assert_input_error(run_cli("new", "col", "--force"), "symbolic link")
    assert list(outside.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "out"),
    [
        (("compile", "q.yaml", "-o", "c.json"), "c.json"),
        (("convert", "q.yaml", "-o", "v.json"), "v.json"),
        (("import", "q.yaml", "--no-check", "-o", "i.py"), "i.py"),
        (("graph", "q.yaml", "-o", "g.dot"), "g.dot"),
        (("new", "col"), "col/sparkleform.toml"),
    ],
)
def test_written_files_get_the_umask_mode(work, args, out):
    os.umask(0o022)
    result = run_cli(*args)
    assert result.code == 0, result.stderr
    assert stat.S_IMODE((work / out).stat().st_mode) == 0o644
    os.umask(0o027)
    (work / out).unlink()
    assert run_cli(*args, *(("--force",) if args[0] == "new" else ())).code == 0
    assert stat.S_IMODE((work / out).stat().st_mode) == 0o640


@pytest.mark.parametrize(
    "args",
    [
        ("compile", "q.yaml", "-o", "pipe"),
        ("convert", "q.yaml", "-o", "pipe"),
        ("graph", "q.yaml", "-o", "pipe"),
    ],
)
def test_a_named_pipe_or_device_is_written_into_not_replaced(work, args):
    # `-o /dev/null` ran as root replaced the machine's /dev/null with a regular file (a
    # temporary file renamed over it); a FIFO stands in for the device here. Its reading end is
    # opened first, without blocking, so the writer's open returns and the pipe's buffer holds
    # what it wrote.
    os.mkfifo(work / "pipe")
    reader = os.open(work / "pipe", os.O_RDONLY | os.O_NONBLOCK)
    try:
        result = run_cli(*args)
        try:
            got = os.read(reader, 1 << 16)
        except BlockingIOError:
            got = b""
    finally:
        os.close(reader)
    assert result.code == 0, result.stderr
    assert stat.S_ISFIFO((work / "pipe").stat().st_mode)
    assert b"AWS::SQS::Queue" in got
