"""`inspect STACK` (sfn's inspect): one document of a stack's resources with their physical
ids and attribute values, its parameters (NoEcho masked) and outputs, each nested stack's own
document under its resource (`Stack`), and the value at a dotted path in it
(`--attribute Resources.Vpc.Attributes.CidrBlock`, `Vpc.CidrBlock`, or through nested stacks
`Network.Subnet.VpcId`)."""

from __future__ import annotations

from typing import Any

from sparkleform.contract import NO_ECHO_MASK, Stack, has_attributes
from sparkleform.errors import SparkleformError
from sparkleform.secrets import Masker, registry
from sparkleform.stacks.context import StackContext


class AttributePathError(SparkleformError):
    """`--attribute PATH` names nothing in the stack's document."""


NESTED_STACK = "AWS::CloudFormation::Stack"


def inspect(ctx: StackContext, name: str, *, nested: bool = True) -> dict[str, Any]:
    """The stack as one document: StackName, StackId, StackStatus, Parameters, Outputs, and
    Resources {logical id: {Type, PhysicalResourceId, Status, Attributes}} (attribute
    values as far as the provider reads them; none from one without Capability.ATTRIBUTES).
    With `nested`, a nested stack's resource also holds `Stack`: the nested stack's own
    document (read by its id, in the same region), all the way down."""
    provider = ctx.provider
    stack = provider.describe_stack(name)
    attributes = provider.resource_attributes(name) if has_attributes(provider) else {}
    masker = Masker(registry.secrets)
    document = _document(stack, attributes, masker)
    if nested:
        for entry in document["Resources"].values():
            child = entry["PhysicalResourceId"]
            if entry["Type"] == NESTED_STACK and child and not entry["Status"].startswith("DELETE_"):
                try:
                    entry["Stack"] = inspect(ctx, child)
                except SparkleformError:
                    continue  # a nested stack gone since its resource was read
    return document


def _document(stack: Stack, attributes: dict[str, Any], masker: Masker) -> dict[str, Any]:
    return {
        "StackName": stack.name,
        "StackId": stack.stack_id,
        "StackStatus": stack.status,
        "Parameters": {p.key: NO_ECHO_MASK if p.no_echo else p.value for p in stack.parameters},
        "Outputs": stack.output_map(),
        "Resources": {
            r.logical_id: {
                "Type": r.resource_type,
                "PhysicalResourceId": r.physical_id,
                "Status": r.status,
                "Attributes": masker.value(attributes.get(r.logical_id, {})),
            }
            for r in stack.resources
        },
    }


def _split(path: str) -> list[str]:
    """`Resources.Nested.Attributes.Outputs.Subnet`: a key with a dot in it (Outputs.Subnet)
    is matched whole when the plain split finds nothing."""
    return [part for part in path.split(".") if part]


def _step(node: Any, parts: list[str], i: int) -> tuple[Any, int]:
    """The child of `node` named by parts[i:] (the longest dotted key first), and how many parts it took."""
    if isinstance(node, dict):
        for j in range(len(parts), i, -1):
            key = ".".join(parts[i:j])
            if key in node:
                return node[key], j - i
        lowered = {str(k).lower(): k for k in node}
        if parts[i].lower() in lowered:
            return node[lowered[parts[i].lower()]], 1
    elif isinstance(node, list) and parts[i].isdigit() and int(parts[i]) < len(node):
        return node[int(parts[i])], 1
    raise KeyError(parts[i])


def select(document: dict[str, Any], path: str) -> Any:
    """The value at `path`: from the top (`Resources.Vpc.Attributes.CidrBlock`,
    `Outputs.VpcId`, `Parameters.Environment`, `StackStatus`) or, as GetAtt names it, from a
    resource (`Vpc.CidrBlock` = its attribute, `Vpc.PhysicalResourceId`, `Vpc` = the whole entry)."""
    parts = _split(path)
    if not parts:
        raise AttributePathError("--attribute: give a path such as Resources.Vpc.Attributes.CidrBlock or Vpc.CidrBlock")
    resources = document.get("Resources") or {}
    starts: list[tuple[Any, list[str]]] = [(document, parts)]
    if parts[0] in resources:
        entry = resources[parts[0]]
        starts = [(entry, parts[1:]), (entry.get("Attributes") or {}, parts[1:])] + starts
    for node, rest in starts:
        i = 0
        try:
            while i < len(rest):
                node, took = _step(node, rest, i)
                i += took
        except KeyError:
            continue
        return node
    child = resources.get(parts[0], {}).get("Stack") if len(parts) > 1 else None
    if child is not None:  # through a nested stack: `Network.Subnet.VpcId`
        try:
            return select(child, ".".join(parts[1:]))
        except AttributePathError:
            pass
    raise AttributePathError(
        f"--attribute {path}: stack {document.get('StackName')} has nothing there",
        hint=_hint(document, parts),
    )


def _hint(document: dict[str, Any], parts: list[str]) -> str:
    resources = document.get("Resources") or {}
    name = parts[1] if parts[0] == "Resources" and len(parts) > 1 else parts[0]
    if name in resources:
        known = sorted(resources[name].get("Attributes") or {})
        hint = f"attributes of {name}: {', '.join(known) if known else 'none read'}"
        child = resources[name].get("Stack")
        if child is not None:
            hint += f"; resources of its nested stack: {', '.join(child.get('Resources') or {}) or 'none'}"
        return hint
    return f"resources: {', '.join(resources) or 'none'}; top-level keys: {', '.join(document)}"
