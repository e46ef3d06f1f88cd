"""Nested stacks whose TemplateURL is a local file (as `aws cloudformation package` takes
it) or a nested template compiled alongside (`validate NAME` of a DSL template): the Parameters given must be ones the child template declares, and every child
parameter without a Default must be given. Each Fn::If branch is checked on its own."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from sparkleform.cfn import NESTED_STACK_TYPE
from sparkleform.check.diagnostic import ERROR
from sparkleform.check.intrinsics import call_of, is_no_value
from sparkleform.check.rules import CFN_DOCS, check, rule
from sparkleform.check.suggest import did_you_mean
from sparkleform.errors import SparkleformError
from sparkleform.formats import load_document

if TYPE_CHECKING:
    from sparkleform.check.context import CheckContext


RULES = (
    rule("SF2011", "resources", ERROR, "Nested stack Parameters do not match the local child template", CFN_DOCS + "aws-resource-cloudformation-stack.html"),
)

REMOTE = ("http://", "https://", "s3://")


def _child_parameters(parent_file: str, url: str, cache: dict) -> dict | None:
    path = os.path.normpath(os.path.join(os.path.dirname(parent_file), url))
    if path not in cache:
        cache[path] = None
        if os.path.isfile(path):
            try:
                child = load_document(path)
            except SparkleformError:
                child = None  # the child's own problems are reported when it is validated
            if isinstance(child, dict):
                params = child.get("Parameters")
                cache[path] = params if isinstance(params, dict) else {}
    return cache[path]


def _branches(value: Any, path: tuple):
    """Each literal value an Fn::If tree can produce, with its path."""
    stack = [(value, path)]
    while stack:
        node, where = stack.pop()
        call = call_of(node)
        if call and call[0] == "Fn::If" and isinstance(call[1], list) and len(call[1]) == 3:
            for i in (2, 1):
                if not is_no_value(call[1][i]):
                    stack.append((call[1][i], (*where, "Fn::If", i)))
        elif call is None:
            yield node, where


def _compiled_parameters(ctx: CheckContext, url: str) -> dict | None:
    child = ctx.nested.get(url)
    if not isinstance(child, dict):
        return None
    params = child.get("Parameters")
    return params if isinstance(params, dict) else {}


@check()
def check_nested_stacks(ctx: CheckContext) -> None:
    on_disk = bool(ctx.filename and os.path.isfile(ctx.filename))
    if not on_disk and not ctx.nested:
        return
    cache: dict = {}
    for logical_id, res in ctx.resources.items():
        if res.get("Type") != NESTED_STACK_TYPE:
            continue
        props = res.get("Properties")
        if not isinstance(props, dict):
            continue
        url = props.get("TemplateURL")
        if not isinstance(url, str) or url.startswith(REMOTE) or not url:
            continue
        declared = _compiled_parameters(ctx, url)
        if declared is None and on_disk and ctx.filename:
            declared = _child_parameters(ctx.filename, url, cache)
        if declared is None:
            continue
        required = [n for n, p in declared.items() if isinstance(p, dict) and "Default" not in p]
        base = ("Resources", logical_id, "Properties", "Parameters")
        given = props.get("Parameters", {})
        for branch, where in _branches(given, base):
            if not isinstance(branch, dict):
                continue
            for key in branch:
                if key not in declared:
                    hint = did_you_mean(str(key), declared)
                    ctx.report("SF2011", (*where, key), f"nested template {url} has no parameter {key}{hint}")
            missing = [n for n in required if n not in branch]
            if missing:
                ctx.report("SF2011", where, f"nested template {url} needs the parameter(s) {', '.join(missing)} (they have no Default)")
