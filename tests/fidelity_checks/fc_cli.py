"""Running `sparkleform` as a user does (a subprocess) on small templates written to a temp dir."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


class Cli:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.state = root / "state.db"

    def write(self, name: str, text: str) -> Path:
        path = self.root / name
        path.write_text(text, encoding="utf-8")
        return path

    def run(self, *args: str) -> subprocess.CompletedProcess:
        env = {**os.environ, "NO_COLOR": "1"}
        env.pop("SPARKLEFORM_STATE", None)
        env.pop("SPARKLEFORM_PROVIDER", None)
        return subprocess.run(
            [sys.executable, "-m", "sparkleform.cli.main", "--state", str(self.state), *args],
            cwd=self.root, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120, env=env,
        )

    def status(self, stack: str) -> str | None:
        """The stack's status as `describe --output json` reports it; None when there is none."""
        import json

        proc = self.run("--output", "json", "describe", stack)
        if proc.returncode != 0:
            return None
        data = json.loads(proc.stdout)
        return data.get("StackStatus") or data.get("Status")
