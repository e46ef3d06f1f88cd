"""A stack and its nested stacks, at any depth, as the provider describes them.

`stack_tree(provider, stack)` -> [(path, Stack)]: the stack first (path ""), then each nested
stack in resource order before its own nested stacks, with its path of logical ids from the
root (`Applications/Moneymaker`). describe shows the tree, --apply-stack reads its outputs.
"""

from __future__ import annotations

from sparkleform.contract import Provider, Stack
from sparkleform.errors import SparkleformError

NESTED_STACK = "AWS::CloudFormation::Stack"
MAX_DEPTH = 16


def stack_tree(provider: Provider, stack: Stack) -> list[tuple[str, Stack]]:
    out: list[tuple[str, Stack]] = []

    def visit(path: str, current: Stack, depth: int) -> None:
        out.append((path, current))
        if depth >= MAX_DEPTH:
            return
        for res in current.resources:
            if res.resource_type != NESTED_STACK or not res.physical_id:
                continue
            try:
                child = provider.describe_stack(res.physical_id)
            except SparkleformError:
                continue  # a nested stack gone or not readable shows as a resource only
            visit(f"{path}/{res.logical_id}" if path else res.logical_id, child, depth + 1)

    visit("", stack, 0)
    return out


__all__ = ["stack_tree"]
