"""Preparing an operation before it touches the state: expand and check the template,
resolve parameters, check rules and imports, and build the `Run` it will work on.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from sparkleform import secrets
from sparkleform.contract import StackOptions
from sparkleform.engine import prepare, refusals
from sparkleform.engine.context import OpContext
from sparkleform.engine.errors import ResourceFailure, TemplateFormatError, ValidationError
from sparkleform.engine.graph import dependencies, order
from sparkleform.engine.intrinsics import Evaluator, partition_of, url_suffix
from sparkleform.engine.model import ResourceRow, Run
from sparkleform.engine.params import no_echo_names, resolve_parameters
from sparkleform.engine.resolver import RunResolver
from sparkleform.engine.rules import check_rules
from sparkleform.engine.service_rules import check_template_limits
from sparkleform.engine.store import dumps
from sparkleform.errors import SparkleformError


def pseudo_parameters(cx: OpContext, name: str, stack_id: str, options: StackOptions) -> dict[str, Any]:
    region = cx.region
    return {
        "AWS::AccountId": cx.account_id,
        "AWS::Region": region,
        "AWS::StackName": name,
        "AWS::StackId": stack_id,
        "AWS::Partition": partition_of(region),
        "AWS::URLSuffix": url_suffix(region),
        "AWS::NotificationARNs": list(options.notification_arns or []),
    }


def prepare_run(
    cx: OpContext,
    name: str,
    stack_id: str,
    original: dict,
    parameters: dict[str, Any],
    options: StackOptions,
    previous: dict[str, str] | None = None,
    *,
    planning: bool = False,
) -> Run:
    """The checked run of a submitted template and parameters (`previous`: the stack's
    current parameter values, for UsePreviousValue); every problem is a ValidationError or
    TemplateFormatError raised before any state changes. `planning`: for a plan, which AWS
    makes even when an imported export does not exist yet (the execution fails)."""
    try:
        return _prepare_checked(cx, name, stack_id, original, parameters, options, previous, planning)
    except SparkleformError:
        raise
    except ResourceFailure as exc:
        raise ValidationError(exc.reason) from None
    except Exception as exc:  # a template shape no check caught: refuse it before any state changes
        raise TemplateFormatError(f"Template format error: {type(exc).__name__}: {exc}") from None


def evaluate_over(cx: OpContext, run: Run, resources: dict[str, ResourceRow], *, planning: bool = False) -> Run:
    """A run of `run`'s template and values over `resources` (what the stack has now), with
    its own evaluator: for evaluating what an update would do without changing anything."""
    probe = run.probe(resources)
    probe.evaluator = Evaluator(
        run.template, run.values, run.evaluator.pseudo, RunResolver(cx.store, probe, planning=planning), region=cx.region
    )
    return probe


def _prepare_checked(
    cx: OpContext,
    name: str,
    stack_id: str,
    original: dict,
    parameters: dict[str, Any],
    options: StackOptions,
    previous: dict[str, str] | None,
    planning: bool = False,
) -> Run:
    if not isinstance(original, dict):
        raise TemplateFormatError("Template format error: the template must be a JSON or YAML object")
    encoded = dumps(original)  # measured here for the 1 MB limit, and stored as it is
    check_template_limits(original, len(encoded) if encoded.isascii() else len(encoded.encode("utf-8")))
    region = cx.region
    given = {k: v for k, v in (parameters or {}).items()}
    template = prepare.expand(original, region=region, account_id=cx.account_id, parameters=given)
    prepare.check_structure(template)
    refusals.check_shape(template)
    _check_unicode(template)
    prepare.check_capabilities(template, options.capabilities, original)
    values, raw = resolve_parameters(
        template.get("Parameters") or {}, given, previous=previous, ssm_lookup=cx.store.ssm_lookup
    )
    pseudo = pseudo_parameters(cx, name, stack_id, options)
    check_rules(template, values, pseudo, region)
    static_functions: set[str] = set()
    late: list[str] = []
    refers: dict[str, set[str]] = {}
    uses_imports = prepare.check_references(template, static_functions, late, refers)
    no_echo = no_echo_names(template.get("Parameters") or {})
    secrets.register(raw[n] for n in no_echo if raw.get(n))
    run = Run(stack_id, name, template, values, raw, no_echo, options, cx.sim_context(name, stack_id))
    ev = Evaluator(template, values, pseudo, RunResolver(cx.store, run), region=region)
    run.evaluator = ev
    run.late_errors = late
    ev.all_conditions()
    template = run.template = _resolve_policies(template, ev)
    resources = template["Resources"]
    active = {lid for lid, res in resources.items() if res.get("Condition") is None or ev.condition(res["Condition"])}
    deps = dependencies(resources, active, refers)
    run.active = order(deps)
    run.deps = deps
    if static_functions or len(active) < len(resources):
        refusals.check_request(template, active, ev.condition, _static_evaluator(cx, run))
    if uses_imports and not planning:
        _check_imports(cx, run)
    run.submitted_json = encoded
    return run


POLICIES = ("DeletionPolicy", "UpdateReplacePolicy")
POLICY_VALUES = ("Delete", "Retain", "Snapshot", "RetainExceptOnCreate")


def _resolve_policies(template: dict, ev: Evaluator) -> dict:
    """The template with intrinsic DeletionPolicy / UpdateReplacePolicy values (`!If [IsProd,
    Retain, Delete]`, `!Ref PolicyType`) resolved, as CloudFormation resolves them; the
    submitted template is not changed."""
    resources = template["Resources"]
    resolved: dict[str, dict] = {}
    for logical, decl in resources.items():
        for key in POLICIES:
            value = decl.get(key)
            if isinstance(value, dict):
                value = ev.resolve(value)
                if value not in POLICY_VALUES:
                    raise ValidationError(
                        f"Invalid {key} {value!r} for resource {logical}: it must be one of {', '.join(POLICY_VALUES)}"
                    )
                resolved.setdefault(logical, dict(decl))[key] = value
    if not resolved:
        return template
    return {**template, "Resources": {**resources, **resolved}}


def _static_evaluator(cx: OpContext, run: Run) -> Callable[[Any], Any]:
    """Evaluates a node with every resource attribute unknown (for checks before creating);
    its evaluator is made on first use."""
    made: list[Evaluator] = []

    def evaluate(node: Any) -> Any:
        if not made:
            made.append(evaluate_over(cx, run, {}, planning=True).evaluator)
        return made[0].resolve(node)

    return evaluate


def _check_unicode(template: dict) -> None:
    """The names and the description the state keeps as text must be valid Unicode (a lone
    surrogate, e.g. from a JSON escape, cannot be written); values are kept as JSON escapes."""
    texts: list[Any] = [template.get("Description")]
    for section in ("Parameters", "Resources", "Outputs", "Conditions", "Mappings"):
        part = template.get(section)
        if isinstance(part, dict):
            texts.extend(part)
    for text in texts:
        if isinstance(text, str) and not text.isascii():
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                shown = text.encode("utf-8", "backslashreplace").decode("utf-8")
                raise TemplateFormatError(
                    f"Template format error: {shown!r} is not valid Unicode (it holds a lone surrogate)"
                ) from None


def _check_imports(cx: OpContext, run: Run) -> None:
    """The exports the run imports (recorded for the importer when the operation starts)."""
    names: set[str] = set()
    evaluator = run.evaluator

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if len(node) == 1 and "Fn::If" in node:
                args = node["Fn::If"]
                if isinstance(args, list) and len(args) == 3 and isinstance(args[0], str):
                    with contextlib.suppress(SparkleformError):
                        walk(args[1] if evaluator.condition(args[0]) else args[2])
                    return
            if len(node) == 1 and "Fn::ImportValue" in node:
                with contextlib.suppress(SparkleformError):
                    value = Evaluator(run.template, run.values, evaluator.pseudo, None).resolve(node["Fn::ImportValue"])
                    if isinstance(value, str):
                        names.add(value)
                return
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    resources = run.template["Resources"]
    walk([resources[lid] for lid in run.active])
    for out in (run.template.get("Outputs") or {}).values():
        cond = out.get("Condition") if isinstance(out, dict) else None
        if cond is None or evaluator.condition(cond):
            walk(out)
    # An export that does not exist is not refused here: AWS creates the change set and its
    # execution fails (the resource, through the resolver) and rolls back (LocalStack's
    # test_change_set_exports_imports.snapshot.json, ..._import_non_existent_export).
    run.imports = {name for name in names if cx.store.export_value(name) is not None}
