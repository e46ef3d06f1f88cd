"""Two processes on one state file: different stacks work at once; a second operation on a
stack that is in progress is refused with CloudFormation's message (and recover waits for
the live owner)."""

from __future__ import annotations

import os
import time

import pytest
from crash_templates import big_template

from sparkleform.engine import custom
from sparkleform.engine.errors import StackBusy
from sparkleform.providers.local import LocalProvider

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")


def _child(state, fn) -> int:
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            fn(LocalProvider(state=state))
            code = 0
        finally:
            os._exit(code)
    return pid


def test_two_processes_two_stacks(tmp_path):
    state = tmp_path / "state.db"
    def work(provider, name):
        provider.create_stack(name, big_template(export=name), {})
        provider.update_stack(name, big_template("b", export=name), {})

    pids = [_child(state, lambda p, n=n: work(p, n)) for n in ("left", "right")]
    for pid in pids:
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
    provider = LocalProvider(state=state)
    for n in ("left", "right"):
        s = provider.describe_stack(n)
        assert s.status == "UPDATE_COMPLETE"
        assert len(s.resources) == len(big_template("b")["Resources"])
    assert set(provider.exports()) == {"left", "right"}
    events = provider.events("left") + provider.events("right")
    assert len({e.event_id for e in events}) == len(events)
    provider.close()


def test_same_stack_refused_while_in_progress(tmp_path):
    state = tmp_path / "state.db"
    provider = LocalProvider(state=state)
    slow = {"Resources": {"Slow": {"Type": "Custom::Slow", "Properties": {"ServiceToken": "local:slow", "V": "1"}},
                          "T": {"Type": "AWS::SNS::Topic"}}}
    _register()
    provider.create_stack("s", slow, {})
    changed = {"Resources": {**slow["Resources"], "Slow": {"Type": "Custom::Slow", "Properties": {"ServiceToken": "local:slow", "V": "2"}}}}
    pid = _child(state, lambda p: p.update_stack("s", changed, {}))
    stack_id = provider.describe_stack("s").stack_id
    for _ in range(200):
        if provider.describe_stack("s").status == "UPDATE_IN_PROGRESS":
            break
        time.sleep(0.01)
    assert provider.describe_stack("s").status == "UPDATE_IN_PROGRESS"
    with pytest.raises(StackBusy) as info:
        provider.update_stack("s", slow, {})
    assert str(info.value) == f"Stack:{stack_id} is in UPDATE_IN_PROGRESS state and can not be updated."
    with pytest.raises(StackBusy, match="UPDATE_IN_PROGRESS state and can not be deleted"):
        provider.delete_stack("s")
    with pytest.raises(StackBusy, match="still working on it"):
        provider.recover("s")
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert provider.describe_stack("s").status == "UPDATE_COMPLETE"
    custom.unregister_handler("local:slow")
    provider.close()


def _register() -> None:
    def slow(request):
        if request["RequestType"] == "Update":
            time.sleep(1.0)
        return {"Data": {}}

    custom.register_handler("local:slow", slow)
