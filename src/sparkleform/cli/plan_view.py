"""How a plan is shown: one line per resource (+ add, ~ modify, - remove), under each modified
resource its property paths with before → after, a replacement in red with its cause, then
the data a replacement or removal destroys and the IAM / security-group changes (stacks.diff).
Colours only when asked (`--no-color` and NO_COLOR leave plain text)."""

from __future__ import annotations

import json
from typing import IO, Any

import click

from sparkleform.contract import Plan
from sparkleform.stacks.diff import PlanReview, review

_SIGN = {"Add": ("+", "green"), "Modify": ("~", "yellow"), "Remove": ("-", "red")}
_WIDTH = 60


def _value(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= _WIDTH else text[: _WIDTH - 1] + "…"


def plan_lines(plan: Plan, *, color: bool) -> list[str]:
    """The plan as lines (with ANSI styles when `color`)."""

    def style(text: str, **kw: Any) -> str:
        return click.style(text, **kw) if color else text

    if plan.empty:
        return [plan.reason or f"no resource changes for {plan.stack_name}"]
    rev: PlanReview = review(plan, plan.before, plan.after)
    counts = {a: sum(c.action == a for c in plan.changes) for a in ("Add", "Modify", "Remove")}
    replaced = sum(c.replacement == "True" for c in plan.changes)
    summary = ", ".join(
        f"{n} to {a.lower()}" + (f" ({replaced} replaced)" if a == "Modify" and replaced else "")
        for a, n in counts.items() if n
    )
    lines = [style(f"plan for {plan.stack_name}: {summary}", bold=True)]
    id_width = max(len(c.logical_id) for c in plan.changes)
    for c in plan.changes:
        sign, colour = _SIGN.get(c.action, ("?", "white"))
        head = f"{style(sign + ' ' + c.action.ljust(6), fg=colour)}  {c.logical_id.ljust(id_width)}  {c.resource_type}"
        if c.replacement == "True":
            cause = f" (caused by {', '.join(c.causes)})" if c.causes else ""
            head += "  " + style(f"Replacement: True{cause}", fg="red", bold=True)
        elif c.replacement == "Conditional":
            cause = f" (caused by {', '.join(c.causes)})" if c.causes else ""
            head += "  " + style(f"Replacement: Conditional{cause}", fg="yellow")
        lines.append(head)
        for p in rev.properties.get(c.logical_id, []):
            if p.added:
                text = f"{p.path}: (added) {_value(p.after)}"
            elif p.removed:
                text = f"{p.path}: {_value(p.before)} (removed)"
            else:
                text = f"{p.path}: {_value(p.before)} → {_value(p.after)}"
            lines.append("      " + (style(text + "  [replaces]", fg="red") if p.replaces else text))
    if rev.data_loss:
        lines += ["", style("Data", bold=True)]
        for d in rev.data_loss:
            lines.append("  " + style("! " + d.describe(), fg="red" if d.destroys else "yellow"))
    for section, title in (("iam", "IAM statement changes"), ("network", "Security group changes")):
        items = [s for s in rev.security if s.section == section]
        if not items:
            continue
        lines += ["", style(title, bold=True)]
        for s in items:
            text = f"{s.sign} {s.logical_id}  {s.text}" + ("  (broad)" if s.risky and section == "iam" else "")
            colour = "red" if s.risky else ("green" if s.sign == "+" else "yellow")
            lines.append("  " + style(text, fg=colour))
    return lines


def show_plan_view(plan: Plan, *, stream: IO[str], color: bool) -> None:
    for line in plan_lines(plan, color=color):
        click.echo(line, file=stream)  # click strips styles when the stream is no terminal
