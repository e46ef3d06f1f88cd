"""The decorators and the registry of named parts (templates, components, dynamics, registry
entries) they fill.

Decorating registers a function by its name in the collection being loaded, or, outside
any collection, in the default one; the function itself is returned unchanged, so plain
import-and-call works too.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sparkleform.errors import CollectionError

KINDS = ("template", "component", "dynamic", "registry")
F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class Entry:
    """One named part: its function, kind, where it came from and its options."""

    name: str
    kind: str
    fn: Callable[..., Any]
    source: str = "default"  # the pack name or folder it was loaded from
    file: str | None = None
    line: int | None = None
    options: dict[str, Any] = field(default_factory=dict)
    previous: Entry | None = None  # the layer this one merges onto (layering="merge")

    def layers(self) -> list[Entry]:
        """This entry's layers, oldest first (just itself unless it merges)."""
        chain: list[Entry] = []
        entry: Entry | None = self
        while entry is not None:
            chain.append(entry)
            entry = entry.previous
        return chain[::-1]

    @property
    def where(self) -> str:
        from sparkleform.dsl.location import display_path

        return f"{display_path(self.file)}:{self.line}" if self.file else self.source

    @property
    def doc(self) -> str:
        return inspect.getdoc(self.fn) or self.options.get("description") or ""

    @property
    def summary(self) -> str:
        return self.doc.strip().splitlines()[0] if self.doc.strip() else ""

    def signature(self) -> str:
        try:
            return f"{self.name}{inspect.signature(self.fn)}"
        except (TypeError, ValueError):
            return self.name


class Registry:
    """Named parts by kind; a later registration of a name replaces an earlier one."""

    def __init__(self) -> None:
        self.entries: dict[str, dict[str, Entry]] = {kind: {} for kind in KINDS}
        self.aliases: dict[str, dict[str, Entry]] = {kind: {} for kind in KINDS}
        self.source = "default"

    def add(self, entry: Entry) -> None:
        """Register `entry`. A later source replaces (or, with layering="merge", merges onto)
        an earlier one's entry of the same name; two of one name from one collection or pack
        are an error naming both places."""
        existing = self.entries[entry.kind].get(entry.name)
        if existing is not None:
            if existing.source == entry.source and entry.source != "default" and existing.fn is not entry.fn:
                raise CollectionError(
                    f"{entry.kind} {entry.name!r} is defined twice in {entry.source}: "
                    f"{existing.where} and {entry.where}"
                )
            if entry.options.get("layering") == "merge" and entry.kind != "registry":
                entry.previous = existing
        self.entries[entry.kind][entry.name] = entry

    def alias(self, kind: str, name: str, entry: Entry) -> None:
        """Make `entry` reachable as `name` too (`network__vpc`); real names win over aliases."""
        self.aliases[kind][name] = entry

    def get(self, kind: str, name: str) -> Entry:
        entry = self.entries[kind].get(name) or self.aliases[kind].get(name)
        if entry is None and kind == "dynamic":
            from sparkleform.dsl.builtins import builtin_entry

            entry = builtin_entry(name)
        if entry is None:
            known = sorted(self.entries[kind])
            hint = _nearest(name, known)
            raise CollectionError(
                f"no {kind} named {name!r}"
                + (f" (did you mean {hint!r}?)" if hint else "")
                + (f"; known: {', '.join(known)}" if known and len(known) <= 12 else ""),
            )
        return entry

    def find(self, kind: str, name: str) -> Entry | None:
        return self.entries[kind].get(name) or self.aliases[kind].get(name)

    def all(self, kind: str | None = None) -> list[Entry]:
        kinds = [kind] if kind else list(KINDS)
        return [e for k in kinds for e in sorted(self.entries[k].values(), key=lambda e: e.name)]


DEFAULT = Registry()
_current: ContextVar[Registry | None] = ContextVar("sparkleform_registry", default=None)


def current_registry() -> Registry:
    return _current.get() or DEFAULT


def set_current(reg: Registry | None):
    return _current.set(reg)


def reset_current(token) -> None:
    _current.reset(token)


def _register(kind: str, fn: Callable[..., Any], options: dict[str, Any]) -> None:
    reg = current_registry()
    code = getattr(fn, "__code__", None)
    name = options.pop("name", None) or fn.__name__
    entry = Entry(
        name=name,
        kind=kind,
        fn=fn,
        source=reg.source,
        file=code.co_filename if code else None,
        line=code.co_firstlineno if code else None,
        options=options,
    )
    reg.add(entry)
    fn.__sparkleform__ = entry  # type: ignore[attr-defined]


LAYERINGS = (None, "replace", "merge")


def _decorator(kind: str, fn: Any, options: dict[str, Any]) -> Any:
    if options.get("layering") not in LAYERINGS:
        raise CollectionError(f"layering must be 'merge' or 'replace', not {options['layering']!r}")
    if fn is not None and callable(fn):
        _register(kind, fn, dict(options))
        return fn

    def wrap(f: F) -> F:
        _register(kind, f, dict(options))
        return f

    return wrap


def template(
    fn: Callable[..., Any] | None = None,
    *,
    description: str | None = None,
    load: Sequence[str] = (),
    name: str | None = None,
    inherit: str | None = None,
    layering: str | None = None,
) -> Any:
    """Register a template: `@template` or `@template(description=..., load=["base"])`.

    The function takes the Template `t` and, as keyword-only arguments, its compile-time
    parameters (`def vpc(t, *, subnets: int = 3)`). `inherit="simple"` builds the template
    `simple` first and this one on top; `layering="merge"` merges onto an earlier source's
    template of the same name instead of replacing it.
    """
    return _decorator(
        "template",
        fn,
        {"description": description, "load": list(load), "name": name, "inherit": inherit, "layering": layering},
    )


def component(fn: Callable[..., Any] | None = None, *, name: str | None = None, layering: str | None = None) -> Any:
    """Register a component: applied once to a template that loads it, after its body.
    `layering="merge"` applies an earlier source's component of the same name first."""
    return _decorator("component", fn, {"name": name, "layering": layering})


def dynamic(fn: Callable[..., Any] | None = None, *, name: str | None = None, layering: str | None = None) -> Any:
    """Register a dynamic: `fn(t, name, **config)`, applied any number of times; returns its node.
    `layering="merge"` runs an earlier source's dynamic of the same name first and passes
    its result as `previous_layer_result=` (when the function takes it)."""
    return _decorator("dynamic", fn, {"name": name, "layering": layering})


def registry(fn: Callable[..., Any] | None = None, *, name: str | None = None) -> Any:
    """Register a registry entry: `fn(node, **config)` writes into the node it is given."""
    return _decorator("registry", fn, {"name": name})


def _nearest(name: str, known: list[str]) -> str | None:
    import difflib

    hits = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    return hits[0] if hits else None
