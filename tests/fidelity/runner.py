"""Run one fidelity case against the local engine (through the LocalProvider) and put what
happened in the shape its recorded AWS expectations have, check by check.

A case's checks: `plan-N` (each resource's plan entry at step N: Action, and for a Modify
Replacement, Scope and Details), `status-N` (the stack's status after step N), `outputs-N`,
`events` (each resource's status sequence over the whole case, repeats folded), `initiated`
(the resources whose creation has a second CREATE_IN_PROGRESS, "Resource creation
Initiated"), `properties` (each resource's resolved properties at the end); for a request
AWS refuses, `refused-N` (refused up front, nothing created) and `message-N` (its text);
for deployment cases also `resources-N` (each resource's status after step N), `plan-status-N`
(a FAILED change set's status and reason), `complete-order` (the order resources finish in)
and `stack-reasons` (the stack's event reasons). Steps: create, update, delete, `plan-…` (a
change set made and not executed), `call` (a CloudFormation API call replayed through the
provider contract).
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path
from typing import Any

from sparkleform.errors import SparkleformError
from sparkleform.providers.local import LocalProvider

CASES = Path(__file__).parent / "cases"
STACK = "fidelity"


def load_cases() -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text()) for p in sorted(CASES.glob("*.json"))}


def checks_of(name: str, case: dict) -> list[tuple[str, str, str | None]]:
    """(check id, kind, resource) for every expectation of a case."""
    out = []
    for kind, value in sorted(case["expect"].items()):
        if kind in ("events", "properties") or (kind.startswith(("plan-", "resources-")) and not kind.startswith("plan-status")):
            out += [(f"{name}:{kind}:{lid}", kind, lid) for lid in sorted(value)]
        elif kind == "outputs-1" or kind == "outputs-2":
            out += [(f"{name}:{kind}:{key}", kind, key) for key in sorted(value)]
        else:
            out.append((f"{name}:{kind}", kind, None))
    return out


def expected(case: dict, kind: str, key: str | None) -> Any:
    value = case["expect"][kind]
    return value[key] if key is not None else value


def plan_entry(change: Any) -> dict:
    entry: dict[str, Any] = {"Action": change.action}
    if change.action != "Modify":
        return entry
    entry["Replacement"] = change.replacement
    scope, details = set(), set()
    for d in change.details:
        if "property" in d:
            if d["property"] == "TemplateURL" and d.get("reason"):
                continue
            scope.add("Properties")
            details.add(("Properties", d["property"], d.get("requires_recreation", "Never")))
            if d["property"] == "Tags":
                scope.add("Tags")
        elif "attribute" in d:
            scope.add(d["attribute"])
            details.add((d["attribute"], "", "Never"))
    entry["Scope"] = sorted(scope)
    entry["Details"] = [list(t) for t in sorted(details)]
    return entry


def fold(statuses: list[str]) -> list[str]:
    return [s for i, s in enumerate(statuses) if i == 0 or statuses[i - 1] != s]


def stringly(value: Any) -> Any:
    """Property values as CloudFormation's events show them (scalars as strings)."""
    if isinstance(value, dict):
        return {k: stringly(v) for k, v in value.items()}
    if isinstance(value, list):
        return [stringly(v) for v in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return value


PLACEHOLDER = re.compile(r"<[a-z][a-z0-9-]*>")
PLACEHOLDER_ANY = re.compile(r"(<[a-z][a-z0-9-]*(?::\d+)?>)")
ACCOUNT_PLACEHOLDERS = {"<partition>", "<region>"}


def stand_ins(case: dict) -> dict[str, str]:
    """A concrete value for each name placeholder a case's inputs carry (`<topic-name>`, the
    snapshot's stand-in for a name the test generated): lower-case letters, valid as any
    service's name; outputs are written back with the placeholder before comparing."""
    found = set(PLACEHOLDER.findall(json.dumps([case["steps"], case.get("ssm") or [], case.get("stack")]))) - ACCOUNT_PLACEHOLDERS
    return {p: "ph" + re.sub(r"[^a-z0-9]", "", p) for p in sorted(found)}


def with_stand_ins(value: Any, names: dict[str, str]) -> Any:
    if not names:
        return value
    text = json.dumps(value)
    for placeholder, concrete in names.items():
        text = text.replace(placeholder, concrete)
    return json.loads(text)


def call(provider: LocalProvider, api: str, args: dict) -> Any:
    """One CloudFormation API call of a case, made through the provider contract."""
    name = args.get("StackName", "")
    if api == "describe_stacks":
        return provider.describe_stack(name)
    if api == "describe_stack_events":
        return provider.events(name)
    if api == "delete_stack":
        return provider.delete_stack(name)
    if api == "get_template":
        return provider.template_of(name)
    if api == "update_stack":
        template = None if args.get("UsePreviousTemplate") else args.get("TemplateBody")
        params = {p["ParameterKey"]: p.get("ParameterValue") for p in args.get("Parameters") or []}
        return provider.update_stack(name, template, params)
    return None  # a call the local provider has no counterpart of: the case compares nothing of it


def run_case(case: dict) -> dict[str, Any]:
    """What the local engine does with the case's steps, keyed like the case's expectations."""
    names = stand_ins(case)
    stack_name = with_stand_ins(case.get("stack") or STACK, names)
    if names:
        case = dict(case, steps=with_stand_ins(case["steps"], names), ssm=with_stand_ins(case.get("ssm") or [], names))
    actual: dict[str, Any] = {"stand-ins": names}
    with tempfile.TemporaryDirectory() as tmp:
        provider = LocalProvider(state=Path(tmp) / "state.db")
        try:
            for item in case.get("ssm") or []:
                provider.put_parameter(item["Name"], str(item["Value"]), item.get("Type", "String"))
            stack_id = None
            for n, step in enumerate(case["steps"], start=1):
                if step["op"] == "delete":
                    try:
                        provider.delete_stack(step.get("stack", stack_name))
                    except SparkleformError as e:
                        actual[f"error-{n}"] = str(e)
                    continue
                if step["op"] == "call":
                    args = json.loads(json.dumps(step["args"]).replace("{{stack-id}}", stack_id or stack_name).replace('"' + STACK + '"', '"' + stack_name + '"'))
                    try:
                        call(provider, step["api"], args)
                    except SparkleformError as e:
                        actual[f"message-{n}"] = getattr(e, "message", None) or str(e)
                    continue
                target = step.get("stack", stack_name).replace("{{stack-id}}", stack_id or stack_name)
                try:
                    plan = provider.plan(target, step["template"], step["parameters"])
                    actual[f"plan-{n}"] = {c.logical_id: plan_entry(c) for c in plan.changes}
                    actual[f"plan-status-{n}"] = [plan.status, plan.reason]
                    if step["op"].startswith("plan-"):
                        actual[f"refused-{n}"] = False
                        continue
                    if step["op"] == "create":
                        stack = provider.create_stack(target, step["template"], step["parameters"])
                    else:
                        stack = provider.update_stack(target, step["template"], step["parameters"])
                except SparkleformError as e:
                    actual[f"error-{n}"] = actual[f"message-{n}"] = getattr(e, "message", None) or str(e)
                    stack = provider.describe_stack(target) if provider.stack_exists(target) else None
                    # refused up front: nothing was created (not a stack rolled back)
                    actual[f"refused-{n}"] = stack is None or (step["op"] == "update" and stack.status.endswith("COMPLETE") and "ROLLBACK" not in stack.status)
                else:
                    actual[f"refused-{n}"] = False
                if stack is not None:
                    if stack_id is None or step.get("stack") in (None, "{{stack-id}}"):
                        stack_id = stack.stack_id  # the case's (first) stack: events and resources are its
                    actual[f"status-{n}"] = stack.status
                    actual[f"outputs-{n}"] = stack.output_map()
                    rows = provider.engine.store.resources(stack.stack_id)
                    actual[f"resources-{n}"] = {lid: r.status for lid, r in rows.items()}
            events: dict[str, list[str]] = {}
            initiated = set()
            order = []
            for e in provider.engine.events(stack_id) if stack_id else []:
                if e.logical_id != stack_name and e.status.endswith("_COMPLETE"):
                    order.append(f"{e.logical_id} {e.status}")
                if e.status == "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS":
                    continue  # the recordings leave it out
                lid = "(stack)" if e.logical_id == stack_name else e.logical_id
                if lid == "(stack)" and e.reason and e.reason != "User Initiated":
                    actual.setdefault("stack-reasons", []).append(e.reason)
                events.setdefault(lid, []).append(e.status)
                if e.status == "CREATE_IN_PROGRESS" and e.reason == "Resource creation Initiated":
                    initiated.add(lid)
            actual["events"] = {k: fold(v) for k, v in events.items()}
            actual["complete-order"] = order
            actual["initiated"] = sorted(initiated)
            rows = provider.engine.store.resources(stack_id) if stack_id else {}
            actual["properties"] = {lid: stringly(r.properties) for lid, r in rows.items()}
        finally:
            provider.close()
    return actual


def as_recorded(value: Any, region: str = "us-east-1", account: str = "123456789012") -> Any:
    """A value written as LocalStack's snapshots write AWS's: the partition, region and account
    by their placeholders."""
    if not isinstance(value, str):
        return value
    return value.replace("arn:aws:", "arn:<partition>:").replace(region, "<region>").replace(account, "111111111111")


def compare(case: dict, actual: dict, kind: str, key: str | None) -> tuple[bool, Any, Any]:
    """(match, expected, actual) for one check."""
    want = expected(case, kind, key)
    if kind.startswith("message-") and isinstance(want, str) and PLACEHOLDER_ANY.search(want):
        # a placeholder stands for a name or id AWS generated: any such word matches it
        got = actual.get(kind)
        pattern = "".join(
            r"[^\s\]\[,]+" if PLACEHOLDER_ANY.fullmatch(part) else re.escape(part)
            for part in PLACEHOLDER_ANY.split(want)
        )
        return isinstance(got, str) and re.fullmatch(pattern, got) is not None, want, got
    if kind.startswith("outputs-") and isinstance(want, str) and ("<" in want or "111111111111" in want):
        got = as_recorded((actual.get(kind) or {}).get(key))
        for placeholder, concrete in actual.get("stand-ins", {}).items():
            got = got.replace(concrete, placeholder) if isinstance(got, str) else got
        return got == want, want, got
    if kind == "initiated":
        got = actual.get(kind, [])
        return set(want) <= set(got), want, got
    section = actual.get(kind)
    if key is None:
        return section == want, want, section
    got = (section or {}).get(key)
    if kind == "properties" and isinstance(got, dict):
        got = {k: v for k, v in got.items() if k in want}
    return got == want, want, got
