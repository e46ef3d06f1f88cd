"""The one error vocabulary and the declared capabilities, on every provider: the same
contract class for the same refusal (AWS's classes are subclasses that are also AwsErrors),
and capabilities that match the methods a provider has. Callers catch classes: no caller
in cli/ or stacks/ reads an error's text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sparkleform import contract
from sparkleform.contract import NO_UPDATES

SRC = Path(__file__).resolve().parents[2] / "src" / "sparkleform"
TOPIC = {"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}


_MOTO_UPDATES_ANYWAY = (
    "moto's UpdateStack accepts an update that changes nothing; AWS answers ValidationError "
    "'No updates are to be performed.' (the change-set path sees AWS's answer on moto too)"
)


def test_refusals_are_the_contracts_classes(provider, provider_id, unique):
    name = f"err-{unique}"
    with pytest.raises(contract.StackNotFound):
        provider.describe_stack(name)
    with pytest.raises(contract.StackNotFound):
        provider.update_stack(name, TOPIC, {})
    provider.create_stack(name, TOPIC, {})
    with pytest.raises(contract.StackExists):
        provider.create_stack(name, TOPIC, {})
    if provider_id == "aws-direct":  # a known moto difference, asserted as it is
        assert provider.update_stack(name, TOPIC, {}).status == "UPDATE_COMPLETE", _MOTO_UPDATES_ANYWAY
    else:
        with pytest.raises(contract.NoUpdates, match=NO_UPDATES) as info:
            provider.update_stack(name, TOPIC, {})
        assert isinstance(info.value, contract.ValidationError) and info.value.exit_code == 2
    plan = provider.plan(name, TOPIC, {})
    assert plan.empty and plan.no_updates
    provider.delete_stack(name)
    with pytest.raises(contract.StackNotFound):
        provider.describe_stack(name)


def test_declared_capabilities_match_the_methods(provider):
    assert isinstance(provider, contract.Provider)
    assert contract.has_change_sets(provider) == isinstance(provider, contract.ChangeSetProvider)
    assert contract.has_stack_settings(provider) == isinstance(provider, contract.SettingsProvider)
    assert contract.has_drift(provider) == isinstance(provider, contract.DriftProvider)
    assert contract.runs_in_process(provider) == (provider.name == "local")
    assert contract.has_simulation(provider) == isinstance(provider, contract.SimulatingProvider)
    assert contract.has_attributes(provider) == isinstance(provider, contract.AttributesProvider)
    assert contract.has_stack_policies(provider) == isinstance(provider, contract.StackPolicyProvider)


def test_the_engine_raises_the_contracts_classes_themselves():
    from sparkleform.engine import errors

    for name in ("StackNotFound", "StackExists", "NoUpdates", "StackBusy", "ValidationError", "StackOperationFailed"):
        assert getattr(errors, name) is getattr(contract, name)


_TEXT_MATCHING = [
    re.compile(r"""(?i)["']no updates"""),  # "no updates" looked for in a message
    re.compile(r"""["']does not exist["']\s+(not\s+)?in\b"""),
    re.compile(r"\.message\.lower\(\)|in\s+\w+\.message\b|in\s+str\(\w+\)"),
    re.compile(r"getattr\(provider"),
    re.compile(r"""\.name\s*==\s*["'](local|aws)["']"""),
]


@pytest.mark.parametrize("package", ["cli", "stacks"])
def test_no_caller_reads_error_text_or_provider_names(package):
    offenders = [
        f"{path.relative_to(SRC)}:{n}: {line.strip()}"
        for path in sorted((SRC / package).rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if any(p.search(line) for p in _TEXT_MATCHING)
    ]
    assert offenders == []
