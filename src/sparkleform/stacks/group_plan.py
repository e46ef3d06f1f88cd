"""A plan of a whole stack group before any of it exists (`up --plan`).

Stack by stack in dependency order, what `up` would do: create (every resource Added) or
update (the provider's plan), with the parameter values each stack would get.

- A provider that can simulate (the local engine, Capability.SIMULATE) runs the whole `up`
  in a throwaway copy of its state: each stack's plan is made there, then the stack is
  created or updated there, so the outputs of stacks that do not exist yet (VpcId ...) are
  known to the stacks that apply them. The real stacks are never touched.
- Elsewhere (AWS) nothing is sent for stacks that do not exist: their plan is read from the
  template, and an output of such a stack is `(known after apply)`; the parameters that take
  one are marked. Existing stacks whose applied stacks all exist are planned by the provider.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field

from sparkleform.cfn import NESTED_STACK_TYPE
from sparkleform.contract import Plan, Provider, ResourceChange, Stack, StackOutput, has_simulation
from sparkleform.errors import SparkleformError
from sparkleform.stacks.context import ProviderPool, Reporter, StackContext
from sparkleform.stacks.flows import create, plan, safe_describe, update
from sparkleform.stacks.groups import dependencies, group_order
from sparkleform.stacks.request import StackInputs, prepare_request, template_target

KNOWN_AFTER_APPLY = "(known after apply)"


@dataclass
class StackPlan:
    name: str
    action: str  # "create" | "update"
    plan: Plan
    parameters: dict[str, str] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)  # computed (simulation) or placeholders
    unknown: list[str] = field(default_factory=list)  # parameters whose value is known after apply
    note: str | None = None


def plan_group(ctx: StackContext, stacks: Iterable[str] = ()) -> list[StackPlan]:
    """The plan of `up` for the group (or `stacks` and what they need); changes nothing."""
    order = group_order(ctx.config.stacks, stacks)
    if has_simulation(ctx.provider):
        with tempfile.TemporaryDirectory(prefix="sparkleform-plan-") as folder:
            scratch = ctx.provider.scratch(folder)
            sim = _quiet(ctx, scratch)
            try:
                return _simulated(sim, order)
            finally:
                sim.pool.close()
                scratch.close()
    return _placeholders(ctx, order)


def _quiet(ctx: StackContext, scratch: Provider) -> StackContext:
    """A quiet context on the scratch copy: a stack in its own region or profile gets a
    provider on the same copy (never on the real state)."""
    options = {**ctx.pool.options, scratch.name: {**ctx.pool.options.get(scratch.name, {}),
                                                  "state": str(getattr(scratch, "state", ""))}}
    pool = ProviderPool(ctx.pool.name, ctx.pool.region, options=options, main=scratch, profile=ctx.pool.profile)
    return StackContext(pool=pool, config=ctx.config, reporter=Reporter(), interactive=False,
                        region_flag=ctx.region_flag, profile_flag=ctx.profile_flag)


def _creation_plan(name: str, template: dict | None, nested: dict[str, dict] | None = None) -> Plan:
    """Every resource Added, and those of its nested templates (`Child/Queue`) at any depth."""
    changes: list[ResourceChange] = []

    def add(body: dict | None, prefix: str, depth: int) -> None:
        resources = (body or {}).get("Resources") or {}
        for logical, res in resources.items() if isinstance(resources, dict) else []:
            kind = str(res.get("Type", "?")) if isinstance(res, dict) else "?"
            changes.append(ResourceChange("Add", prefix + logical, kind))
            url = ((res.get("Properties") or {}).get("TemplateURL") if isinstance(res, dict) else None)
            if kind == NESTED_STACK_TYPE and isinstance(url, str) and nested and url in nested and depth < 8:
                add(nested[url], f"{prefix}{logical}/", depth + 1)

    add(template, "", 0)
    return Plan(stack_name=name, changes=changes)


def _simulated(ctx: StackContext, order: list[str]) -> list[StackPlan]:
    out: list[StackPlan] = []
    for name in order:
        sim = ctx.for_stack(name)
        scratch = sim.provider
        existing = safe_describe(scratch, name) if scratch.stack_exists(name) else None
        template = template_target(ctx.config, ctx.config.stacks[name].template)
        if existing is None:
            request = prepare_request(sim, name, None, StackInputs(), existing=None)
            the_plan = _creation_plan(name, request.template, request.options.nested_templates)
            stack = create(sim, name, None, StackInputs(), report_wiring=False)
            out.append(StackPlan(name, "create", the_plan, dict(request.parameters), stack.output_map()))
            continue
        request = prepare_request(sim, name, template, StackInputs(), existing=existing)
        the_plan = plan(sim, name, template)
        if not the_plan.empty or request.parameters_changed(existing):
            update(sim, name, template, StackInputs(), existing=existing)
        after = scratch.describe_stack(name)
        out.append(StackPlan(name, "update", the_plan, dict(request.parameters), after.output_map()))
    return out


class _Pending:
    """A provider view where the group's stacks that do not exist yet have their template's
    outputs, each `(known after apply)`, so the stacks applying them can be resolved."""

    def __init__(self, real: Provider, pending: dict[str, dict]) -> None:
        self.real = real
        self.pending = pending
        self.name = real.name
        self.capabilities = real.capabilities

    def describe_stack(self, name: str) -> Stack:
        if name in self.pending:
            outputs = [StackOutput(key, KNOWN_AFTER_APPLY) for key in (self.pending[name].get("Outputs") or {})]
            return Stack(name=name, stack_id=name, status="CREATE_COMPLETE", outputs=outputs)
        return self.real.describe_stack(name)

    def close(self) -> None:
        self.real.close()

    def __getattr__(self, attr: str):
        return getattr(self.real, attr)


def _placeholders(ctx: StackContext, order: list[str]) -> list[StackPlan]:
    deps = dependencies(ctx.config.stacks)
    pending: dict[str, dict] = {}
    pool = ctx.pool.wrapped(lambda real: _Pending(real, pending))
    view = StackContext(pool=pool, config=ctx.config, reporter=Reporter(), interactive=False,
                        region_flag=ctx.region_flag, profile_flag=ctx.profile_flag)
    out: list[StackPlan] = []
    for name in order:
        here = ctx.for_stack(name)
        provider = here.provider
        seen = view.for_stack(name)
        waits_on = [d for d in deps.get(name, []) if d in pending]
        existing = safe_describe(provider, name) if provider.stack_exists(name) else None
        template = template_target(ctx.config, ctx.config.stacks[name].template)
        request = prepare_request(seen, name, None if existing is None else template, StackInputs(),
                                  existing=existing)
        unknown = sorted(k for k, v in request.parameters.items() if v == KNOWN_AFTER_APPLY)
        if existing is None:
            assert request.template is not None
            pending[name] = request.template
            outputs = {k: KNOWN_AFTER_APPLY for k in (request.template.get("Outputs") or {})}
            out.append(StackPlan(name, "create", _creation_plan(name, request.template, request.options.nested_templates), dict(request.parameters),
                                 outputs, unknown))
            continue
        if waits_on:
            note = f"depends on {', '.join(waits_on)}, not created yet: planned after they exist"
            out.append(StackPlan(name, "update", Plan(name, []), dict(request.parameters), {}, unknown, note))
            continue
        try:
            the_plan = plan(here, name, template)
        except SparkleformError as exc:
            out.append(StackPlan(name, "update", Plan(name, []), dict(request.parameters), {}, unknown, exc.message))
            continue
        out.append(StackPlan(name, "update", the_plan, dict(request.parameters), existing.output_map(), unknown))
    return out


__all__ = ["KNOWN_AFTER_APPLY", "StackPlan", "plan_group"]
