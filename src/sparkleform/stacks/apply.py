"""`--apply-stack` references (`vpc`, `local:vpc`, `aws:us-west-2:vpc`) and reading their outputs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sparkleform.contract import Provider, runs_in_process
from sparkleform.errors import ParameterError, SparkleformError
from sparkleform.stacks.next_step import next_step
from sparkleform.stacks.parameters import AppliedStack

PROVIDERS = ("local", "aws")


@dataclass(frozen=True)
class StackRef:
    name: str
    provider: str | None = None  # None: the provider of the command
    region: str | None = None  # None: the region of the command
    label: str = ""


def parse_stack_ref(text: str) -> StackRef:
    """`NAME`, `PROVIDER:NAME` or `PROVIDER:REGION:NAME` (PROVIDER is local or aws)."""
    parts = text.split(":")
    if any(not p for p in parts) or len(parts) > 3 or (len(parts) > 1 and parts[0] not in PROVIDERS):
        raise ParameterError(
            f"--apply-stack {text!r}: expected NAME, PROVIDER:NAME or PROVIDER:REGION:NAME "
            f"(PROVIDER is {' or '.join(PROVIDERS)})"
        )
    if len(parts) == 1:
        return StackRef(name=parts[0], label=text)
    if len(parts) == 2:
        return StackRef(name=parts[1], provider=parts[0], label=text)
    return StackRef(name=parts[2], provider=parts[0], region=parts[1], label=text)


UNUSABLE = ("ROLLBACK_COMPLETE", "DELETE_COMPLETE", "DELETE_IN_PROGRESS")

ProviderFor = Callable[[str | None, str | None], Provider]


def read_applied_stacks(
    refs: list[str], provider_for: ProviderFor, locate: Callable[[str], Provider | None] | None = None
) -> list[AppliedStack]:
    """The outputs of each referenced stack, in the order given.

    `provider_for(provider_name, region)` returns the provider to ask (None: the command's own);
    `locate(name)`, when given, the provider of a plain name that lives elsewhere (a group
    stack in its own region), or None.
    """
    applied: list[AppliedStack] = []
    for text in refs:
        ref = parse_stack_ref(text)
        located = locate(ref.name) if locate is not None and ref.provider is None and ref.region is None else None
        provider = located or provider_for(ref.provider, ref.region)
        try:
            stack = provider.describe_stack(ref.name)
        except SparkleformError as exc:
            raise ParameterError(f"--apply-stack {text}: {exc.message}") from exc
        settled = stack.status == "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"  # new outputs are already final
        if stack.status in UNUSABLE or (
            stack.status.endswith(("_IN_PROGRESS", "_FAILED")) and not settled
        ):
            raise ParameterError(
                f"--apply-stack {text}: stack {ref.name} is {stack.status}; its outputs cannot be used",
                hint=next_step(ref.name, stack.status, in_process=runs_in_process(provider)) or stack.reason or None,
            )
        applied.append(AppliedStack(label=text, outputs=with_nested_outputs(provider, stack)))
    return applied


def with_nested_outputs(provider: Provider, stack) -> dict[str, str]:
    """The stack's outputs, then those of its nested stacks at any depth that it does not
    have itself (as sfn's apply-stack reads them): a stack's own output wins, then the
    nested stacks in resource order, each before its own nested stacks."""
    from sparkleform.stacks.tree import stack_tree

    outputs: dict[str, str] = {}
    for _path, member in stack_tree(provider, stack):
        for key, value in member.output_map().items():
            outputs.setdefault(key, value)
    return outputs
