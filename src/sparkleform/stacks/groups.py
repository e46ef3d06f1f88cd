"""Stack groups: the `[stacks.*]` of sparkleform.toml in dependency order (apply_stacks edges)."""

from __future__ import annotations

import graphlib
from collections.abc import Iterable, Mapping

from sparkleform.config import StackConfig
from sparkleform.errors import ConfigError
from sparkleform.stacks.apply import parse_stack_ref


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
