"""Driver for test_nested_kill: `sparkleform ARGS` run through the real entry point in a
process that SIGKILLs itself right after the engine commits a named event.

    python nested_kill_driver.py LOG POINT -- sparkleform-args...

POINT is `STACK/LOGICAL-ID/STATUS`: the first event of a stack whose name matches the
regular expression STACK, of that logical id (`=`: the stack's own event), with that
status, once committed; or `none`; or `legacy-recover`, which runs the command with
`recover` as it was before it swept orphaned nested stacks (to make the state that older
versions left behind).
Custom::Thing resources answer through a handler that appends each request (type,
physical id) to LOG, in every process (the create and the later recover and destroy), so
the test sees what was created and what was deleted, and how many times.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sys


def handler_logging_to(log: str):
    def answer(request: dict) -> dict:
        physical = request["PhysicalResourceId"] or f"thing-{request['StackId'].split('/')[1]}-{request['LogicalResourceId']}"
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(json.dumps([request["RequestType"], physical]) + "\n")
        return {"PhysicalResourceId": physical}

    return answer


def kill_at(point: str) -> None:
    """SIGKILL this process right after the event `point` is committed (and delivered)."""
    from sparkleform.engine import create, journal

    stack, logical, status = point.split("/")
    original = journal.deliver

    def deliver(pending, on_event):  # type: ignore[no-untyped-def]
        original(pending, on_event)
        for event in pending:
            own = event.logical_id == event.stack_name
            if re.fullmatch(stack, event.stack_name) and event.status == status and (
                    own if logical == "=" else event.logical_id == logical):
                os.kill(os.getpid(), signal.SIGKILL)

    journal.deliver = deliver  # the journal's commits
    create.deliver = deliver  # a create's first event


def main() -> None:
    log, point, sep, *args = sys.argv[1:]
    assert sep == "--"
    from sparkleform.cli.main import main as cli_main
    from sparkleform.engine import custom

    custom.register_handler("Custom::Thing", handler_logging_to(log))
    if point == "legacy-recover":  # recover as it was before orphaned children were swept
        from sparkleform.engine import create

        create.orphaned_children = lambda cx, stack_id, rows=None: []  # type: ignore[assignment]
    elif point != "none":
        kill_at(point)
    cli_main(args)


if __name__ == "__main__":
    main()
