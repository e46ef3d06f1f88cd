"""Running the CLI on a real pseudo-terminal: it is the session leader of its own session with
the pty as controlling terminal, so a typed Ctrl-C (byte 0x03) reaches it as SIGINT."""

from __future__ import annotations

import fcntl
import os
import re
import subprocess
import sys
import termios
import time
from pathlib import Path

from ptywait import readable

ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
STYLE = re.compile(r"\x1b\[[0-9;]*m")


def _take_terminal() -> None:
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class Pty:
    def __init__(self, cwd: Path, *args: str, env: dict[str, str] | None = None, columns: int = 150) -> None:
        self.master, slave = os.openpty()
        import struct

        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
        full = {**os.environ, "TERM": "xterm", "COLUMNS": str(columns), "LINES": "40", **(env or {})}
        full = {k: v for k, v in full.items() if v is not None}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "sparkleform.cli.main", *args],
            stdin=slave, stdout=slave, stderr=slave, cwd=cwd, env=full, close_fds=True,
            start_new_session=True, preexec_fn=_take_terminal,
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
        while text not in self.plain:
            if time.monotonic() > deadline or not self._read(0.1):
                raise AssertionError(f"did not see {text!r} in:\n{self.plain[-3000:]}")

    def send(self, data: bytes) -> None:
        os.write(self.master, data)

    def finish(self, timeout: float = 30.0) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self._read(0.1):
            if self.proc.poll() is not None and not readable(self.master, 0):
                break
        os.close(self.master)
        return self.proc.wait(timeout=10)

    @property
    def raw(self) -> str:
        return self.buf.decode("utf-8", "replace")

    @property
    def plain(self) -> str:
        return ESCAPE.sub("", self.raw)
