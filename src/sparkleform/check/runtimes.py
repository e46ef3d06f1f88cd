"""Lambda runtimes past their deprecation dates: an error once AWS blocks creating
functions with the runtime, a warning between deprecation and that date.

The dates are data: cfn-lint's runtime lifecycle table, read as JSON next to the schemas
(never by importing cfn-lint). Without it this rule is silent.
"""

from __future__ import annotations

import datetime
import json
from functools import cache
from typing import TYPE_CHECKING

from sparkleform.check.diagnostic import ERROR
from sparkleform.check.rules import check, rule
from sparkleform.errors import SpecError
from sparkleform.spec.source import cfn_lint_data_dir

if TYPE_CHECKING:
    from sparkleform.check.context import CheckContext


RULES = (
    rule("SF2015", "resources", ERROR, "Lambda runtime deprecated (error once creation is blocked)", "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html"),
)


@cache
def lifecycle() -> dict[str, dict]:
    try:
        path = cfn_lint_data_dir() / "AdditionalSpecs" / "LmbdRuntimeLifecycle.json"
        data = json.loads(path.read_text(encoding="utf-8"))
    except (SpecError, OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _date(text) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        return None


def runtime_problem(runtime: str, today: datetime.date) -> tuple[str, str] | None:
    """(severity, message) for a runtime past a lifecycle date, else None."""
    entry = lifecycle().get(runtime)
    if not isinstance(entry, dict):
        return None
    deprecated, blocked = _date(entry.get("deprecated")), _date(entry.get("create-block"))
    successor = entry.get("successor")
    instead = f"; use {successor}" if isinstance(successor, str) else ""
    if blocked and today >= blocked:
        return "error", f"runtime {runtime} was deprecated on {deprecated}; creating functions with it is blocked since {blocked}{instead}"
    if deprecated and today >= deprecated:
        return "warning", f"runtime {runtime} is deprecated since {deprecated}; creation will be blocked on {blocked}{instead}"
    return None


@check()
def check_runtimes(ctx: CheckContext, today: datetime.date | None = None) -> None:
    today = today or datetime.date.today()
    for logical_id, res in ctx.resources.items():
        props = res.get("Properties")
        if res.get("Type") != "AWS::Lambda::Function" or not isinstance(props, dict):
            continue
        runtime = props.get("Runtime")
        if isinstance(runtime, str):
            found = runtime_problem(runtime, today)
            if found:
                ctx.report("SF2015", ("Resources", logical_id, "Properties", "Runtime"), found[1], found[0])
