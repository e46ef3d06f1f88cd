"""kill -9 during a nested stack's create or update: `recover` of the parent reaches the
child (the child's own operation is rolled back and the child deleted, even when the
parent's row never recorded the child's id), and `destroy` of the parent deletes every
child, so no stack stays listed and every resource created is deleted exactly once.

The create runs in a real process (nested_kill_driver.py, the real entry point) that
SIGKILLs itself right after the engine commits the named event; `recover`, `destroy` and
`list-stacks` then run as the user's next commands, each a process of its own.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from reliability_cli import cli_env

DRIVER = Path(__file__).with_name("nested_kill_driver.py")


def thing(**extra) -> dict:
    return {"Type": "Custom::Thing", "Properties": {"ServiceToken": "t"}, **extra}


PARENT = {"Resources": {
    "First": thing(),
    "Child": {"Type": "AWS::CloudFormation::Stack", "DependsOn": "First", "Properties": {"TemplateURL": "child.json"}},
    "Last": thing(DependsOn="Child"),
}}
CHILD = {"Resources": {
    "A": thing(),
    "Grand": {"Type": "AWS::CloudFormation::Stack", "DependsOn": "A", "Properties": {"TemplateURL": "grand.json"}},
    "B": thing(DependsOn="Grand"),
}}
GRAND = {"Resources": {"G": thing()}}
CHILD_STACK = r"p-Child-[^-]*"
GRAND_STACK = r"p-Child-.*-Grand-.*"


class Run:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        for name, template in (("p.json", PARENT), ("first.json", {"Resources": {"First": thing()}}),
                               ("child.json", CHILD), ("grand.json", GRAND)):
            (folder / name).write_text(json.dumps(template))

    def __call__(self, point: str, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, str(DRIVER), str(self.folder / "things.log"), point, "--", *args, "--state", "state.db"],
            cwd=self.folder, env=cli_env(), capture_output=True, text=True, timeout=120,
        )

    def listed(self) -> dict[str, str]:
        out = self("none", "list-stacks", "--output", "json")
        assert out.returncode == 0, out.stderr
        return {s["StackName"]: s["StackStatus"] for s in json.loads(out.stdout)}

    def live(self) -> dict[str, str]:
        """The stacks the state holds undeleted, read from the file (no process to start)."""
        conn = sqlite3.connect(self.folder / "state.db")
        try:
            return dict(conn.execute("SELECT name, status FROM stacks WHERE deleted IS NULL").fetchall())
        finally:
            conn.close()

    def things(self) -> tuple[Counter, Counter]:
        lines = [json.loads(line) for line in (self.folder / "things.log").read_text().splitlines()]
        return (Counter(p for kind, p in lines if kind == "Create"), Counter(p for kind, p in lines if kind == "Delete"))


def _killed(proc: subprocess.CompletedProcess) -> None:
    assert proc.returncode == -9, (proc.returncode, proc.stderr[-2000:])


def _gone_exactly_once(run: Run) -> None:
    created, deleted = run.things()
    assert created and all(n == 1 for n in created.values()), created
    assert deleted == created, (created, deleted)  # nothing left behind, nothing deleted twice
    assert run.listed() == {}
    assert run.live() == {}


@pytest.mark.parametrize("point", [
    f"{CHILD_STACK}/=/CREATE_IN_PROGRESS",  # the child just recorded, nothing of it made
    f"{CHILD_STACK}/A/CREATE_COMPLETE",  # the child half made
    f"{GRAND_STACK}/G/CREATE_COMPLETE",  # inside the grandchild
    f"{GRAND_STACK}/=/CREATE_COMPLETE",  # the grandchild made, the child's row not told yet
    f"{CHILD_STACK}/=/CREATE_COMPLETE",  # the child made, the parent's row not told yet
    "p/Child/CREATE_COMPLETE",  # the parent recorded the child
    "p/Last/CREATE_COMPLETE",  # all made, the parent not finished
])
def test_recover_and_destroy_after_a_kill_during_a_nested_create(tmp_path, point):
    run = Run(tmp_path)
    _killed(run(point, "create", "p", "p.json"))
    assert run.live()["p"] == "CREATE_IN_PROGRESS"
    recovered = run("none", "recover", "p")
    assert recovered.returncode == 0, recovered.stderr
    assert run.listed() == {"p": "ROLLBACK_COMPLETE"}  # its children went with its rollback
    destroyed = run("none", "destroy", "p", "--yes")
    assert destroyed.returncode == 0, destroyed.stderr
    _gone_exactly_once(run)


def test_destroy_deletes_children_a_recover_of_an_older_version_left_behind(tmp_path):
    run = Run(tmp_path)
    _killed(run(f"{CHILD_STACK}/=/CREATE_COMPLETE", "create", "p", "p.json"))
    assert run("legacy-recover", "recover", "p").returncode == 0
    listed = run.live()
    assert listed.pop("p") == "ROLLBACK_COMPLETE" and len(listed) == 2, listed  # the orphans of old
    destroyed = run("none", "destroy", "p", "--yes")
    assert destroyed.returncode == 0, destroyed.stderr
    _gone_exactly_once(run)


@pytest.mark.parametrize("point", [f"{CHILD_STACK}/A/CREATE_COMPLETE", f"{CHILD_STACK}/=/CREATE_COMPLETE"])
def test_recover_after_a_kill_during_an_update_that_adds_a_nested_stack(tmp_path, point):
    run = Run(tmp_path)
    assert run("none", "create", "p", "first.json").returncode == 0
    _killed(run(point, "update", "p", "p.json", "--yes"))
    recovered = run("none", "recover", "p")
    assert recovered.returncode == 0, recovered.stderr
    assert run.listed() == {"p": "UPDATE_ROLLBACK_COMPLETE"}
    created, deleted = run.things()
    assert deleted == created - Counter(["thing-p-First"]), (created, deleted)  # what the update made is gone
    destroyed = run("none", "destroy", "p", "--yes")
    assert destroyed.returncode == 0, destroyed.stderr
    _gone_exactly_once(run)
