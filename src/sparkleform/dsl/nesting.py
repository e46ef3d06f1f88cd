"""Wiring the parameters of a tree of nested stacks (SparkleFormation's `apply_nesting`).

`apply_nesting(compiled, mode)` rewrites a compiled template and its nested templates in
place so that every nested stack's parameter gets a value:

- deep (the default, SparkleFormation's `apply_deep_nesting`): a parameter is filled from an
  output of the same name anywhere else in the tree. Across branches the output bubbles up
  (each stack between the output's stack and the common ancestor gets an Output of that name)
  and drips down (each stack between the common ancestor and the consumer gets a Parameter of
  that name and passes it on). A parameter nothing outputs becomes a parameter of the parent,
  up to the root (a root parameter of the same name fills it).
- shallow: only sibling outputs are wired; everything else bubbles up as parameters.
- none: the templates stay as compiled (`t.nest` wires siblings, the user wires the rest).

A value the template gives a nested stack explicitly is kept; `Ref: Name` to the parent's
parameter of the same name counts as "still open", since that is what bubbling writes.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from sparkleform.cfn import NESTED_STACK_TYPE
from sparkleform.errors import ConfigError

MODES = ("deep", "shallow", "none")


@dataclass(eq=False)
class _Node:
    template: dict
    compiled: Any
    logical: str | None = None
    parent: _Node | None = None
    children: list[_Node] = field(default_factory=list)

    @property
    def path(self) -> tuple[str, ...]:
        out: list[str] = []
        node: _Node | None = self
        while node is not None and node.logical is not None:
            out.append(node.logical)
            node = node.parent
        return tuple(reversed(out))

    def section(self, name: str) -> dict:
        value = self.template.get(name)
        if not isinstance(value, dict):
            value = self.template[name] = {}
        return value

    def given(self) -> dict | None:
        """The Parameters the parent passes to this nested stack (None: not a plain mapping)."""
        assert self.parent is not None
        res = self.parent.template["Resources"][self.logical]
        props = res.setdefault("Properties", {})
        params = props.setdefault("Parameters", {})
        return params if isinstance(params, dict) else None


def check_mode(mode: str) -> str:
    if mode not in MODES:
        raise ConfigError(f"apply_nesting must be one of {', '.join(MODES)}, not {mode!r}")
    return mode


def apply_nesting(compiled: Any, mode: str = "deep") -> Any:
    """Wire the nested stacks' parameters of `compiled` (a dsl Compiled) by `mode`."""
    check_mode(mode)
    if mode == "none" or not getattr(compiled, "nested", None):
        return compiled
    root = _tree(compiled)
    nodes = _preorder(root)
    bubbled: dict[int, set[str]] = {}
    for node in nodes[1:]:
        for name, decl in list((node.template.get("Parameters") or {}).items()):
            _wire_one(node, name, decl, nodes, mode, bubbled)
    _drop_unused(nodes, bubbled)
    return compiled


def _tree(compiled: Any) -> _Node:
    root = _Node(compiled.template, compiled)
    pending = [root]
    while pending:
        node = pending.pop()
        nested = getattr(node.compiled, "nested", None) or {}
        for logical, res in (node.template.get("Resources") or {}).items():
            if not isinstance(res, dict) or res.get("Type") != NESTED_STACK_TYPE:
                continue
            url = (res.get("Properties") or {}).get("TemplateURL")
            child = nested.get(url) if isinstance(url, str) else None
            if child is None or not isinstance(child.template, dict):
                continue
            kid = _Node(child.template, child, logical, node)
            node.children.append(kid)
            pending.append(kid)
    return root


def _preorder(root: _Node) -> list[_Node]:
    out: list[_Node] = []
    stack = [root]
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(reversed(node.children))
    return out


def _ancestors(node: _Node) -> list[_Node]:
    out = []
    while node.parent is not None:
        node = node.parent
        out.append(node)
    return out


def _wire_one(node: _Node, name: str, decl: Any, nodes: list[_Node], mode: str, bubbled: dict[int, set[str]]) -> None:
    if isinstance(decl, dict) and decl.get("StackUnique"):
        _stack_unique(node, name, decl, bubbled)
        return
    # Follow `Ref: name` up while each parent passes its own parameter of the same name.
    cur = node
    chain: list[_Node] = []
    while cur.parent is not None:
        given = cur.given()
        if given is None:
            return
        value = given.get(name)
        if value is None:
            break
        if value == {"Ref": name} and name in (cur.parent.template.get("Parameters") or {}):
            chain.append(cur.parent)
            cur = cur.parent
            continue
        return  # wired explicitly (or by t.nest to a sibling)
    source = _find_output(node, name, nodes, mode)
    if source is not None:
        _connect(source, node, name, decl)
        for held in chain:
            bubbled.setdefault(id(held), set()).add(name)
        return
    # Nothing outputs it: bubble up until a stack's parent provides it.
    cur = node
    while cur.parent is not None:
        given = cur.given()
        if given is None or name in given:
            break
        params = cur.parent.section("Parameters")
        params.setdefault(name, copy.deepcopy(decl))
        given[name] = {"Ref": name}
        cur = cur.parent


def _stack_unique(node: _Node, name: str, decl: dict, bubbled: dict[int, set[str]]) -> None:
    """sfn's StackUnique: the parent gets a parameter of its own, `<Logical><Name>`, for this
    stack alone (no output, no sharing with a same-named parameter), bubbled to the root."""
    assert node.parent is not None
    given = node.given()
    if given is None:
        return
    current = given.get(name)
    if current is not None and current != {"Ref": name}:
        return  # given explicitly
    if current == {"Ref": name}:
        bubbled.setdefault(id(node.parent), set()).add(name)  # t.nest shared it: undo if unused
    unique = f"{node.logical}{name}"
    given[name] = {"Ref": unique}
    node.parent.section("Parameters").setdefault(unique, copy.deepcopy(decl))
    cur = node.parent
    while cur.parent is not None:
        up = cur.given()
        if up is None or unique in up:
            break
        cur.parent.section("Parameters").setdefault(unique, copy.deepcopy(decl))
        up[unique] = {"Ref": unique}
        cur = cur.parent


def _find_output(node: _Node, name: str, nodes: list[_Node], mode: str) -> _Node | None:
    """The stack whose output `name` feeds `node`: the nearest in the tree (longest common
    path), the first in document order among equals; never an ancestor or a descendant."""
    related = {id(a) for a in _ancestors(node)}
    path = node.path
    best: tuple[int, int] | None = None
    found = None
    for order, other in enumerate(nodes):
        if other is node or id(other) in related or other.path[: len(path)] == path:
            continue
        if name not in (other.template.get("Outputs") or {}):
            continue
        if mode == "shallow" and other.parent is not node.parent:
            continue
        common = 0
        for a, b in zip(other.path, path, strict=False):
            if a != b:
                break
            common += 1
        key = (-common, order)
        if best is None or key < best:
            best, found = key, other
    return found


def _connect(source: _Node, target: _Node, name: str, decl: Any) -> None:
    """Bubble `source`'s output `name` up to the common ancestor, then drip it down to `target`."""
    target_path = set(map(id, [target, *_ancestors(target)]))
    cur = source
    out_name = name
    while cur.parent is not None and id(cur.parent) not in target_path:
        outputs = cur.parent.section("Outputs")
        output = {"Value": {"Fn::GetAtt": [cur.logical, f"Outputs.{out_name}"]}}
        carried = out_name
        while carried in outputs and outputs[carried] != output:
            carried = f"{cur.logical}{carried}"
        outputs[carried] = output
        out_name = carried
        cur = cur.parent
    common = cur.parent
    value: Any = {"Fn::GetAtt": [cur.logical, f"Outputs.{out_name}"]}
    down = [target]
    while down[-1].parent is not common:
        down.append(down[-1].parent)  # type: ignore[arg-type]
    for node in reversed(down):
        given = node.given()
        if given is None:
            return
        given[name] = value
        if node is not target:
            node.section("Parameters").setdefault(name, copy.deepcopy(decl))
            value = {"Ref": name}


def _drop_unused(nodes: list[_Node], bubbled: dict[int, set[str]]) -> None:
    """Parameters that only passed a value down, before an output took their place."""
    for node in nodes:
        for name in bubbled.get(id(node), ()):
            params = node.template.get("Parameters") or {}
            body = {k: v for k, v in node.template.items() if k != "Parameters"}
            if name in params and not _referenced(body, name):
                del params[name]
        if "Parameters" in node.template and not node.template["Parameters"]:
            del node.template["Parameters"]


def _referenced(value: Any, name: str) -> bool:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "Ref" and item == name:
                return True
            if key == "Fn::Sub" and _sub_mentions(item, name):
                return True
            if _referenced(item, name):
                return True
    elif isinstance(value, list):
        return any(_referenced(v, name) for v in value)
    return False


def _sub_mentions(item: Any, name: str) -> bool:
    text = item[0] if isinstance(item, list) and item else item
    return isinstance(text, str) and "${" + name + "}" in text


__all__ = ["MODES", "apply_nesting", "check_mode"]
