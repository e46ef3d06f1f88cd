"""Reading --apply-stack outputs from a real local provider (SQLite in a tmp dir)."""

from __future__ import annotations

import contextlib

import pytest

from sparkleform.errors import ParameterError
from sparkleform.stacks.apply import read_applied_stacks

GOOD = {"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}, "Outputs": {"QueueUrl": {"Value": {"Ref": "Q"}}}}
BAD = {"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Metadata": {"sparkleform:fail": "create"}}}}


@pytest.fixture
def provider(tmp_path):
    local = pytest.importorskip("sparkleform.providers.local")
    p = local.LocalProvider(state=str(tmp_path / "state.db"))
    yield p
    p.close()


def test_outputs_are_read_in_order_and_refs_reach_the_provider_factory(provider):
    from sparkleform.errors import OperationFailed

    provider.create_stack("one", GOOD, {})
    provider.create_stack("two", GOOD, {})
    asked = []

    def provider_for(name, region):
        asked.append((name, region))
        return provider

    applied = read_applied_stacks(["one", "local:two", "local:eu-west-1:one"], provider_for)
    assert [a.label for a in applied] == ["one", "local:two", "local:eu-west-1:one"]
    assert "/one-Q-" in applied[0].outputs["QueueUrl"] and "/two-Q-" in applied[1].outputs["QueueUrl"]
    assert applied[0].outputs != applied[1].outputs
    assert asked == [(None, None), ("local", None), ("local", "eu-west-1")]

    with contextlib.suppress(OperationFailed):  # whether the provider raises or returns the stack
        provider.create_stack("broken", BAD, {})
    assert provider.describe_stack("broken").status == "ROLLBACK_COMPLETE"
    with pytest.raises(ParameterError, match="stack broken is ROLLBACK_COMPLETE"):
        read_applied_stacks(["broken"], lambda n, r: provider)
    with pytest.raises(ParameterError, match="--apply-stack ghost:"):
        read_applied_stacks(["ghost"], lambda n, r: provider)
