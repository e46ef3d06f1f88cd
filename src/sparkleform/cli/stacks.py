"""The stack verbs: create, plan, update, execute, destroy, events, outputs, list-stacks,
recover, and the stack-group verbs up / down.

Each verb gathers its inputs (template, parameters, --apply-stack outputs, options) through
sparkleform.stacks, calls the Provider protocol, shows progress with cli.display, and maps
the outcome to an exit code: 0 done, 1 the operation failed, 2 bad input.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from sparkleform.cfn import ON_FAILURE_ACTIONS
from sparkleform.cli.context import Settings, get_settings
from sparkleform.errors import OperationFailed, ParameterError, SparkleformError
from sparkleform.providers.base import Plan, Provider, Stack, StackOptions

NO_UPDATES = "No updates are to be performed."


# --------------------------------------------------------------------------- providers
class ProviderPool:
    """The command's provider plus any others `--apply-stack PROVIDER[:REGION]:NAME` needs."""

    def __init__(self, settings: Settings, *, bucket: str | None = None, prefix: str | None = None) -> None:
        self.settings = settings
        self.bucket = bucket
        self.prefix = prefix
        self._cache: dict[tuple[str, str | None], Provider] = {}

    def get(self, name: str | None = None, region: str | None = None) -> Provider:
        from sparkleform.providers import get_provider

        s = self.settings
        name = name or s.provider_name()
        region = region or s.region_name()
        key = (name, region)
        if key not in self._cache:
            if name == "local":
                options: dict[str, Any] = {"state": s.state_path()}
                if region:
                    options["region"] = region
            else:
                cfg = s.config
                options = {
                    "region": region,
                    "profile": s.profile,
                    "endpoint_url": s.endpoint_url,
                    "bucket": self.bucket or cfg.bucket,
                    "prefix": self.prefix if self.prefix is not None else cfg.prefix,
                }
            self._cache[key] = get_provider(name, **options)
        return self._cache[key]

    @property
    def main(self) -> Provider:
        return self.get()


def _in_process(provider: Provider) -> bool:
    return getattr(provider, "name", "") == "local"


def _status_stream(settings: Settings):
    """Where progress goes: stdout, or stderr when stdout carries JSON."""
    return sys.stderr if settings.json else sys.stdout


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, default=str))


# --------------------------------------------------------------------------- options
def _split_multi(values: tuple[str, ...]) -> list[str]:
    """Repeatable options that also accept comma/space separated lists (capabilities)."""
    out: list[str] = []
    for v in values:
        out.extend(p for p in v.replace(",", " ").split() if p)
    return out


def stack_input_options(func):
    """Options shared by create / plan / update (template, parameters, stack options)."""
    decorators = [
        click.option("-p", "--parameter", "parameters", multiple=True, metavar="KEY=VALUE",
                     help="A stack parameter value (repeatable)."),
        click.option("--parameters-file", type=click.Path(dir_okay=False),
                     help="JSON/YAML: {Key: Value} or [{ParameterKey, ParameterValue}]."),
        click.option("--apply-stack", "apply_stacks", multiple=True, metavar="[PROVIDER:[REGION:]]STACK",
                     help="Fill parameters from this stack's outputs of the same name (repeatable)."),
        click.option("--apply-mapping", "apply_mappings", multiple=True, metavar="[STACK__]OUTPUT:PARAM",
                     help="Fill PARAM from an applied stack's output OUTPUT (repeatable)."),
        click.option("--set", "set_values", multiple=True, metavar="KEY=VALUE",
                     help="A compile-time parameter of a DSL template (repeatable)."),
        click.option("--tags", "tags", multiple=True, metavar="KEY=VALUE", help="A stack tag (repeatable)."),
        click.option("--notification-arn", "notification_arns", multiple=True, help="SNS topic for stack events."),
        click.option("--role-arn", help="IAM role CloudFormation assumes for the operation."),
        click.option("--timeout", "timeout_minutes", type=click.IntRange(min=1), metavar="MIN",
                     help="Fail the create after this many minutes."),
        click.option("--on-failure", type=click.Choice(ON_FAILURE_ACTIONS),
                     help="What a failed create does (default ROLLBACK)."),
        click.option("--no-rollback", is_flag=True, help="Keep the failed resources instead of rolling back."),
        click.option("--termination-protection/--no-termination-protection", default=None,
                     help="Refuse deletes of this stack (or turn that off again on update)."),
        click.option("--stack-policy", type=click.Path(dir_okay=False), help="A stack policy JSON file."),
        click.option("--capabilities", "capabilities", multiple=True,
                     help="CAPABILITY_IAM / CAPABILITY_NAMED_IAM / CAPABILITY_AUTO_EXPAND (default: detected)."),
        click.option("--bucket", help="S3 bucket for large and nested templates (aws)."),
        click.option("--prefix", help="Key prefix in that bucket (aws)."),
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


@dataclass
class StackInputs:
    parameters: tuple[str, ...] = ()
    parameters_file: str | None = None
    apply_stacks: tuple[str, ...] = ()
    apply_mappings: tuple[str, ...] = ()
    set_values: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    notification_arns: tuple[str, ...] = ()
    role_arn: str | None = None
    timeout_minutes: int | None = None
    on_failure: str | None = None
    no_rollback: bool = False
    termination_protection: bool | None = None
    stack_policy: str | None = None
    capabilities: tuple[str, ...] = ()
    bucket: str | None = None
    prefix: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_kwargs(cls, kwargs: dict[str, Any]) -> StackInputs:
        names = set(cls.__dataclass_fields__) - {"extra"}
        known = {k: v for k, v in kwargs.items() if k in names}
        return cls(**known, extra={k: v for k, v in kwargs.items() if k not in names})


@dataclass
class Prepared:
    template: dict | None  # None on update: keep the stack's template
    declared_from: dict  # the template whose Parameters are resolved
    parameters: dict[str, str]
    options: StackOptions
    origins: dict[str, str]
    use_previous: set[str]


def _config_path(settings: Settings, value: str) -> str:
    """A path written in sparkleform.toml is relative to that file's folder."""
    p = Path(value)
    if p.is_absolute():
        return value
    return str(settings.config.root / p)


def _template_target(settings: Settings, target: str) -> str:
    """A config-given template that is a file relative to the config's folder, else as is."""
    root_candidate = settings.config.root / target
    if not Path(target).exists() and root_candidate.exists():
        return str(root_candidate)
    return target


def prepare(
    settings: Settings,
    pool: ProviderPool,
    stack_name: str,
    template_arg: str | None,
    inputs: StackInputs,
    *,
    existing: Stack | None,
    interactive: bool | None = None,
) -> Prepared:
    """Everything a create/plan/update sends: template, resolved parameters, options."""
    from sparkleform.stacks.apply import read_applied_stacks
    from sparkleform.stacks.keyvalues import load_parameters_file, parse_mapping, parse_pairs
    from sparkleform.stacks.parameters import (
        ParameterInputs,
        default_text,
        previous_from_stack,
        resolve_parameters,
    )
    from sparkleform.stacks.prompting import fill_missing
    from sparkleform.stacks.templates import load_stack_policy, load_stack_template

    cfg = settings.config.stacks.get(stack_name)
    if inputs.no_rollback and inputs.on_failure:
        raise ParameterError("--no-rollback and --on-failure cannot be used together (AWS refuses both)")

    overrides = {k: str(v) for k, v in (cfg.compile_parameters if cfg else {}).items()}
    overrides.update(parse_pairs(inputs.set_values, "--set"))
    target = template_arg
    if target is None and cfg is not None and existing is None:
        target = _template_target(settings, cfg.template)
    provider = pool.main
    nested: dict[str, dict] = {}
    template: dict | None = None
    if target is not None:
        loaded = load_stack_template(target, config=settings.config, overrides=overrides)
        template, nested = loaded.template, loaded.nested_templates
        declared_from = template
    elif existing is not None:
        declared_from = provider.template_of(stack_name)
    else:
        raise ParameterError(
            f"no template for stack {stack_name}: give TEMPLATE, or define [stacks.{stack_name}] in sparkleform.toml"
        )

    param_inputs = ParameterInputs(explicit=parse_pairs(inputs.parameters, "-p"))
    if inputs.parameters_file:
        param_inputs.file_values, param_inputs.file_use_previous = load_parameters_file(inputs.parameters_file)
    if cfg is not None:
        config_values: dict[str, str] = {}
        if cfg.parameters_file:
            config_values, _ = load_parameters_file(_config_path(settings, cfg.parameters_file))
        config_values.update(cfg.parameters)
        param_inputs.config_values = config_values
    applied_refs = list(cfg.apply_stacks if cfg else [])
    applied_refs += [s for s in inputs.apply_stacks if s not in applied_refs]
    if applied_refs:
        param_inputs.applied = read_applied_stacks(applied_refs, pool.get)
    mappings = [parse_mapping(f"{out}:{param}") for out, param in (cfg.apply_mappings if cfg else {}).items()]
    mappings += [parse_mapping(m) for m in inputs.apply_mappings]
    param_inputs.mappings = mappings
    if existing is not None:
        old_template = declared_from if template is None else provider.template_of(stack_name)
        param_inputs.previous = previous_from_stack(existing.parameters, old_template)

    resolution = resolve_parameters(declared_from, param_inputs)
    fill_missing(declared_from, resolution, interactive=interactive, stack=stack_name)

    tags = dict(cfg.tags if cfg else {})
    tags.update(parse_pairs(inputs.tags, "--tags"))
    options = StackOptions(
        tags=tags,
        disable_rollback=inputs.no_rollback,
        termination_protection=inputs.termination_protection,
        capabilities=_split_multi(inputs.capabilities) or None,
        notification_arns=list(inputs.notification_arns),
        role_arn=inputs.role_arn,
        timeout_minutes=inputs.timeout_minutes,
        on_failure=inputs.on_failure,
        stack_policy=load_stack_policy(inputs.stack_policy) if inputs.stack_policy else None,
        nested_templates=nested,
    )
    # NoEcho values the stack keeps (resolution.use_previous) are masked by describe, so
    # only the provider knows them: they are left out, and the provider falls back to the
    # stored value (the protocol has no UsePreviousValue marker; sending the mask would
    # store the mask).
    parameters = dict(resolution.values)
    if param_inputs.previous is not None:
        # A value that was only the old Default follows the new Default: say so explicitly,
        # since a provider keeps previous values of parameters left out (UsePreviousValue).
        declared = declared_from.get("Parameters") or {}
        for name, origin in resolution.origins.items():
            if origin == "default" and name in param_inputs.previous.values:
                parameters[name] = default_text(declared[name].get("Default"))
    return Prepared(template, declared_from, parameters, options, resolution.origins, resolution.use_previous)


# --------------------------------------------------------------------------- running
def _describe_after(provider: Provider, name: str, result: Any) -> Stack:
    if isinstance(result, Stack):
        return result
    return provider.describe_stack(name)


def _fail_message(operation: str, name: str, display: Any, stack: Stack | None, error: str | None = None) -> str:
    failure = display.failure() if display is not None else None
    where = f"; the stack is {stack.status}" if stack is not None else ""
    if failure is not None:
        return f"{operation} of stack {name} failed: {failure.describe()}{where}"
    reason = error or (stack.reason if stack is not None else None) or "see `sparkleform events " + name + "`"
    return f"{operation} of stack {name} failed: {reason}{where}"


def run_operation(
    settings: Settings,
    provider: Provider,
    name: str,
    operation: str,
    call,
    *,
    wait: bool = True,
    title: str | None = None,
) -> Stack | None:
    """Run `call(on_event)` under the live display; raise OperationFailed with the first failure."""
    from sparkleform.cli.display import EventDisplay
    from sparkleform.stacks.interrupts import watch_interrupts
    from sparkleform.stacks.outcome import is_failed, is_in_progress

    stream = _status_stream(settings)
    display = EventDisplay(name, stream=stream, color=settings.color, title=title or f"{operation} {name}")
    result: Any = None
    with watch_interrupts(name, in_process=_in_process(provider), operation=operation):
        try:
            with display:
                result = call(display)
        except OperationFailed as exc:
            stack = _safe_describe(provider, name)
            raise OperationFailed(_fail_message(operation, name, display, stack, exc.message)) from exc
    if operation == "delete":
        return None
    stack = _describe_after(provider, name, result)
    if not wait and is_in_progress(stack.status):
        return stack  # still going (AWS); the local engine is done even when not asked to wait
    failed_create = operation == "create" and stack.status == "DELETE_COMPLETE"
    if operation == "recover":  # a rollback is what recover is for; only a stuck stack failed
        failed = stack.status.endswith("_FAILED") or is_in_progress(stack.status)
    else:
        failed = is_failed(stack.status) or failed_create
    if failed:
        raise OperationFailed(_fail_message(operation, name, display, stack))
    return stack


def _safe_describe(provider: Provider, name: str) -> Stack | None:
    try:
        return provider.describe_stack(name)
    except SparkleformError:
        return None


def _finish(settings: Settings, stack: Stack) -> None:
    from sparkleform.cli.display import print_outputs
    from sparkleform.stacks.render import describe_json

    if settings.json:
        _echo_json(describe_json(stack))
    else:
        print_outputs(stack, color=settings.color)


def _no_wait_note(settings: Settings, name: str, operation: str) -> None:
    click.echo(
        f"{operation} of stack {name} started; follow it with `sparkleform events {name} --follow`",
        file=_status_stream(settings),
    )


def _confirm(question: str, yes: bool) -> bool:
    from sparkleform.stacks.prompting import stdin_is_terminal

    if yes:
        return True
    if not stdin_is_terminal():
        raise ParameterError(f"{question} needs an answer and there is no terminal to ask on", hint="add --yes")
    return click.confirm(question, default=False, err=True)


def show_plan(settings: Settings, plan: Plan, *, stream=None) -> None:
    from sparkleform.cli.display import print_table

    stream = stream or sys.stdout
    if plan.empty:
        click.echo(plan.reason or f"no resource changes for {plan.stack_name}", file=stream)
        return
    rows = [
        [c.action, c.logical_id, c.resource_type, c.replacement or "", ", ".join(c.causes)]
        for c in plan.changes
    ]
    title = f"plan for {plan.stack_name}"
    print_table(["action", "logical id", "type", "replacement", "caused by"], rows, stream=stream,
                title=title, color=settings.color)


def _is_no_updates(exc: SparkleformError) -> bool:
    return NO_UPDATES.rstrip(".").lower() in exc.message.lower()


# --------------------------------------------------------------------------- verbs
@click.command("create")
@click.argument("stack")
@click.argument("template", required=False)
@stack_input_options
@click.option("--no-wait", is_flag=True, help="Start the create and return.")
@click.option("--plan-only", is_flag=True, help="Leave a change set for review instead (aws).")
def create_cmd(stack: str, template: str | None, no_wait: bool, plan_only: bool, **kwargs: Any) -> None:
    """Create STACK from TEMPLATE (a DSL template name/.py path or a JSON/YAML file)."""
    settings = get_settings()
    inputs = StackInputs.from_kwargs(kwargs)
    pool = ProviderPool(settings, bucket=inputs.bucket, prefix=inputs.prefix)
    provider = pool.main
    prepared = prepare(settings, pool, stack, template, inputs, existing=None)
    assert prepared.template is not None
    show_origins(settings, prepared)
    if plan_only:
        _plan_only(settings, provider, stack, prepared)
        return
    stack_obj = run_operation(
        settings, provider, stack, "create",
        lambda on_event: provider.create_stack(
            stack, prepared.template, prepared.parameters, prepared.options, on_event=on_event, wait=not no_wait
        ),
        wait=not no_wait,
    )
    assert stack_obj is not None
    if no_wait and stack_obj.status.endswith("_IN_PROGRESS"):
        _no_wait_note(settings, stack, "create")
        return
    _finish(settings, stack_obj)


def show_origins(settings: Settings, prepared: Prepared) -> None:
    """Say which parameters were wired from other stacks or prompted (explicit ones the user knows)."""
    stream = _status_stream(settings)
    for name, origin in prepared.origins.items():
        if origin.startswith("output ") or origin == "prompt":
            value = prepared.parameters.get(name, "")
            click.echo(f"parameter {name} = {value}  (from {origin})", file=stream)


def _plan_only(settings: Settings, provider: Provider, stack: str, prepared: Prepared) -> None:
    from sparkleform.stacks.render import plan_json

    make_change_set = getattr(provider, "create_change_set", None)
    if make_change_set is not None:  # a provider with real change sets leaves one for review
        plan = make_change_set(stack, prepared.template, prepared.parameters, prepared.options)
    else:
        plan = provider.plan(stack, prepared.template, prepared.parameters, prepared.options)
    if settings.json:
        _echo_json(plan_json(plan))
    else:
        show_plan(settings, plan)
    stream = _status_stream(settings)
    if plan.change_set_name:
        click.echo(
            f"change set {plan.change_set_name} left for review; apply it with "
            f"`sparkleform execute {stack} {plan.change_set_name}`",
            file=stream,
        )
    else:
        click.echo(f"the {provider.name} provider keeps no change set; nothing was changed", file=stream)


@click.command("plan")
@click.argument("stack")
@click.argument("template", required=False)
@stack_input_options
def plan_cmd(stack: str, template: str | None, **kwargs: Any) -> None:
    """Show what updating STACK (to TEMPLATE, or with new parameters) would change; for a
    stack that does not exist yet, what creating it would add."""
    from sparkleform.stacks.render import plan_json

    settings = get_settings()
    inputs = StackInputs.from_kwargs(kwargs)
    pool = ProviderPool(settings, bucket=inputs.bucket, prefix=inputs.prefix)
    provider = pool.main
    existing = provider.describe_stack(stack) if provider.stack_exists(stack) else None  # None: plan a create
    prepared = prepare(settings, pool, stack, template, inputs, existing=existing)
    plan = _plan(provider, stack, prepared)
    if settings.json:
        _echo_json(plan_json(plan))
    else:
        show_plan(settings, plan)


def _plan(provider: Provider, stack: str, prepared: Prepared) -> Plan:
    try:
        return provider.plan(stack, prepared.template, prepared.parameters, prepared.options)
    except SparkleformError as exc:
        if _is_no_updates(exc):
            return Plan(stack_name=stack, changes=[], reason=NO_UPDATES)
        raise


def _update(
    settings: Settings, pool: ProviderPool, stack: str, template: str | None, inputs: StackInputs,
    *, yes: bool, no_wait: bool = False, existing: Stack | None = None, title: str | None = None,
) -> Stack | None:
    """Plan, confirm, apply. Returns None when there was nothing to do."""
    provider = pool.main
    existing = existing or provider.describe_stack(stack)
    prepared = prepare(settings, pool, stack, template, inputs, existing=existing)
    show_origins(settings, prepared)
    # With real change sets (AWS) the change set shown is the one executed after the question.
    make_change_set = getattr(provider, "create_change_set", None)
    execute = getattr(provider, "execute_change_set", None)
    if make_change_set is not None and execute is not None:
        try:
            plan = make_change_set(stack, prepared.template, prepared.parameters, prepared.options)
        except SparkleformError as exc:
            if not _is_no_updates(exc):
                raise
            plan = Plan(stack_name=stack, changes=[], reason=NO_UPDATES)
    else:
        plan = _plan(provider, stack, prepared)
    stream = _status_stream(settings)
    if plan.empty:
        # An empty plan may still change outputs through new parameter values: the update
        # runs then, and the provider has the last word ("No updates are to be performed.").
        said_no_updates = bool(plan.reason) and NO_UPDATES.rstrip(".").lower() in plan.reason.lower()
        same_template = prepared.template is None or prepared.template == provider.template_of(stack)
        if not _parameters_changed(existing, prepared) and (said_no_updates or same_template):
            _apply_settings_only(provider, stack, existing, prepared.options, stream)
            click.echo(NO_UPDATES, file=stream)
            return None
        click.echo(f"no resource changes; parameter values of {stack} change", file=stream)
    else:
        show_plan(settings, plan, stream=stream)
    if not _confirm(f"Update stack {stack}?", yes):
        if plan.change_set_name:
            _drop_change_set(provider, stack, plan.change_set_name, stream)
        click.echo("nothing changed", file=stream)
        return None
    if plan.change_set_name and execute is not None:
        change_set = plan.change_set_name

        def call(on_event):
            return execute(stack, change_set, on_event=on_event, wait=not no_wait, options=prepared.options)
    else:

        def call(on_event):
            return provider.update_stack(
                stack, prepared.template, prepared.parameters, prepared.options, on_event=on_event, wait=not no_wait
            )

    try:
        result = run_operation(settings, provider, stack, "update", call, wait=not no_wait, title=title)
        if result is not None and result.reason and _is_no_updates(SparkleformError(result.reason)):
            click.echo(NO_UPDATES, file=stream)
            return None
        return result
    except OperationFailed:
        raise
    except SparkleformError as exc:
        if _is_no_updates(exc):
            click.echo(NO_UPDATES, file=stream)
            return None
        raise


def _apply_settings_only(provider: Provider, stack: str, existing: Stack, options: StackOptions, stream) -> None:
    """Termination protection is a stack setting, not a change: apply it even with no updates."""
    wanted = options.termination_protection
    if wanted is None or bool(wanted) == bool(existing.termination_protection):
        return
    setter = getattr(provider, "set_termination_protection", None)
    if setter is not None:
        setter(stack, bool(wanted))
    else:  # providers without the setter apply settings in an update that changes nothing
        provider.update_stack(stack, None, {}, StackOptions(termination_protection=bool(wanted)))
    click.echo(f"termination protection of {stack} is now {'on' if wanted else 'off'}", file=stream)


def _drop_change_set(provider: Provider, stack: str, change_set: str, stream) -> None:
    delete = getattr(provider, "delete_change_set", None)
    if delete is not None:
        delete(stack, change_set)
        return
    click.echo(
        f"change set {change_set} is left for review; `sparkleform execute {stack} {change_set}` applies it",
        file=stream,
    )


def _parameters_changed(existing: Stack, prepared: Prepared) -> bool:
    old = {p.key: p.value for p in existing.parameters}
    return any(old.get(k) != v for k, v in prepared.parameters.items() if k not in prepared.use_previous)


@click.command("update")
@click.argument("stack")
@click.argument("template", required=False)
@stack_input_options
@click.option("-y", "--yes", is_flag=True, help="Apply without asking.")
@click.option("--no-wait", is_flag=True, help="Start the update and return.")
@click.option("--plan-only", is_flag=True, help="Leave a change set for review instead (aws).")
def update_cmd(stack: str, template: str | None, yes: bool, no_wait: bool, plan_only: bool, **kwargs: Any) -> None:
    """Update STACK: show the plan, ask, apply. Without TEMPLATE the stack's template is kept."""
    settings = get_settings()
    inputs = StackInputs.from_kwargs(kwargs)
    pool = ProviderPool(settings, bucket=inputs.bucket, prefix=inputs.prefix)
    if plan_only:
        existing = pool.main.describe_stack(stack)
        prepared = prepare(settings, pool, stack, template, inputs, existing=existing)
        show_origins(settings, prepared)
        _plan_only(settings, pool.main, stack, prepared)
        return
    result = _update(settings, pool, stack, template, inputs, yes=yes, no_wait=no_wait)
    if result is None:
        if settings.json:
            _echo_json({"StackName": stack, "Status": NO_UPDATES})
        return
    if no_wait and result.status.endswith("_IN_PROGRESS"):
        _no_wait_note(settings, stack, "update")
        return
    _finish(settings, result)


@click.command("execute")
@click.argument("stack")
@click.argument("change_set")
def execute_cmd(stack: str, change_set: str) -> None:
    """Execute CHANGE_SET of STACK (left by `create/update --plan-only` on AWS)."""
    settings = get_settings()
    provider = ProviderPool(settings).main
    execute = getattr(provider, "execute_change_set", None)
    if execute is None:
        raise SparkleformError(
            f"the {provider.name} provider keeps no change sets to execute",
            hint="run `sparkleform update STACK` (it plans and applies in one go)",
        )
    existed = _safe_describe(provider, stack)
    operation = "update" if existed is not None and existed.status != "REVIEW_IN_PROGRESS" else "create"
    stack_obj = run_operation(
        settings, provider, stack, operation,
        lambda on_event: execute(stack, change_set, on_event=on_event),
    )
    assert stack_obj is not None
    _finish(settings, stack_obj)


@click.command("destroy")
@click.argument("stack")
@click.option("-y", "--yes", is_flag=True, help="Delete without asking.")
@click.option("--no-wait", is_flag=True, help="Start the delete and return.")
def destroy_cmd(stack: str, yes: bool, no_wait: bool) -> None:
    """Delete STACK and its resources, in reverse dependency order."""
    settings = get_settings()
    provider = ProviderPool(settings).main
    provider.describe_stack(stack)  # a missing stack is an error, not a silent success
    if not _confirm(f"Delete stack {stack} and all its resources?", yes):
        click.echo("nothing deleted", file=_status_stream(settings))
        return
    _destroy(settings, provider, stack, no_wait=no_wait)


def _destroy(
    settings: Settings, provider: Provider, stack: str, *, no_wait: bool = False, title: str | None = None,
    report: bool = True,
) -> None:
    run_operation(
        settings, provider, stack, "delete",
        lambda on_event: provider.delete_stack(stack, on_event=on_event, wait=not no_wait),
        wait=not no_wait, title=title,
    )
    after = _safe_describe(provider, stack)
    if no_wait and after is not None and after.status.endswith("_IN_PROGRESS"):
        _no_wait_note(settings, stack, "delete")
        return
    if after is not None and after.status not in ("DELETE_COMPLETE",):
        from sparkleform.stacks.outcome import is_failed

        if is_failed(after.status):
            raise OperationFailed(f"delete of stack {stack} failed: {after.reason or after.status}")
    if not report:
        return
    if settings.json:
        _echo_json({"StackName": stack, "StackStatus": "DELETE_COMPLETE"})
    else:
        click.echo(f"{stack}: deleted")


def _sorted_events(events: list) -> list:
    return sorted(events, key=lambda e: e.timestamp)


@click.command("events")
@click.argument("stack")
@click.option("-f", "--follow", is_flag=True, help="Keep printing new events until the stack is stable.")
@click.option("--interval", type=float, default=None, help="Seconds between polls with --follow.")
def events_cmd(stack: str, follow: bool, interval: float | None) -> None:
    """Show the event history of STACK (oldest first)."""
    from sparkleform.stacks.outcome import is_in_progress
    from sparkleform.stacks.render import event_json

    settings = get_settings()
    provider = ProviderPool(settings).main
    seen: set[str] = set()
    last: list[str] = []  # the newest event id shown, for `since` on the next poll

    def emit(events: list) -> None:
        fresh = [e for e in _sorted_events(events) if e.event_id not in seen]
        for e in fresh:
            seen.add(e.event_id)
        if fresh:
            last[:] = [fresh[-1].event_id]
        if settings.json and not follow:
            _echo_json([event_json(e) for e in fresh])
            return
        for e in fresh:
            if settings.json:
                click.echo(json.dumps(event_json(e), default=str))
            else:
                line = f"{e.timestamp.isoformat(timespec='seconds')}  {e.status:<36} {e.logical_id}  {e.resource_type}"
                if e.stack_name != stack:
                    line = line.replace(f" {e.logical_id} ", f" {e.stack_name}/{e.logical_id} ", 1)
                click.echo(line + (f"  {e.reason}" if e.reason else ""))

    emit(provider.events(stack))
    if not follow:
        return
    delay = interval if interval is not None else (0.5 if _in_process(provider) else 2.0)
    try:
        while True:
            current = _safe_describe(provider, stack)
            if current is None or not is_in_progress(current.status):
                if current is not None:
                    emit(provider.events(stack, last[0] if last else None))
                break
            time.sleep(delay)
            emit(provider.events(stack, last[0] if last else None))
            if not _in_process(provider):
                delay = min(delay * 1.5, 10.0)
    except KeyboardInterrupt:
        click.echo("stopped following; the stack is not affected", err=True)


@click.command("outputs")
@click.argument("stack")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default=None,
              help="Same as --output (kept for sfn habits).")
def outputs_cmd(stack: str, fmt: str | None) -> None:
    """Print the outputs of STACK (`--output json`: one object of name -> value)."""
    from sparkleform.cli.display import print_table
    from sparkleform.stacks.render import outputs_json

    settings = get_settings()
    stack_obj = ProviderPool(settings).main.describe_stack(stack)
    if (fmt or settings.output) == "json":
        _echo_json(outputs_json(stack_obj))
        return
    print_table(["output", "value"], [[o.key, o.value] for o in stack_obj.outputs], color=settings.color)


@click.command("list-stacks")
def list_stacks_cmd() -> None:
    """List the stacks and their status."""
    from sparkleform.cli.display import print_table
    from sparkleform.stacks.render import stack_summary_json

    settings = get_settings()
    stacks = ProviderPool(settings).main.list_stacks()
    if settings.json:
        _echo_json([stack_summary_json(s) for s in stacks])
        return
    if not stacks:
        click.echo("no stacks")
        return
    rows = [
        [s.name, s.status, (s.updated or s.created).isoformat(timespec="seconds") if (s.updated or s.created) else "",
         s.reason or ""]
        for s in stacks
    ]
    print_table(["stack", "status", "updated", "reason"], rows, color=settings.color)


@click.command("recover")
@click.argument("stack")
def recover_cmd(stack: str) -> None:
    """Roll STACK back to its last stable state after an operation was cut off."""
    settings = get_settings()
    provider = ProviderPool(settings).main
    stack_obj = run_operation(
        settings, provider, stack, "recover", lambda on_event: provider.recover(stack, on_event=on_event)
    )
    assert stack_obj is not None
    if settings.json:
        from sparkleform.stacks.render import describe_json

        _echo_json(describe_json(stack_obj))
    else:
        click.echo(f"{stack}: {stack_obj.status}" + (f" ({stack_obj.reason})" if stack_obj.reason else ""))


# --------------------------------------------------------------------------- stack groups
@click.command("up")
@click.argument("stacks", nargs=-1)
@click.option("-y", "--yes", is_flag=True, help="Apply updates without asking.")
def up_cmd(stacks: tuple[str, ...], yes: bool) -> None:
    """Deploy the stack group of sparkleform.toml (or STACKS and what they need) in dependency order."""
    from sparkleform.stacks.groups import group_order

    settings = get_settings()
    order = group_order(settings.config.stacks, stacks)
    pool = ProviderPool(settings)
    provider = pool.main
    stream = _status_stream(settings)
    results: dict[str, str] = {}
    for i, name in enumerate(order, 1):
        existing = _safe_describe(provider, name) if provider.stack_exists(name) else None
        action = "update" if existing is not None else "create"
        click.echo(f"[{i}/{len(order)}] {name}: {action}", file=stream)
        try:
            if existing is None:
                prepared = prepare(settings, pool, name, None, StackInputs(), existing=None)
                run_operation(
                    settings, provider, name, "create",
                    lambda on_event, p=prepared, n=name: provider.create_stack(
                        n, p.template, p.parameters, p.options, on_event=on_event
                    ),
                    title=f"[{i}/{len(order)}] create {name}",
                )
                results[name] = "created"
            else:
                cfg = settings.config.stacks[name]
                template = _template_target(settings, cfg.template)
                outcome = _update(settings, pool, name, template, StackInputs(), yes=yes, existing=existing,
                                  title=f"[{i}/{len(order)}] update {name}")
                results[name] = "updated" if outcome is not None else "unchanged"
        except SparkleformError as exc:
            rest = order[i:]
            if rest:
                exc.hint = ((exc.hint + "; ") if exc.hint else "") + f"not attempted: {', '.join(rest)}"
            raise
    _group_summary(settings, pool, order, results)


def _group_summary(settings: Settings, pool: ProviderPool, order: list[str], results: dict[str, str]) -> None:
    from sparkleform.cli.display import print_table

    if settings.json:
        _echo_json({name: {"Result": results[name], "Outputs": pool.main.describe_stack(name).output_map()}
                    for name in order})
        return
    rows = []
    for name in order:
        stack = pool.main.describe_stack(name)
        rows.append([name, results[name], stack.status, ", ".join(f"{k}={v}" for k, v in stack.output_map().items())])
    print_table(["stack", "result", "status", "outputs"], rows, color=settings.color, title="stack group")


@click.command("down")
@click.argument("stacks", nargs=-1)
@click.option("-y", "--yes", is_flag=True, help="Delete without asking.")
def down_cmd(stacks: tuple[str, ...], yes: bool) -> None:
    """Tear down the stack group (or STACKS and what depends on them) in reverse dependency order."""
    from sparkleform.stacks.groups import group_order

    settings = get_settings()
    order = group_order(settings.config.stacks, stacks, teardown=True)
    provider = ProviderPool(settings).main
    present = [name for name in order if provider.stack_exists(name)]
    stream = _status_stream(settings)
    if not present:
        click.echo("no stack of the group exists; nothing to delete", file=stream)
        return
    if not _confirm(f"Delete stacks {', '.join(present)}?", yes):
        click.echo("nothing deleted", file=stream)
        return
    for i, name in enumerate(present, 1):
        click.echo(f"[{i}/{len(present)}] {name}: delete", file=stream)
        try:
            _destroy(settings, provider, name, title=f"[{i}/{len(present)}] delete {name}", report=False)
        except SparkleformError as exc:
            rest = present[i:]
            if rest:
                exc.hint = ((exc.hint + "; ") if exc.hint else "") + f"not attempted: {', '.join(rest)}"
            raise
    if settings.json:
        _echo_json([{"StackName": name, "StackStatus": "DELETE_COMPLETE"} for name in present])
    else:
        click.echo(f"deleted: {', '.join(present)}")
