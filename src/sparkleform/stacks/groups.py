"""Stack groups: the `[stacks.*]` of sparkleform.toml in dependency order (apply_stacks edges),
and the `up` / `down` flows that deploy them in that order or tear them down in reverse, each
stack through the provider of its own region and profile (StackContext.for_stack)."""

from __future__ import annotations

import graphlib
from collections.abc import Callable, Iterable, Mapping

from sparkleform.config import StackConfig
from sparkleform.errors import ConfigError, SparkleformError
from sparkleform.stacks.apply import parse_stack_ref
from sparkleform.stacks.context import StackContext
from sparkleform.stacks.flows import ConfirmPlan, Result, create, delete, safe_describe, update
from sparkleform.stacks.request import StackInputs, template_target


def dependencies(stacks: Mapping[str, StackConfig]) -> dict[str, list[str]]:
    """stack -> the group stacks it applies (only plain names of stacks in the group)."""
    deps: dict[str, list[str]] = {}
    for name, cfg in stacks.items():
        deps[name] = []
        for text in cfg.apply_stacks:
            ref = parse_stack_ref(text)
            if ref.provider is None and ref.region is None and ref.name in stacks and ref.name not in deps[name]:
                deps[name].append(ref.name)
    return deps


def _closure(start: Iterable[str], edges: Mapping[str, list[str]]) -> set[str]:
    seen: set[str] = set()
    todo = list(start)
    while todo:
        item = todo.pop()
        if item not in seen:
            seen.add(item)
            todo.extend(edges.get(item, []))
    return seen


def group_order(
    stacks: Mapping[str, StackConfig], selected: Iterable[str] | None = None, *, teardown: bool = False
) -> list[str]:
    """Deploy order (dependencies first) of the selected stacks and what they depend on; with
    `teardown`, the reverse order of the selected stacks and everything that depends on them."""
    if not stacks:
        raise ConfigError("no stacks are defined: add [stacks.NAME] sections to sparkleform.toml")
    deps = dependencies(stacks)
    chosen = list(selected or [])
    unknown = [s for s in chosen if s not in stacks]
    if unknown:
        raise ConfigError(
            f"no stack {', '.join(unknown)} in sparkleform.toml; defined: {', '.join(stacks)}"
        )
    if not chosen:
        members = set(stacks)
    elif teardown:
        dependents: dict[str, list[str]] = {n: [] for n in stacks}
        for name, needs in deps.items():
            for need in needs:
                dependents[need].append(name)
        members = _closure(chosen, dependents)
    else:
        members = _closure(chosen, deps)
    position = {name: i for i, name in enumerate(stacks)}
    sorter = graphlib.TopologicalSorter({n: [d for d in deps[n] if d in members] for n in members})
    try:
        sorter.prepare()
    except graphlib.CycleError as exc:
        cycle = exc.args[1]
        raise ConfigError(f"stack group has a cycle: {' -> '.join(cycle)}") from exc
    order: list[str] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready(), key=position.__getitem__)
        order.extend(ready)
        sorter.done(*ready)
    return order[::-1] if teardown else order


def _not_attempted(exc: SparkleformError, rest: list[str]) -> None:
    if rest:
        exc.hint = ((exc.hint + "; ") if exc.hint else "") + f"not attempted: {', '.join(rest)}"


def up(
    ctx: StackContext, stacks: Iterable[str] = (), *, confirm: ConfirmPlan | None = None, check: bool = True
) -> dict[str, Result]:
    """Create or update the group's stacks (or `stacks` and what they need) in dependency
    order; `confirm(plan)` is asked before each update (None: apply without asking); each
    template is checked first unless `check` is False.

    Returns each stack's Result (created / updated / unchanged), in the order they ran. A
    failure stops the loop; its hint names the stacks not attempted.
    """
    order = group_order(ctx.config.stacks, stacks)
    results: dict[str, Result] = {}
    for i, name in enumerate(order, 1):
        here = ctx.for_stack(name)  # the stack's own region / profile
        provider = here.provider
        existing = safe_describe(provider, name) if provider.stack_exists(name) else None
        action = "update" if existing is not None else "create"
        ctx.reporter.note(f"[{i}/{len(order)}] {name}: {action}")
        try:
            if existing is None:
                create(here, name, None, StackInputs(no_check=not check), title=f"[{i}/{len(order)}] create {name}", report_wiring=False)
                results[name] = Result.CREATED
            else:
                template = template_target(ctx.config, ctx.config.stacks[name].template)
                outcome = update(here, name, template, StackInputs(no_check=not check), confirm=confirm, existing=existing,
                                 title=f"[{i}/{len(order)}] update {name}")
                results[name] = Result.UPDATED if outcome is not None else Result.UNCHANGED
        except SparkleformError as exc:
            _not_attempted(exc, order[i:])
            raise
    return results


def down(
    ctx: StackContext, stacks: Iterable[str] = (), *, confirm: Callable[[list[str]], bool] | None = None
) -> list[str]:
    """Delete the group's stacks (or `stacks` and what depends on them) in reverse dependency
    order, after `confirm(names)` (None: without asking). Returns the stacks deleted ([] when
    none existed or `confirm` said no)."""
    order = group_order(ctx.config.stacks, stacks, teardown=True)
    present = [name for name in order if ctx.for_stack(name).provider.stack_exists(name)]
    if not present:
        ctx.reporter.note("no stack of the group exists; nothing to delete")
        return []
    if confirm is not None and not confirm(present):
        ctx.reporter.note("nothing deleted")
        return []
    for i, name in enumerate(present, 1):
        ctx.reporter.note(f"[{i}/{len(present)}] {name}: delete")
        try:
            delete(ctx.for_stack(name), name, title=f"[{i}/{len(present)}] delete {name}")
        except SparkleformError as exc:
            _not_attempted(exc, present[i:])
            raise
    return present
