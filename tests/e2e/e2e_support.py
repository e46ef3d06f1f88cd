"""End-to-end helpers shared by the e2e tests and their conftest: the CLI in a subprocess
(state in a tmp dir) and the CLI on a pseudo-terminal."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import cli_inprocess
from ptywait import readable

DATA = Path(__file__).parent / "data"
AWS_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}


@dataclass
class Cli:
    cwd: Path
    state: Path

    def run(self, *args: str, check: int | None = 0, env: dict[str, str] | None = None,
            process: bool | None = None) -> subprocess.CompletedProcess:
        """Run `sparkleform --state STATE ARGS` with no terminal (stdin empty): a real
        subprocess for the first call of each verb in the session (or when `process` is
        True), the same entry point in-process otherwise (see tests/cli_inprocess.py)."""
        proc = cli_inprocess.run(["--state", str(self.state), *args], self.cwd, env, check=check, process=process)
        if check is not None:
            assert proc.returncode == check, (
                f"exit {proc.returncode} != {check} for {args}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
            )
        return proc

    def json(self, *args: str) -> object:
        return json.loads(self.run(*args, "--output", "json").stdout)


class Terminal:
    """The CLI on a pseudo-terminal: read what it shows, type answers."""

    def __init__(self, cli: Cli, *args: str) -> None:
        self.master, slave = os.openpty()
        env = {**os.environ, "COLUMNS": "150", "LINES": "40", "TERM": "xterm", "NO_COLOR": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "sparkleform.cli.main", "--state", str(cli.state), *args],
            stdin=slave, stdout=slave, stderr=slave, cwd=cli.cwd, env=env, close_fds=True,
        )
        os.close(slave)
        self.buf = bytearray()

    def _read(self, timeout: float) -> bool:
        ready = readable(self.master, timeout)
        if not ready:
            return True
        try:
            chunk = os.read(self.master, 65536)
        except OSError:
            return False
        if not chunk:
            return False
        self.buf.extend(chunk)
        return True

    def expect(self, text: str, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while text.encode() not in self.buf:
            if time.monotonic() > deadline or not self._read(0.2):
                raise AssertionError(f"did not see {text!r} in:\n{self.text}")

    def send(self, line: str) -> None:
        os.write(self.master, line.encode() + b"\r")

    def finish(self, timeout: float = 30.0) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self._read(0.2):
            if self.proc.poll() is not None and not readable(self.master, 0):
                break
        os.close(self.master)
        return self.proc.wait(timeout=10)

    @property
    def text(self) -> str:
        return self.buf.decode("utf-8", "replace")


def project_copy(data_folder: str, tmp_path: Path) -> Cli:
    """A CLI working in a copy of tests/e2e/data/`data_folder`, with a state of its own."""
    import shutil

    shutil.copytree(DATA / data_folder, tmp_path / "project")
    return Cli(cwd=tmp_path / "project", state=tmp_path / "state" / "state.db")

