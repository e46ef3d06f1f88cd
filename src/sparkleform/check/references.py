"""References: Ref, Fn::GetAtt, Fn::Sub variables, Fn::FindInMap, Fn::If conditions,
DependsOn and Condition attributes name things that exist; unused declarations."""

from __future__ import annotations

from sparkleform.cfn import NESTED_STACK_TYPE, PSEUDO_PARAMETERS
from sparkleform.check.context import CheckContext
from sparkleform.check.diagnostic import ERROR, WARNING
from sparkleform.check.intrinsics import get_att_parts, sub_parts, sub_variables
from sparkleform.check.rules import CFN_DOCS, check, rule
from sparkleform.check.suggest import did_you_mean
from sparkleform.intrinsics import CONDITION, MAPPING, REF, RESOURCE, call_targets
from sparkleform.spec import get_schema

RULES = (
    rule("SF3001", "references", ERROR, "Ref to an unknown parameter or resource", CFN_DOCS + "intrinsic-function-reference-ref.html"),
    rule("SF3002", "references", ERROR, "Fn::GetAtt on an unknown resource", CFN_DOCS + "intrinsic-function-reference-getatt.html"),
    rule("SF3003", "references", ERROR, "Fn::GetAtt attribute not declared by the resource type", CFN_DOCS + "intrinsic-function-reference-getatt.html"),
    rule("SF3004", "references", ERROR, "Fn::Sub variable names nothing", CFN_DOCS + "intrinsic-function-reference-sub.html"),
    rule("SF3005", "references", ERROR, "DependsOn names an unknown resource", CFN_DOCS + "aws-attribute-dependson.html"),
    rule("SF3006", "references", ERROR, "Condition names an unknown condition", CFN_DOCS + "conditions-section-structure.html"),
    rule("SF3007", "references", ERROR, "Fn::FindInMap names an unknown mapping or key", CFN_DOCS + "intrinsic-function-reference-findinmap.html"),
    rule("SF3008", "references", ERROR, "Reference not allowed here (resource in Conditions, ...)", CFN_DOCS + "conditions-section-structure.html"),
    rule("SF3020", "unused", WARNING, "Parameter never used", CFN_DOCS + "parameters-section-structure.html"),
    rule("SF3021", "unused", WARNING, "Condition never used", CFN_DOCS + "conditions-section-structure.html"),
    rule("SF3022", "unused", WARNING, "Mapping never used", CFN_DOCS + "mappings-section-structure.html"),
)

# Types whose documented Fn::GetAtt return values include their ordinary properties
# (CloudFormation's per-type "Return values" pages), beyond the schema's read-only ones.
ALL_PROPERTIES_READABLE = frozenset(
    {
        "AWS::AutoScaling::AutoScalingGroup",
        "AWS::EC2::Instance",
        "AWS::EC2::SecurityGroup",
        "AWS::EC2::Subnet",
        "AWS::EC2::VPC",
        "AWS::EFS::MountTarget",
        "AWS::EKS::Nodegroup",
        "AWS::ElastiCache::ReplicationGroup",
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        "AWS::Events::EventBus",
        "AWS::Neptune::DBCluster",
        "AWS::RDS::DBInstance",
        "AWS::RDS::DBParameterGroup",
        "AWS::S3::AccessPoint",
        "AWS::SNS::Topic",
        "AWS::SQS::Queue",
        "AWS::SSM::Parameter",
        "AWS::StepFunctions::Activity",
    }
)


def attribute_problem(ctx: CheckContext, logical_id: str, attribute: str) -> str | None:
    """Why `logical_id.attribute` is not a GetAtt the resource type declares, or None if it is."""
    rtype = ctx.resource_type(logical_id)
    if rtype is None or rtype.startswith("Custom::") or rtype == "AWS::CloudFormation::CustomResource":
        return None
    if rtype == NESTED_STACK_TYPE and attribute.startswith("Outputs."):
        return None
    if rtype.endswith("::MODULE"):
        return None
    schema = get_schema(rtype)
    if schema is None:
        return None
    names = schema.attributes
    if attribute in names:
        return None
    if attribute.split(".")[0] in schema.properties and attribute not in schema.write_only:
        return None if rtype in ALL_PROPERTIES_READABLE else "property"  # CloudFormation returns plain properties for some types only
    if rtype == NESTED_STACK_TYPE:
        return f"{rtype} has no attribute {attribute!r} (outputs are read as Outputs.NAME)"
    # Plain attributes before dotted ones, so the list is not cut before the likely one.
    ordered = sorted(names, key=lambda n: n.count("."))
    listed = ", ".join(ordered[:12]) + (", ..." if len(ordered) > 12 else "") if ordered else "none"
    hint = did_you_mean(attribute, names)
    if not hint:  # `Url` -> `WebsiteURL`: the name inside a longer one, whatever the case
        inside = [n for n in ordered if attribute.lower() in n.lower()]
        hint = f" (did you mean {inside[0]}?)" if len(attribute) >= 3 and inside else ""
    return f"{rtype} has no attribute {attribute!r}{hint}; it has: {listed}"


@check()
def check_references(ctx: CheckContext) -> None:
    params, resources, conditions, mappings = ctx.parameters, ctx.resources, ctx.conditions, ctx.mappings
    refable = set(params) | set(resources) | PSEUDO_PARAMETERS
    for call in ctx.calls:
        name, args, path = call
        where = (*path, name)
        in_conditions = bool(path) and path[0] in ("Conditions", "Rules")
        if name == "Ref":
            if not isinstance(args, str):
                continue
            if args not in refable and not ctx.macro_skipped:
                hint = did_you_mean(args, [*params, *resources])
                ctx.report("SF3001", where, f"Ref to {args!r}, which is not a parameter, resource or pseudo parameter{hint}")
            elif in_conditions and args in resources:
                ctx.report("SF3008", where, f"Conditions can only Ref parameters, not the resource {args!r}")
        elif name == "Fn::GetAtt":
            _check_get_att(ctx, where, args, in_conditions)
        elif name == "Fn::Sub":
            _check_sub(ctx, where, args, refable)
        elif name == "Fn::FindInMap":
            _check_find_in_map(ctx, where, args, mappings)
        elif name == "Fn::If":
            if isinstance(args, list) and args and isinstance(args[0], str) and args[0] not in conditions:
                hint = did_you_mean(args[0], conditions)
                ctx.report("SF3006", (*where, 0), f"Fn::If uses the condition {args[0]!r}, which is not defined{hint}")
        elif name == "Condition" and isinstance(args, str) and args not in conditions:
            ctx.report("SF3006", where, f"condition {args!r} is not defined{did_you_mean(args, conditions)}")
    for logical_id, res in resources.items():
        _check_depends_on(ctx, logical_id, res.get("DependsOn"))
        cond = res.get("Condition")
        if isinstance(cond, str) and cond not in conditions:
            ctx.report(
                "SF3006", ("Resources", logical_id, "Condition"), f"condition {cond!r} is not defined{did_you_mean(cond, conditions)}"
            )
    for out_name, output in ctx.outputs.items():
        cond = output.get("Condition") if isinstance(output, dict) else None
        if isinstance(cond, str) and cond not in conditions:
            ctx.report("SF3006", ("Outputs", out_name, "Condition"), f"condition {cond!r} is not defined{did_you_mean(cond, conditions)}")


def _check_get_att(ctx: CheckContext, where, args, in_conditions: bool) -> None:
    parts = get_att_parts(args)
    if parts is None or not isinstance(parts[0], str):
        return
    target, attribute = parts
    if target not in ctx.resources:
        if ctx.macro_skipped:
            return
        if target in ctx.parameters:
            ctx.report("SF3002", where, f"Fn::GetAtt on {target!r}, which is a parameter (use Ref)")
        else:
            ctx.report("SF3002", where, f"Fn::GetAtt on {target!r}, which is not a resource{did_you_mean(target, ctx.resources)}")
        return
    if in_conditions:
        ctx.report("SF3008", where, "Fn::GetAtt cannot be used in Conditions")
    if isinstance(attribute, str):
        _report_attribute(ctx, where, target, attribute, "")


def _report_attribute(ctx: CheckContext, where, target: str, attribute: str, prefix: str) -> None:
    problem = attribute_problem(ctx, target, attribute)
    if problem == "property":
        rtype = ctx.resource_type(target)
        ctx.report(
            "SF3003",
            where,
            f"{prefix}{attribute} is a property of {rtype}, not a documented attribute: "
            "Fn::GetAtt returns it only for types that expose all their properties",
            "warning",
        )
    elif problem:
        ctx.report("SF3003", where, prefix + problem)


def _check_sub(ctx: CheckContext, where, args, refable: set[str]) -> None:
    text, local = sub_parts(args)
    if text is None:
        return
    for var in sub_variables(text):
        if var in local or var in refable:
            continue
        head, dot, attribute = var.partition(".")
        if dot and head in ctx.resources:
            _report_attribute(ctx, where, head, attribute, f"${{{var}}}: ")
            continue
        if dot and head in ctx.parameters:
            ctx.report("SF3004", where, f"${{{var}}}: {head!r} is a parameter, which has no attributes")
            continue
        if ctx.macro_skipped:
            continue
        hint = did_you_mean(head, [*ctx.parameters, *ctx.resources, *local])
        ctx.report("SF3004", where, f"${{{var}}} names no parameter, resource or Fn::Sub variable{hint}")


def _check_find_in_map(ctx: CheckContext, where, args, mappings: dict) -> None:
    if not isinstance(args, list) or len(args) < 3:
        return
    map_name, top, second = args[0], args[1], args[2]
    if not isinstance(map_name, str):
        return
    mapping = mappings.get(map_name)
    if mapping is None:
        ctx.report("SF3007", (*where, 0), f"no mapping named {map_name!r}{did_you_mean(map_name, mappings)}")
        return
    if not isinstance(mapping, dict) or len(args) == 4:
        return  # a DefaultValue (AWS::LanguageExtensions) makes a missing key legal
    if isinstance(top, str):
        level = mapping.get(top)
        if level is None:
            ctx.report("SF3007", (*where, 1), f"mapping {map_name!r} has no key {top!r}{did_you_mean(top, mapping)}")
            return
        if isinstance(second, str) and isinstance(level, dict) and second not in level:
            ctx.report("SF3007", (*where, 2), f"mapping {map_name}.{top} has no key {second!r}{did_you_mean(second, level)}")
    elif isinstance(second, str):
        levels = [v for v in mapping.values() if isinstance(v, dict)]
        if levels and len(levels) == len(mapping) and not any(second in lv for lv in levels):
            ctx.report("SF3007", (*where, 2), f"no top-level key of mapping {map_name!r} has the key {second!r}")


def _check_depends_on(ctx: CheckContext, logical_id: str, depends) -> None:
    path = ("Resources", logical_id, "DependsOn")
    items = depends if isinstance(depends, list) else [depends] if depends is not None else []
    for i, name in enumerate(items):
        where = (*path, i) if isinstance(depends, list) else path
        if not isinstance(name, str):
            continue
        if name == logical_id:
            ctx.report("SF3010", where, f"{logical_id} depends on itself")
        elif name not in ctx.resources and not ctx.macro_skipped:
            ctx.report("SF3005", where, f"DependsOn {name!r}, which is not a resource{did_you_mean(name, ctx.resources)}")


@check()
def check_unused(ctx: CheckContext) -> None:
    """SF3020-SF3022: parameters, conditions and mappings nothing refers to (warnings)."""
    if ctx.macro_skipped or any(c.name in ("Fn::ForEach", "Fn::Transform") for c in ctx.calls):
        return  # a macro may use anything: don't guess
    used_refs: set[str] = set()
    used_conditions: set[str] = set()
    used_maps: set[str] = set()
    calls = ctx.calls
    if ctx.original is not ctx.template:
        # judged on the template as written: an expansion may inline parameter values
        calls = CheckContext(ctx.original).calls
    used = {REF: used_refs, RESOURCE: used_refs, CONDITION: used_conditions, MAPPING: used_maps}
    for name, args, _path in calls:
        for what, target in call_targets(name, args):
            found = used.get(what)
            if found is not None:
                found.add(target)
    original = ctx.original
    sections = [s for s in (original.get("Resources"), original.get("Outputs"), ctx.resources) if isinstance(s, dict)]
    for section in sections:
        for entry in section.values():
            if isinstance(entry, dict) and isinstance(entry.get("Condition"), str):
                used_conditions.add(entry["Condition"])
    for name in ctx.parameters:
        if name not in used_refs:
            ctx.report("SF3020", ("Parameters", name), f"parameter {name} is never used")
    for name in ctx.conditions:
        if name not in used_conditions:
            ctx.report("SF3021", ("Conditions", name), f"condition {name} is never used")
    for name in ctx.mappings:
        if name not in used_maps:
            ctx.report("SF3022", ("Mappings", name), f"mapping {name} is never used")
