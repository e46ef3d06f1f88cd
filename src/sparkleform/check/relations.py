"""Rules across resources: a subnet associated with two route tables; a DynamoDB table
whose AttributeDefinitions do not match the attributes its keys use; two resources with
the same literal primary identifier."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from sparkleform.check.diagnostic import ERROR
from sparkleform.check.intrinsics import call_of
from sparkleform.check.rules import CFN_DOCS, SCHEMA_DOCS, check, rule
from sparkleform.spec import get_schema

if TYPE_CHECKING:
    from sparkleform.check.context import CheckContext


RULES = (
    rule("SF2013", "resources", ERROR, "Subnet associated with more than one route table", CFN_DOCS + "aws-resource-ec2-subnetroutetableassociation.html"),
    rule("SF2014", "resources", ERROR, "DynamoDB AttributeDefinitions do not match the key schemas", CFN_DOCS + "aws-resource-dynamodb-table.html"),
    rule("SF2016", "resources", ERROR, "Two resources with the same primary identifier", SCHEMA_DOCS),
)


def _same_scenario(a: dict, b: dict) -> bool:
    """Whether two resources can exist together for sure-enough: no condition, or the same
    one. Different conditions might exclude each other; that is not judged (no combinations)."""
    ca, cb = a.get("Condition"), b.get("Condition")
    return ca is None or cb is None or ca == cb


@check()
def check_route_table_associations(ctx: CheckContext) -> None:
    seen: dict[str, list[str]] = {}
    for logical_id, res in ctx.resources.items():
        if res.get("Type") != "AWS::EC2::SubnetRouteTableAssociation":
            continue
        props = res.get("Properties")
        subnet = props.get("SubnetId") if isinstance(props, dict) else None
        if subnet is None or (call_of(subnet) or ("",))[0] == "Fn::If":
            continue
        key = json.dumps(subnet, sort_keys=True, default=str)
        for other in seen.get(key, ()):
            if _same_scenario(res, ctx.resources[other]):
                ctx.report(
                    "SF2013",
                    ("Resources", logical_id, "Properties", "SubnetId"),
                    f"this subnet is already associated with a route table by {other}; a subnet has one route table",
                )
                break
        seen.setdefault(key, []).append(logical_id)


def _key_attributes(schema_list) -> set[str] | None:
    out: set[str] = set()
    if not isinstance(schema_list, list):
        return None
    for item in schema_list:
        if not isinstance(item, dict) or not isinstance(item.get("AttributeName"), str):
            return None
        out.add(item["AttributeName"])
    return out


@check()
def check_dynamodb_attributes(ctx: CheckContext) -> None:
    for logical_id, res in ctx.resources.items():
        if res.get("Type") != "AWS::DynamoDB::Table":
            continue
        props = res.get("Properties")
        if not isinstance(props, dict) or not isinstance(props.get("AttributeDefinitions"), list):
            continue
        defined = _key_attributes(props["AttributeDefinitions"])
        used = _key_attributes(props.get("KeySchema"))
        if defined is None or used is None:
            continue
        for index_key in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
            indexes = props.get(index_key, [])
            if not isinstance(indexes, list):
                used = None
                break
            for index in indexes:
                keys = _key_attributes(index.get("KeySchema")) if isinstance(index, dict) else None
                if keys is None:
                    used = None
                    break
                used |= keys
            if used is None:
                break
        if used is None or defined == used:
            continue
        extra, missing = sorted(defined - used), sorted(used - defined)
        parts = []
        if extra:
            parts.append(f"{', '.join(extra)} defined but used by no key schema")
        if missing:
            parts.append(f"{', '.join(missing)} used by a key schema but not defined")
        ctx.report("SF2014", ("Resources", logical_id, "Properties", "AttributeDefinitions"), "; ".join(parts))


@check()
def check_unique_identifiers(ctx: CheckContext) -> None:
    """Two resources of one type whose primary identifier (a name the template sets) is the
    same literal value would be the same physical resource."""
    seen: dict[tuple, str] = {}
    for logical_id, res in ctx.resources.items():
        rtype = res.get("Type")
        props = res.get("Properties")
        if not isinstance(rtype, str) or not isinstance(props, dict):
            continue
        schema = get_schema(rtype)
        if schema is None or not schema.primary_identifier:
            continue
        names = schema.primary_identifier
        if any("." in n or n in schema.read_only for n in names):
            continue
        values = [props.get(n) for n in names]
        if not all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in values):
            continue
        key = (rtype, *(str(v) for v in values))
        other = seen.get(key)
        if other is not None and _same_scenario(res, ctx.resources[other]):
            shown = ", ".join(f"{n}={v!r}" for n, v in zip(names, values, strict=True))
            ctx.report("SF2016", ("Resources", logical_id, "Properties", names[0]), f"{other} already has {shown}: both would be one {rtype}")
        else:
            seen.setdefault(key, logical_id)
