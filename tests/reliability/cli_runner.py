"""Run the real CLI entry point (`main`, with its error handling) in-process, as a user would."""

from __future__ import annotations

import os
from dataclasses import dataclass

from click.testing import CliRunner

from sparkleform.cli.main import main


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str


def run_cli(*args: str, stdin: bytes | str = b"", cwd: str | os.PathLike | None = None) -> Run:
    """Exit code, stdout and stderr of `sparkleform ARGS` run in this process."""
    runner = CliRunner()
    old = os.getcwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        with runner.isolation(input=stdin, env={"NO_COLOR": "1"}) as (out, err, *_):
            try:
                main(list(args))
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            return Run(code, out.getvalue().decode("utf-8", "replace"), err.getvalue().decode("utf-8", "replace"))
    finally:
        os.chdir(old)


def assert_input_error(result: Run, *fragments: str) -> None:
    """Exit 2, one or two lines on stderr holding `fragments`, no traceback."""
    assert result.code == 2, (result.code, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert 1 <= len(lines) <= 2, result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr
