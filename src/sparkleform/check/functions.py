"""Intrinsic function shapes: argument counts and kinds for every function in the table,
functions used where they are allowed, and conditions written as condition functions.

The shapes, their messages and where each function may be used are rows of the table of
intrinsics (sparkleform/intrinsics.py); this module reports what the table finds."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sparkleform import intrinsics as table
from sparkleform.check.diagnostic import ERROR
from sparkleform.check.graph import find_cycles
from sparkleform.check.intrinsics import FUNCTIONS, RULE_FUNCTIONS, call_of, walk_calls
from sparkleform.check.rules import CFN_DOCS, check, rule
from sparkleform.check.suggest import did_you_mean
from sparkleform.intrinsics import shape_problem

if TYPE_CHECKING:
    from sparkleform.check.context import CheckContext


RULES = (
    rule("SF3011", "conditions", ERROR, "Circular condition definitions", CFN_DOCS + "conditions-section-structure.html"),
    rule("SF4001", "functions", ERROR, "Intrinsic function has the wrong arguments", CFN_DOCS + "intrinsic-function-reference.html"),
    rule("SF4002", "functions", ERROR, "Unknown intrinsic function", CFN_DOCS + "intrinsic-function-reference.html"),
    rule("SF4003", "functions", ERROR, "Intrinsic function not allowed here", CFN_DOCS + "intrinsic-function-reference.html"),
    rule("SF4004", "conditions", ERROR, "Condition definition malformed", CFN_DOCS + "intrinsic-function-reference-conditions.html"),
)


# Where the table places the functions (sparkleform/intrinsics.py)
CONDITION_ONLY = tuple(name for name, row in table.FUNCTIONS.items() if row.placement == table.CONDITIONS_ONLY)
NOT_IN_CONDITIONS = {
    name: row.placement_hint for name, row in table.FUNCTIONS.items() if row.placement == table.NOT_IN_CONDITIONS
}


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
        elif name in NOT_IN_CONDITIONS and section == "Conditions":
            ctx.report("SF4003", where, f"{name} cannot be used in Conditions{NOT_IN_CONDITIONS[name]}")


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
