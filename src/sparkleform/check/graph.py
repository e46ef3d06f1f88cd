"""The resource dependency graph (Ref, Fn::GetAtt, Fn::Sub, DependsOn) and its cycles.

`dependencies(template)` is what `sparkleform graph` draws and what the circular-dependency
rule checks. Conditions are ignored: both branches of every Fn::If count.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sparkleform.check.diagnostic import ERROR
from sparkleform.check.rules import CFN_DOCS, check, rule
from sparkleform.intrinsics import REF, RESOURCE, call_targets, references

if TYPE_CHECKING:
    from sparkleform.check.context import CheckContext


RULES = (
    rule("SF3010", "references", ERROR, "Circular dependency", CFN_DOCS + "aws-attribute-dependson.html"),
)


def _resource_refs(entry: dict[str, Any], names: set[str]) -> set[str]:
    found = references(entry, names)
    depends = entry.get("DependsOn")
    for name in depends if isinstance(depends, list) else [depends]:
        if isinstance(name, str) and name in names:
            found.add(name)
    return found


def dependencies(template: dict) -> dict[str, set[str]]:
    """logical id -> the logical ids of the resources it depends on."""
    resources = template.get("Resources") if isinstance(template, dict) else None
    if not isinstance(resources, dict):
        return {}
    names = {k for k in resources if isinstance(k, str)}
    return {
        name: _resource_refs(entry, names) if isinstance(entry, dict) else set()
        for name, entry in resources.items()
        if isinstance(name, str)
    }


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each strongly connected group of nodes that forms a cycle, as a closed walk.

    Tarjan's algorithm, iterative (no recursion limit). A node that depends on itself is a
    cycle of one. Each cycle is returned as an actual path [a, b, ..., a] through the group.
    """
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    groups: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work: list[tuple[str, list[str]]] = [(root, sorted(graph.get(root, ())))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, todo = work[-1]
            if todo:
                nxt = todo.pop(0)
                if nxt not in graph:
                    continue
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, sorted(graph.get(nxt, ()))))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1 or node in graph.get(node, ()):
                    groups.append(_walk_cycle(sorted(group), graph))
    return groups


def _walk_cycle(group: list[str], graph: dict[str, set[str]]) -> list[str]:
    """A closed path a -> ... -> a inside one strongly connected group (BFS back to a)."""
    members = set(group)
    start = group[0]
    prev: dict[str, str] = {}
    frontier = [start]
    seen = {start}
    while frontier:
        nxt_frontier = []
        for node in frontier:
            for dep in sorted(graph.get(node, ())):
                if dep == start:
                    path = [start]
                    cur = node
                    while cur != start:
                        path.append(cur)
                        cur = prev[cur]
                    path.append(start)
                    # path was built backwards from the last hop
                    return [start, *list(reversed(path[1:-1])), start]
                if dep in members and dep not in seen:
                    seen.add(dep)
                    prev[dep] = node
                    nxt_frontier.append(dep)
        frontier = nxt_frontier
    return [*group, start]


def dependencies_from_calls(ctx: CheckContext) -> dict[str, set[str]]:
    """The same graph as `dependencies`, built from the calls the context already found."""
    names = set(ctx.resources)
    deps: dict[str, set[str]] = {name: set() for name in names}
    for name, args, path in ctx.calls:
        if len(path) < 2 or path[0] != "Resources" or path[1] not in deps:
            continue
        for what, target in call_targets(name, args):
            if target in names and what in _RESOURCE_KINDS:
                deps[path[1]].add(target)
    for name, res in ctx.resources.items():
        depends = res.get("DependsOn")
        for dep in depends if isinstance(depends, list) else [depends]:
            if isinstance(dep, str) and dep in names:
                deps[name].add(dep)
    return deps


_RESOURCE_KINDS = (REF, RESOURCE)  # what of a call's targets may be a resource


@check()
def check_cycles(ctx: CheckContext) -> None:
    """SF3010: resources that depend on each other in a loop."""
    for cycle in find_cycles(dependencies_from_calls(ctx)):
        text = " -> ".join(cycle)
        for member in cycle[:-1] if len(cycle) > 1 else cycle:
            ctx.report("SF3010", ("Resources", member), f"{member} is part of a circular dependency: {text}")
