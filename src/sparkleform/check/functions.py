"""Intrinsic function shapes: argument counts and kinds for every function in DSL.md,
functions used where they are allowed, and conditions written as condition functions."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from sparkleform.check.diagnostic import ERROR
from sparkleform.check.graph import find_cycles
from sparkleform.check.intrinsics import FUNCTIONS, LANGUAGE_EXTENSIONS, RULE_FUNCTIONS, call_of, walk_calls
from sparkleform.check.rules import CFN_DOCS, check, rule
from sparkleform.check.suggest import did_you_mean

if TYPE_CHECKING:
    from sparkleform.check.context import CheckContext


RULES = (
    rule("SF3011", "conditions", ERROR, "Circular condition definitions", CFN_DOCS + "conditions-section-structure.html"),
    rule("SF4001", "functions", ERROR, "Intrinsic function has the wrong arguments", CFN_DOCS + "intrinsic-function-reference.html"),
    rule("SF4002", "functions", ERROR, "Unknown intrinsic function", CFN_DOCS + "intrinsic-function-reference.html"),
    rule("SF4003", "functions", ERROR, "Intrinsic function not allowed here", CFN_DOCS + "intrinsic-function-reference.html"),
    rule("SF4004", "conditions", ERROR, "Condition definition malformed", CFN_DOCS + "intrinsic-function-reference-conditions.html"),
)


def _is_call(value: Any) -> bool:
    return call_of(value, conditions=True) is not None


def _stringish(value: Any) -> bool:
    return (isinstance(value, (str, int, float)) and not isinstance(value, bool)) or _is_call(value)


# the functions CloudFormation documents as usable inside Fn::ImportValue
IMPORT_VALUE_INNER = ("Fn::Base64", "Fn::FindInMap", "Fn::If", "Fn::Join", "Fn::Select", "Fn::Split", "Fn::Sub", "Ref")
STRING_RESULT = ("Fn::Join", "Fn::Sub", "Fn::Base64")
REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")


def _listish(value: Any) -> bool:
    call = call_of(value)
    if call is not None:
        return call[0] not in STRING_RESULT
    return isinstance(value, list)


def shape_problem(name: str, args: Any, language_extensions: bool = False) -> str | None:
    """What is wrong with the arguments of one call, or None."""
    if name == "Ref" or name == "Condition":
        return None if isinstance(args, str) else f"{name} takes a name (a string)"
    if name == "Fn::GetAtt":
        if isinstance(args, str):
            return None if "." in args.strip(".") else "Fn::GetAtt as a string must be 'Resource.Attribute'"
        if isinstance(args, list) and len(args) == 2 and isinstance(args[0], str) and (isinstance(args[1], str) or _is_call(args[1])):
            return None
        return "Fn::GetAtt takes [LogicalId, AttributeName]"
    if name == "Fn::Join":
        if not (isinstance(args, list) and len(args) == 2 and isinstance(args[0], str) and _listish(args[1])):
            return "Fn::Join takes [delimiter, [values...]]"
        if isinstance(args[1], list):
            for item in args[1]:
                if isinstance(item, (list, dict)) and not _is_call(item):
                    return "Fn::Join values must be strings or functions returning strings"
        return None
    if name == "Fn::Sub":
        if isinstance(args, str):
            return None
        if isinstance(args, list) and len(args) == 2 and isinstance(args[0], str) and isinstance(args[1], dict):
            return None
        return "Fn::Sub takes a string or [string, {Variable: value}]"
    if name == "Fn::Select":
        ok = isinstance(args, list) and len(args) == 2 and _listish(args[1])
        if ok and not _is_call(args[0]):
            try:
                ok = int(args[0]) >= 0 and not isinstance(args[0], (bool, float))
            except (TypeError, ValueError):
                ok = False
        return None if ok else "Fn::Select takes [index, [values...]]"
    if name == "Fn::Split":
        ok = isinstance(args, list) and len(args) == 2 and isinstance(args[0], str) and _stringish(args[1])
        return None if ok else "Fn::Split takes [delimiter, string]"
    if name == "Fn::FindInMap":
        if isinstance(args, list) and len(args) == 3 and all(_stringish(a) for a in args):
            return None
        if (
            isinstance(args, list)
            and len(args) == 4
            and all(_stringish(a) for a in args[:3])
            and isinstance(args[3], dict)
            and "DefaultValue" in args[3]
        ):
            return None if language_extensions else "Fn::FindInMap with a DefaultValue needs Transform: AWS::LanguageExtensions"
        return "Fn::FindInMap takes [MapName, TopLevelKey, SecondLevelKey]"
    if name == "Fn::GetAZs":
        if isinstance(args, str) and args and not REGION.match(args):
            return f"Fn::GetAZs takes a region name or '' (the stack's region), not {args!r}"
        return None if _stringish(args) else "Fn::GetAZs takes a region name"
    if name == "Fn::ImportValue":
        inner = call_of(args)
        if inner is not None and inner[0] not in IMPORT_VALUE_INNER:
            return f"Fn::ImportValue cannot take {inner[0]} (only {', '.join(IMPORT_VALUE_INNER)})"
        return None if _stringish(args) else "Fn::ImportValue takes a string"
    if name == "Fn::Base64":
        return None if _stringish(args) else f"{name} takes a string"
    if name == "Fn::Cidr":
        ok = isinstance(args, list) and len(args) == 3 and all(_stringish(a) for a in args)
        return None if ok else "Fn::Cidr takes [ipBlock, count, cidrBits]"
    if name == "Fn::If":
        ok = isinstance(args, list) and len(args) == 3 and isinstance(args[0], str)
        return None if ok else "Fn::If takes [ConditionName, value if true, value if false]"
    if name == "Fn::Equals":
        return None if isinstance(args, list) and len(args) == 2 else "Fn::Equals takes [value, value]"
    if name in ("Fn::And", "Fn::Or"):
        if not (isinstance(args, list) and 2 <= len(args) <= 10):
            return f"{name} takes a list of 2 to 10 conditions"
        if not all(_is_call(a) for a in args):
            return f"{name} takes conditions (Fn::Equals, Condition, ...), not plain values"
        return None
    if name == "Fn::Not":
        ok = isinstance(args, list) and len(args) == 1 and _is_call(args[0])
        return None if ok else "Fn::Not takes a list of exactly one condition"
    if name in LANGUAGE_EXTENSIONS and not language_extensions:
        return f"{name} needs Transform: AWS::LanguageExtensions"
    if name == "Fn::Length":
        return None if _listish(args) else "Fn::Length takes a list"
    if name == "Fn::ToJsonString":
        return None if isinstance(args, (dict, list)) else "Fn::ToJsonString takes a map or a list"
    if name == "Fn::GetStackOutput":
        if not isinstance(args, dict):
            return "Fn::GetStackOutput takes {StackName, OutputName[, Region, RoleArn]}"
        missing = [k for k in ("StackName", "OutputName") if k not in args]
        extra = [k for k in args if k not in ("StackName", "OutputName", "Region", "RoleArn")]
        if missing or extra:
            what = f"needs {', '.join(missing)}" if missing else f"has no argument {extra[0]}"
            return f"Fn::GetStackOutput {what} (it takes StackName, OutputName, Region, RoleArn)"
        if not all(_stringish(v) for v in args.values()):
            return "Fn::GetStackOutput arguments must be strings"
        return None
    if name in ("Fn::Contains", "Fn::EachMemberEquals", "Fn::EachMemberIn", "Fn::ValueOf", "Fn::ValueOfAll"):
        return None if isinstance(args, list) and len(args) == 2 else f"{name} takes two arguments"
    if name == "Fn::RefAll":
        return None if isinstance(args, str) else "Fn::RefAll takes a parameter type"
    if name == "Fn::Transform":
        items = args if isinstance(args, list) else [args]
        ok = bool(items) and all(isinstance(a, dict) and isinstance(a.get("Name"), str) for a in items)
        return None if ok else "Fn::Transform takes {Name: macro, Parameters: {...}}"
    return None


CONDITION_ONLY = ("Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not")


@check()
def check_functions(ctx: CheckContext) -> None:
    for name, args, path in ctx.calls:
        where = (*path, name)
        if name in RULE_FUNCTIONS:
            if path and path[0] != "Rules":
                ctx.report("SF4003", where, f"{name} can only be used in Rules")
            elif problem := shape_problem(name, args):
                ctx.report("SF4001", where, problem)
            continue
        if name not in FUNCTIONS and name != "Condition":
            if name.count("::") >= 2:
                ctx.report("SF4002", where, f"{name} is not a CloudFormation function: a pre-processor must replace it", "warning")
            else:
                ctx.report("SF4002", where, f"unknown function {name}{did_you_mean(name, FUNCTIONS)}")
            continue
        problem = shape_problem(name, args, ctx.language_extensions)
        if problem:
            ctx.report("SF4001", where, problem)
        section = path[0] if path else None
        if name in CONDITION_ONLY and section in ("Resources", "Outputs"):
            ctx.report("SF4003", where, f"{name} can only be used in Conditions (use Fn::If with a condition here)")
        elif name in ("Fn::ImportValue", "Fn::GetAZs", "Fn::Cidr") and section == "Conditions":
            ctx.report("SF4003", where, f"{name} cannot be used in Conditions")
        elif name == "Fn::If" and section == "Conditions":
            ctx.report("SF4003", where, "Fn::If cannot be used in Conditions (use Fn::And / Fn::Or / Fn::Not)")


@check()
def check_conditions(ctx: CheckContext) -> None:
    graph: dict[str, set[str]] = {}
    for name, body in ctx.conditions.items():
        path = ("Conditions", name)
        if isinstance(name, str) and name.startswith("Fn::ForEach::"):
            continue
        call = call_of(body, conditions=True)
        if call is None or call[0] not in (*CONDITION_ONLY, "Condition"):
            ctx.report("SF4004", path, "a condition must be Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition")
        graph[name] = {
            c.args for c in walk_calls(body, path, conditions=True) if c.name == "Condition" and isinstance(c.args, str)
        }
    for cycle in find_cycles(graph):
        ctx.report("SF3011", ("Conditions", cycle[0]), "circular condition: " + " -> ".join(cycle))
