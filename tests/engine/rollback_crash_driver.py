"""Driver for test_rollback_crash: an update that fails and rolls back, killed (SIGKILL, by
itself) at a named point of the rollback, to be recovered by another process.

    python rollback_crash_driver.py STATE LOG create|update POINT

Custom resources answer through a handler that appends each request (type, physical id)
to LOG, so the test sees which Delete requests ever reached them, from any process.
POINT: `restored` (right after the replaced resource's row is put back) or `cleanup`
(when the rollback starts deleting what the update created); `none` runs to the end.
"""

from __future__ import annotations

import json
import os
import signal
import sys

from sparkleform.engine import custom, update_finish
from sparkleform.engine.journal import Journal
from sparkleform.providers.local import LocalProvider


def handler_logging_to(log: str):
    def answer(request: dict) -> dict:
        physical = request["PhysicalResourceId"] or f"thing-{request['ResourceProperties']['ServiceToken']}"
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(json.dumps([request["RequestType"], physical]) + "\n")
        return {"PhysicalResourceId": physical}

    return answer


def template(version: int) -> dict:
    """v1, then v2: the ServiceToken change replaces Thing; Broken (after it) fails its update."""
    return {
        "Resources": {
            "Thing": {"Type": "Custom::Thing", "Properties": {"ServiceToken": f"token-{version}"}},
            "Broken": {
                "Type": "AWS::SQS::Queue",
                "DependsOn": "Thing",
                "Properties": {"DelaySeconds": version},
                "Metadata": {"sparkleform:fail": "update"} if version == 2 else {},
            },
        }
    }


def kill_at(point: str) -> None:
    die = lambda: os.kill(os.getpid(), signal.SIGKILL)  # noqa: E731
    if point == "restored":
        original = Journal.resource_status

        def status(self, run_stack, res, status, reason, on_event, **kw):  # type: ignore[no-untyped-def]
            original(self, run_stack, res, status, reason, on_event, **kw)
            if res.logical_id == "Thing" and status == "UPDATE_COMPLETE":
                die()

        Journal.resource_status = status  # type: ignore[method-assign]
    elif point == "cleanup":
        update_finish.finish_update_rollback = lambda *a, **k: die()


def main() -> None:
    state, log, op, point = sys.argv[1:5]
    custom.register_handler("Custom::Thing", handler_logging_to(log))
    provider = LocalProvider(state=state)
    if op == "create":
        provider.create_stack("rolled", template(1), {})
        return
    kill_at(point)
    provider.update_stack("rolled", template(2), {})


if __name__ == "__main__":
    main()
