"""An update rollback killed midway is finished by `recover`, and what the update created in
place of a resource still gets its Delete: the row that named it was put back to the old
resource before the kill, so the rollback records it first (stacks.cleanup).

The driver (rollback_crash_driver.py) is a real process that SIGKILLs itself at the point
named; `recover` runs here, in another process, as a user's next command would.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from sparkleform.engine import custom
from sparkleform.providers.local import LocalProvider

DRIVER = Path(__file__).with_name("rollback_crash_driver.py")
sys.path.insert(0, str(DRIVER.parent))

from rollback_crash_driver import handler_logging_to  # noqa: E402


def _drive(state: Path, log: Path, op: str, point: str) -> int:
    return subprocess.run(
        [sys.executable, str(DRIVER), str(state), str(log), op, point], capture_output=True, text=True, timeout=120
    ).returncode


def _requests(log: Path) -> list[list[str]]:
    return [json.loads(line) for line in log.read_text().splitlines()]


@pytest.mark.parametrize("point", ["restored", "cleanup", "none"])
def test_the_replacement_is_deleted_however_the_rollback_ends(tmp_path, point) -> None:
    state, log = tmp_path / "state.db", tmp_path / "requests.log"
    assert _drive(state, log, "create", "none") == 0
    rc = _drive(state, log, "update", point)
    assert rc == (-9 if point != "none" else 1), rc  # killed, or the update's failure (exit 1)
    custom.register_handler("Custom::Thing", handler_logging_to(str(log)))
    provider = LocalProvider(state=state)
    try:
        if point != "none":
            assert provider.describe_stack("rolled").status.endswith("_IN_PROGRESS")
            assert provider.recover("rolled").status == "UPDATE_ROLLBACK_COMPLETE"
        stack = provider.describe_stack("rolled")
        assert stack.status == "UPDATE_ROLLBACK_COMPLETE"
        assert {r.logical_id: r.physical_id for r in stack.resources}["Thing"] == "thing-token-1"
    finally:
        provider.close()
        custom.unregister_handler("Custom::Thing")
    requests = _requests(log)
    assert ["Create", "thing-token-2"] in requests
    # the replacement got exactly one Delete; the original none
    assert requests.count(["Delete", "thing-token-2"]) == 1, requests
    assert ["Delete", "thing-token-1"] not in requests
    conn = sqlite3.connect(state)
    try:
        assert conn.execute("SELECT cleanup FROM stacks WHERE name='rolled'").fetchone() == (None,)
    finally:
        conn.close()
