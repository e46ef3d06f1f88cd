"""The auto-vivifying tree templates are written in.

Attribute access makes a child if it is missing; `node["Exact"]` addresses a key exactly;
`with node as n:` yields the node (for indentation that mirrors the template). Assigning
sets a value (replacing any children); nodes merge, values overwrite, lists are replaced
whole. Every child remembers the user's file:line that set it. Node methods start with an
underscore, so no CloudFormation key is ever shadowed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Literal

from sparkleform.dsl.location import caller_location
from sparkleform.dsl.names import camel, identity, is_snake
from sparkleform.errors import TemplateError
from sparkleform.sourcemap import Location


class Slot:
    """One child of a node: how it was spelled, whether exactly, its value and origin."""

    __slots__ = ("exact", "loc", "name", "value")

    def __init__(self, name: str, exact: bool, value: Any, loc: Location | None) -> None:
        self.name = name
        self.exact = exact
        self.value = value
        self.loc = loc


class Node:
    """A mapping in the template tree. See the module docstring for the rules."""

    __slots__ = ("_key", "_loc", "_origin", "_parent", "_slots")
    # set through object.__setattr__ (plain assignment makes a child); declared for the type checker
    _key: str | None
    _loc: Location | None
    _origin: Node | None
    _parent: Node | None
    _slots: dict[str, Slot]

    def __init__(self, key: str | None = None, parent: Node | None = None, loc: Location | None = None) -> None:
        object.__setattr__(self, "_slots", {})
        object.__setattr__(self, "_key", key)
        object.__setattr__(self, "_parent", parent)
        object.__setattr__(self, "_loc", loc)
        object.__setattr__(self, "_origin", None)  # the node this one was copied from

    # -- attribute and item access --------------------------------------------------
    def __getattr__(self, name: str) -> Node:
        if name.startswith("_"):
            raise AttributeError(
                f"{name!r}: names starting with '_' are node methods; use node[{name!r}] for such a key"
            )
        return self._child(name, exact=not is_snake(name), loc=None)

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_"):
            raise AttributeError(f"cannot set {name!r}: use node[{name!r}] = ... for such a key")
        self._assign(name, not is_snake(name), value, caller_location())

    def __delattr__(self, name: str) -> None:
        self._delete(name)

    def __getitem__(self, key: str) -> Node:
        _check_key(key)
        return self._child(key, exact=not is_snake(key), loc=None)

    def __setitem__(self, key: str, value: Any) -> None:
        _check_key(key)
        self._assign(key, not is_snake(key), value, caller_location())

    def __delitem__(self, key: str) -> None:
        self._delete(key)

    def __contains__(self, key: str) -> bool:
        return identity(key) in self._slots

    def __enter__(self) -> Node:
        return self

    def __exit__(self, *exc: object) -> Literal[False]:
        return False

    def __iter__(self) -> Iterator[str]:
        raise TypeError("a template node is not iterable; use node._keys()")

    def __len__(self) -> int:
        return len(self._slots)

    def __bool__(self) -> bool:
        return True

    def __repr__(self) -> str:
        return f"<Node {'.'.join(str(p) for p in self._path()) or '(root)'} keys={self._keys()}>"

    # -- the underscore API -----------------------------------------------------------
    def _set(self, key: str, value: Any) -> Node:
        """Set `key` (exact spelling) to `value`; returns this node for chaining."""
        _check_key(key)
        self._assign(key, True, value, caller_location())
        return self

    def _get(self, key: str, default: Any = None) -> Any:
        """The child or value under `key` (any spelling), or `default`; never creates."""
        slot = self._slots.get(identity(key))
        return default if slot is None else slot.value

    def _delete(self, key: str) -> None:
        self._slots.pop(identity(key), None)

    def _keys(self) -> list[str]:
        """The children's names, as spelled (exact) or converted (snake)."""
        return [s.name if s.exact else camel(s.name) for s in self._slots.values()]

    def _path(self) -> tuple[str, ...]:
        parts: list[str] = []
        node: Node | None = self
        while node is not None and node._key is not None:
            parts.append(node._key if not is_snake(node._key) else camel(node._key))
            node = node._parent
        return tuple(reversed(parts))

    def _source(self, key: str | None = None) -> Location | None:
        """Where this node (or its child `key`) was set in the user's code."""
        if key is None:
            return self._loc
        slot = self._slots.get(identity(key))
        return None if slot is None else slot.loc

    def _merge(self, data: Mapping[str, Any] | Node) -> Node:
        """Merge a mapping (or another node) into this one: nodes merge, values overwrite."""
        loc = caller_location()
        if isinstance(data, Node):
            for slot in data._slots.values():
                self._merge_value(slot.name, slot.exact, slot.value, slot.loc or loc)
        else:
            for key, value in data.items():
                self._merge_value(key, True, value, loc)
        return self

    def _data(self) -> dict[str, Any]:
        """The subtree as plain data, names by the plain rule (no schema)."""
        return {
            (s.name if s.exact else camel(s.name)): plain(s.value) for s in self._slots.values()
        }

    @property
    def _name(self) -> str:
        """This node's own name in the template (what `ref(node)` refers to).

        A node assigned somewhere as a value is a copy; it still names its original, so
        `r.depends_on = other` means the resource `other`.
        """
        if self._origin is not None:
            return self._origin._name
        if self._key is None:
            raise TemplateError("the template root has no name")
        return self._key if not is_snake(self._key) else camel(self._key)

    # -- internals --------------------------------------------------------------------
    def _child(self, name: str, exact: bool, loc: Location | None) -> Node:
        ident = identity(name)
        slot = self._slots.get(ident)
        if slot is not None:
            value = slot.value
            if isinstance(value, Node):
                if exact and not slot.exact:
                    slot.name, slot.exact = name, True
                return value
            if isinstance(value, Mapping):
                # A dict set earlier becomes a node so it can be changed in place.
                node = Node(slot.name, self, slot.loc)
                for key, val in value.items():
                    node._slots[identity(key)] = Slot(key, True, val, slot.loc)
                slot.value = node
                return node
            raise TemplateError(
                f"{'.'.join(self._path() + (name,))} holds a value ({type(value).__name__}), not a mapping",
                location=str(caller_location() or ""),
            )
        node = Node(name, self, loc or caller_location())
        self._slots[ident] = Slot(name, exact, node, node._loc)
        return node

    def _assign(self, name: str, exact: bool, value: Any, loc: Location | None) -> None:
        ident = identity(name)
        if isinstance(value, Node):
            if value is self._slots.get(ident, _MISSING_SLOT).value:
                return  # `with x as n: ... ; parent.x = n` is a no-op
            copy = Node(name, self, loc)
            copy._merge_from(value)
            object.__setattr__(copy, "_origin", value._origin or value)
            value = copy
        slot = self._slots.get(ident)
        if slot is None:
            self._slots[ident] = Slot(name, exact, value, loc)
        else:
            slot.value = value
            slot.loc = loc
            if exact:
                slot.name, slot.exact = name, True

    def _merge_value(self, name: str, exact: bool, value: Any, loc: Location | None) -> None:
        ident = identity(name)
        slot = self._slots.get(ident)
        if slot is not None and isinstance(value, (Mapping, Node)):
            target = self._child(name, exact, loc)
            if isinstance(value, Node):
                target._merge_from(value)
            else:
                for k, v in value.items():
                    target._merge_value(k, True, v, loc)
            return
        self._assign(name, exact, value, loc)

    def _merge_from(self, other: Node) -> None:
        for slot in other._slots.values():
            self._merge_value(slot.name, slot.exact, slot.value, slot.loc)


class _Missing:
    value = object()


_MISSING_SLOT = _Missing()


def _check_key(key: object) -> None:
    if not isinstance(key, str) or not key:
        raise TemplateError(f"template keys are non-empty strings, not {key!r}", location=str(caller_location() or ""))


def plain(value: Any) -> Any:
    """A deep copy of `value` with nodes turned into dicts (names by the plain rule): values
    that may hold nodes made into plain JSON-ready data."""
    if isinstance(value, Node):
        return value._data()
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value
