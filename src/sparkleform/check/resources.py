"""Resource entries: a known Type (nearest suggestion otherwise), only known keys, and
well-formed resource attributes (DependsOn, Condition, DeletionPolicy, UpdateReplacePolicy,
CreationPolicy, UpdatePolicy, Metadata)."""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

from sparkleform.cfn import RESOURCE_KEYS, SAM_TRANSFORM
from sparkleform.check.diagnostic import ERROR
from sparkleform.check.intrinsics import call_of
from sparkleform.check.rules import CFN_DOCS, check, rule
from sparkleform.check.suggest import did_you_mean, nearest
from sparkleform.spec import resource_types

if TYPE_CHECKING:
    from sparkleform.check.context import CheckContext


RULES = (
    rule("SF2001", "resources", ERROR, "Unknown or malformed resource type", CFN_DOCS + "aws-template-resource-type-ref.html"),
    rule("SF2009", "resources", ERROR, "Resource entry malformed (no Type, unknown key, Properties not a mapping)", CFN_DOCS + "resources-section-structure.html"),
    rule("SF2101", "attributes", ERROR, "Resource attribute malformed (DependsOn, Condition, DeletionPolicy, ...)", CFN_DOCS + "aws-product-attribute-reference.html"),
)

# Types whose DeletionPolicy / UpdateReplacePolicy may be Snapshot (CloudFormation docs)
SNAPSHOT_TYPES = frozenset(
    {
        "AWS::DocDB::DBCluster",
        "AWS::EC2::Volume",
        "AWS::ElastiCache::CacheCluster",
        "AWS::ElastiCache::ReplicationGroup",
        "AWS::ElastiCache::ServerlessCache",
        "AWS::Neptune::DBCluster",
        "AWS::RDS::DBCluster",
        "AWS::RDS::DBInstance",
        "AWS::Redshift::Cluster",
    }
)
# functions whose result can never be a policy name
NOT_A_POLICY = ("Fn::Cidr", "Fn::GetAZs", "Fn::Split", "Fn::GetAtt", "Fn::Base64", "Fn::Length", "Fn::ToJsonString")
TYPE_FORM = re.compile(r"^[A-Za-z0-9]+::[A-Za-z0-9]+::[A-Za-z0-9]+(::MODULE)?$")
DELETION = ("Delete", "Retain", "RetainExceptOnCreate", "Snapshot")
REPLACE = ("Delete", "Retain", "Snapshot")
CREATION_KEYS = {"AutoScalingCreationPolicy": ("MinSuccessfulInstancesPercent",), "ResourceSignal": ("Count", "Timeout"), "StartFleet": ("Type",)}
UPDATE_KEYS = (
    "AutoScalingReplacingUpdate",
    "AutoScalingRollingUpdate",
    "AutoScalingScheduledAction",
    "CodeDeployLambdaAliasUpdate",
    "EnableVersionUpgrade",
    "UseOnlineResharding",
)


@cache
def _known_types() -> frozenset[str]:
    return frozenset(resource_types())


@cache
def _nearest_type(rtype: str) -> str | None:
    # compare within the same service first: cheaper, and the likelier meaning
    service, _, _ = rtype.rpartition("::")
    by_service = _types_by_service()
    if service not in by_service:
        # compare the service part only: the shared "AWS::" would make everything look close
        namespace, _, name = service.partition("::")
        names = _services_in(namespace)
        hit = nearest(name, names)
        service = names[hit] if hit else ""
    candidates = by_service.get(service, ())
    return nearest(rtype, candidates) if candidates else None


@cache
def _services_in(namespace: str) -> dict[str, str]:
    return {s.partition("::")[2]: s for s in _types_by_service() if s.partition("::")[0] == namespace}


@cache
def _types_by_service() -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for t in _known_types():
        out.setdefault(t.rpartition("::")[0], []).append(t)
    return {k: tuple(v) for k, v in out.items()}


def type_problem(rtype) -> str | None:
    """Why `rtype` is not a usable resource type, or None."""
    if not isinstance(rtype, str):
        return "Type must be a string"
    if rtype.startswith("Custom::"):
        return None if len(rtype) > len("Custom::") else "Custom:: needs a name after it"
    if not TYPE_FORM.match(rtype):
        return f"{rtype!r} is not a resource type name (Service::Provider::Resource)"
    if rtype in _known_types() or rtype.endswith("::MODULE"):
        return None
    if rtype.startswith(("AWS::", "Alexa::")) and not rtype.startswith("AWS::Serverless::"):
        hint = _nearest_type(rtype)
        return f"unknown resource type {rtype}" + (f" (did you mean {hint}?)" if hint else "")
    return None  # third-party and private registry types cannot be known here


@check()
def check_resources(ctx: CheckContext) -> None:
    raw = ctx.template.get("Resources")
    if not isinstance(raw, dict):
        return
    for logical_id, res in raw.items():
        path = ("Resources", logical_id)
        if isinstance(logical_id, str) and logical_id.startswith("Fn::ForEach::"):
            continue
        if not isinstance(res, dict):
            ctx.report("SF2009", path, "a resource must be a mapping with a Type")
            continue
        for key in res:
            if key not in RESOURCE_KEYS:
                ctx.report("SF2009", (*path, key), f"unknown resource attribute {key!r}{did_you_mean(str(key), RESOURCE_KEYS)}")
        if "Type" not in res:
            ctx.report("SF2009", path, "resource has no Type")
        else:
            problem = type_problem(res["Type"])
            if problem:
                ctx.report("SF2001", (*path, "Type"), problem)
            elif str(res["Type"]).startswith("AWS::Serverless::") and SAM_TRANSFORM not in ctx.transforms:
                ctx.report("SF2001", (*path, "Type"), f"{res['Type']} needs Transform: {SAM_TRANSFORM}")
        props = res.get("Properties")
        if "Properties" in res and not isinstance(props, dict):
            ctx.report("SF2009", (*path, "Properties"), "Properties must be a mapping")
        _check_attributes(ctx, path, res)


def _check_attributes(ctx: CheckContext, path, res: dict) -> None:
    rtype = res.get("Type")
    if "DependsOn" in res:
        dep = res["DependsOn"]
        ok = isinstance(dep, str) or (isinstance(dep, list) and all(isinstance(d, str) for d in dep))
        if not ok:
            ctx.report("SF2101", (*path, "DependsOn"), "DependsOn must be a resource name or a list of names")
    if "Condition" in res and not isinstance(res["Condition"], str):
        ctx.report("SF2101", (*path, "Condition"), "Condition must be the name of a condition")
    for key, allowed in (("DeletionPolicy", DELETION), ("UpdateReplacePolicy", REPLACE)):
        if key not in res:
            continue
        value = res[key]
        call = call_of(value)
        if call is not None:
            if call[0] in NOT_A_POLICY:
                ctx.report("SF2101", (*path, key), f"{key} cannot come from {call[0]}")
            continue  # Ref to a parameter / Fn::If / Fn::FindInMap are accepted by CloudFormation
        if value not in allowed:
            ctx.report("SF2101", (*path, key), f"{key} must be one of {', '.join(allowed)}, not {value!r}")
        elif value == "Snapshot" and isinstance(rtype, str) and rtype.startswith("AWS::") and rtype not in SNAPSHOT_TYPES:
            ctx.report("SF2101", (*path, key), f"{rtype} cannot be snapshotted: {key} must be Delete or Retain")
    if "CreationPolicy" in res:
        _check_policy(ctx, (*path, "CreationPolicy"), res["CreationPolicy"], CREATION_KEYS)
    if "UpdatePolicy" in res:
        _check_policy(ctx, (*path, "UpdatePolicy"), res["UpdatePolicy"], {k: None for k in UPDATE_KEYS})
    if "Metadata" in res and not isinstance(res["Metadata"], dict):
        ctx.report("SF2101", (*path, "Metadata"), "Metadata must be a mapping")


def _check_policy(ctx: CheckContext, path, value, known: dict) -> None:
    if call_of(value) is not None:
        return
    if not isinstance(value, dict):
        ctx.report("SF2101", path, f"{path[-1]} must be a mapping")
        return
    for key, body in value.items():
        if key not in known:
            ctx.report("SF2101", (*path, key), f"unknown {path[-1]} key {key!r}{did_you_mean(str(key), known)}")
            continue
        inner = known[key]
        if inner and isinstance(body, dict):
            for sub in body:
                if sub not in inner:
                    ctx.report("SF2101", (*path, key, sub), f"unknown {key} key {sub!r}{did_you_mean(str(sub), inner)}")
