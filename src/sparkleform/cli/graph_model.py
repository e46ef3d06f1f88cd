"""What `sparkleform graph` draws: resources as nodes (with their type and properties), grouped
by the stack they belong to (nested stacks as their own groups), and dependency edges that
remember why they exist (Ref, GetAtt with the attribute, Sub, DependsOn)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

NESTED_STACK = "AWS::CloudFormation::Stack"


@dataclass
class Node:
    id: str  # unique across groups: "Logical" or "Child/Logical"
    logical_id: str
    type: str
    group: str  # "" for the top template, else the nested stack's path
    properties: Any = None
    condition: str | None = None


@dataclass
class Edge:
    source: str  # the resource that depends ...
    target: str  # ... on this one
    reasons: list[str] = field(default_factory=list)
    in_cycle: bool = False


@dataclass
class Group:
    id: str
    label: str


@dataclass
class Graph:
    name: str
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    cycles: list[list[str]] = field(default_factory=list)


def edge_reasons(entry: dict, names: set[str]) -> dict[str, list[str]]:
    """target logical id -> why `entry` depends on it: "Ref", "GetAtt Arn", "Sub", "DependsOn"."""
    from sparkleform.check.intrinsics import get_att_parts, sub_parts, sub_variables, walk_calls

    found: dict[str, list[str]] = {}

    def add(target: str, why: str) -> None:
        reasons = found.setdefault(target, [])
        if why not in reasons:
            reasons.append(why)

    for call in walk_calls(entry, ()):
        if call.name == "Ref" and isinstance(call.args, str) and call.args in names:
            add(call.args, "Ref")
        elif call.name == "Fn::GetAtt":
            parts = get_att_parts(call.args)
            if parts and isinstance(parts[0], str) and parts[0] in names:
                add(parts[0], f"GetAtt {parts[1]}" if isinstance(parts[1], str) else "GetAtt")
        elif call.name == "Fn::Sub":
            text, local = sub_parts(call.args)
            for var in sub_variables(text) if text is not None else ():
                head = var.split(".", 1)[0]
                if var not in local and head in names:
                    add(head, f"Sub ${{{var}}}")
    depends = entry.get("DependsOn")
    for name in depends if isinstance(depends, list) else [depends]:
        if isinstance(name, str) and name in names:
            add(name, "DependsOn")
    return found


def _resources(template: Any) -> dict:
    found = template.get("Resources") if isinstance(template, dict) else None
    return found if isinstance(found, dict) else {}


def build_graph(items: list[tuple[str, dict, Any]]) -> Graph:
    """The graph of a template and its nested templates, as `load_for_check` returns them:
    [(name, template, sources)], the top template first, nested ones named "top/url"."""
    from sparkleform.check.graph import find_cycles

    top_name = items[0][0]
    graph = Graph(name=top_name)
    # which group each loaded template is: the nested stack resource whose TemplateURL it is
    group_of: dict[str, str] = {top_name: ""}
    labels: dict[str, str] = {"": top_name}
    for name, template, _ in items:
        prefix = group_of.get(name)
        if prefix is None:
            continue
        resources = _resources(template)
        for logical_id, res in resources.items():
            if not isinstance(res, dict) or res.get("Type") != NESTED_STACK:
                continue
            url = (res.get("Properties") or {}).get("TemplateURL")
            if isinstance(url, str):
                child = f"{name}/{url}"
                group_of[child] = f"{prefix}/{logical_id}" if prefix else logical_id
                labels[group_of[child]] = f"nested stack {logical_id} ({url})"
    for name, template, _ in items:
        group = group_of.get(name, name)
        labels.setdefault(group, name)
        resources = _resources(template)
        names = {k for k in resources if isinstance(k, str)}
        def node_id(logical_id: str, group: str = group) -> str:
            return f"{group}/{logical_id}" if group else logical_id

        for logical_id, res in resources.items():
            res = res if isinstance(res, dict) else {}
            rtype = str(res["Type"]) if isinstance(res.get("Type"), str) else "?"
            graph.nodes[node_id(logical_id)] = Node(
                node_id(logical_id), logical_id, rtype, group, res.get("Properties"),
                res.get("Condition") if isinstance(res.get("Condition"), str) else None,
            )
        deps: dict[str, set[str]] = {}
        for logical_id, res in resources.items():
            reasons = edge_reasons(res, names) if isinstance(res, dict) else {}
            deps[logical_id] = set(reasons)
            for target, why in sorted(reasons.items()):
                graph.edges.append(Edge(node_id(logical_id), node_id(target), why))
        for cycle in find_cycles(deps):
            ids = [node_id(n) for n in cycle]
            graph.cycles.append(ids)
            pairs = set(itertools.pairwise(ids))
            for edge in graph.edges:
                if (edge.source, edge.target) in pairs:
                    edge.in_cycle = True
    used = {n.group for n in graph.nodes.values()} | {""}
    graph.groups = [Group(g, labels.get(g, g)) for g in sorted(used, key=lambda g: (g.count("/"), g))]
    return graph
