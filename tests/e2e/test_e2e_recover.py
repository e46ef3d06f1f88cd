"""`recover` after a process died mid-create: the stack shows where it stopped and rolls back."""

from __future__ import annotations

import json
import subprocess
import sys

# Creates a stack with the local provider and dies (os._exit: no cleanup, as kill -9) after
# the third resource event, leaving the operation cut off in the state file.
DIE_MIDWAY = """
import json, os, sys
from sparkleform.providers import get_provider
provider = get_provider("local", state=sys.argv[1])
seen = []
def on_event(ev):
    seen.append(ev)
    if len(seen) == 4:
        os._exit(9)
provider.create_stack("cut", json.loads(sys.argv[2]), {}, on_event=on_event)
"""


def test_recover_rolls_back_a_create_cut_off_by_a_dead_process(cli):
    template = {"Resources": {f"Q{i}": {"Type": "AWS::SQS::Queue", **({"DependsOn": f"Q{i - 1}"} if i else {})}
                              for i in range(6)}}
    cli.state.parent.mkdir(parents=True, exist_ok=True)
    died = subprocess.run([sys.executable, "-c", DIE_MIDWAY, str(cli.state), json.dumps(template)],
                          capture_output=True, text=True, timeout=60)
    assert died.returncode == 9, died.stderr
    stuck = cli.json("describe", "cut")
    assert stuck["StackStatus"] == "CREATE_IN_PROGRESS"

    # `events --follow` does not wait forever on a stack nobody works on (issue 19): it prints
    # the history, says the operation was cut off and points at recover
    follower = subprocess.run(
        [sys.executable, "-m", "sparkleform.cli.main", "--state", str(cli.state), "events", "cut",
         "--follow", "--interval", "0.1"],
        cwd=cli.cwd, capture_output=True, stdin=subprocess.DEVNULL, text=True, timeout=30,
    )
    assert follower.returncode == 1, follower.stderr
    assert "was cut off" in follower.stderr and "sparkleform recover cut" in follower.stderr
    lines = follower.stdout.splitlines()
    assert "CREATE_IN_PROGRESS" in lines[0]
    assert len(lines) == len(set(lines))  # each event once
    proc = cli.run("recover", "cut")
    assert "ROLLBACK_COMPLETE" in proc.stdout
    after = cli.json("describe", "cut")
    assert after["StackStatus"] == "ROLLBACK_COMPLETE"
    assert all(r["ResourceStatus"] == "DELETE_COMPLETE" for r in after["Resources"])
