"""Resource dependencies: who refers to whom (Ref, GetAtt, Sub, DependsOn) and the order.

A cycle is reported as CloudFormation does, naming the resources in it.
"""

from __future__ import annotations

import graphlib

from sparkleform.engine.errors import TemplateFormatError
from sparkleform.intrinsics import references  # Ref, Fn::GetAtt, Fn::Sub: the table's one walker

__all__ = ["dependencies", "depends_on", "order", "references", "reverse_waves", "waves"]


def depends_on(resource: dict) -> list[str]:
    dep = resource.get("DependsOn")
    if dep is None:
        return []
    return [dep] if isinstance(dep, str) else [d for d in dep if isinstance(d, str)]


def dependencies(
    resources: dict[str, dict], active: set[str] | None = None, refers: dict[str, set[str]] | None = None
) -> dict[str, set[str]]:
    """logical id -> logical ids it depends on (only among `active` ones, if given). `refers`:
    what each resource's Properties and Metadata refer to, when a walk of the template
    already found it (`prepare.check_references`); otherwise they are walked here."""
    names = frozenset(resources)
    deps: dict[str, set[str]] = {}
    for logical, res in resources.items():
        if active is not None and logical not in active:
            continue
        if refers is not None:
            found = set(refers[logical])
        else:
            found = references(res.get("Properties"), names)
            references(res.get("Metadata"), names, found)
        for d in depends_on(res):
            if d not in names:
                raise TemplateFormatError(
                    f"Template format error: Unresolved resource dependencies [{d}] in the Resources block of the template",
                    template_path=("Resources", logical, "DependsOn"),
                )
            found.add(d)
        if active is not None:
            found &= active
        deps[logical] = found
    return deps


def order(deps: dict[str, set[str]]) -> list[str]:
    """A creation order (dependencies first); a cycle raises naming its members.

    The order is exactly graphlib.TopologicalSorter(deps).static_order()'s (the same
    groups, in the same sequence), computed without its per-node objects and its up-front
    cycle search; only a graph with a cycle goes to graphlib, for its cycle."""
    npred: dict[str, int] = {}
    succ: dict[str, list[str]] = {}
    for node, preds in deps.items():
        if node not in npred:
            npred[node] = 0
            succ[node] = []
        npred[node] += len(preds)
        for pred in preds:
            if pred not in npred:
                npred[pred] = 0
                succ[pred] = []
            succ[pred].append(node)
    ready = [node for node, count in npred.items() if count == 0]
    out: list[str] = []
    while ready:
        out.extend(ready)
        following = []
        for node in ready:
            for s in succ[node]:
                npred[s] -= 1
                if npred[s] == 0:
                    following.append(s)
        ready = following
    if len(out) == len(npred):
        return out
    return _graphlib_order(deps)


def _graphlib_order(deps: dict[str, set[str]]) -> list[str]:
    sorter = graphlib.TopologicalSorter(deps)
    try:
        return list(sorter.static_order())
    except graphlib.CycleError as exc:
        cycle = list(dict.fromkeys(exc.args[1])) if len(exc.args) > 1 else []
        raise TemplateFormatError(
            f"Template format error: Circular dependency between resources: [{', '.join(sorted(cycle))}]",
            template_path=("Resources", cycle[0]) if cycle else (),
        ) from None


def waves(deps: dict[str, set[str]], forward: list[str]) -> list[list[str]]:
    """Group a creation order into waves: each resource one wave after its last dependency.

    CloudFormation starts every resource whose dependencies are complete at once; a wave is
    such a set, started (and finished) together.
    """
    level: dict[str, int] = {}
    get = deps.get
    for logical in forward:  # 1 + the highest level among its dependencies (a loop: max() over a generator costs 5x)
        top = -1
        for d in get(logical, ()):
            at = level.get(d)
            if at is not None and at > top:
                top = at
        level[logical] = top + 1
    out: list[list[str]] = [[] for _ in range(max(level.values(), default=-1) + 1)]
    for logical in forward:
        out[level[logical]].append(logical)
    return out


def reverse_waves(deps: dict[str, set[str]], forward: list[str]) -> list[list[str]]:
    """Deletion waves: a resource goes one wave after the last resource that depends on it."""
    dependents: dict[str, set[str]] = {k: set() for k in forward}
    for logical, ds in deps.items():
        for d in ds:
            if d in dependents:
                dependents[d].add(logical)
    return waves(dependents, list(reversed(forward)))
