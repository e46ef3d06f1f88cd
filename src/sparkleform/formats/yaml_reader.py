"""Read a YAML template into a plain dict plus a SourceMap, CloudFormation's way.

libyaml (PyYAML's C parser) builds the node tree; this module walks the nodes once,
turning short-form tags into long-form intrinsics, refusing duplicate keys, reading plain
scalars with CloudFormation's YAML 1.1 rules (see `scalars`), and recording the line of
every mapping key and list item. Skipping PyYAML's generic constructor machinery and its
regex-based tag resolver is what makes this several times faster than `yaml.safe_load`.
"""

from __future__ import annotations

import functools
import gc
from functools import cache
from typing import Any

from sparkleform.errors import FormatError
from sparkleform.formats.scalars import SPECIAL_FIRST as _SPECIAL_FIRST
from sparkleform.formats.scalars import plain_value, yaml11_surprise
from sparkleform.formats.tags import DOTTED, MAPPING, SCALAR, SEQUENCE, accepts, describe_shape, long_name
from sparkleform.sourcemap import Location, SourceMap

_PLAIN = "?plain"  # our resolver's tag for an unquoted scalar; resolved while walking
_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_STD = "tag:yaml.org,2002:"


# PyYAML's node classes, bound on first use so importing this module does not import yaml.
ScalarNode: Any = None
SequenceNode: Any = None
MappingNode: Any = None


def _resolve(self: Any, kind: type, value: Any, implicit: Any) -> str:
    if kind is ScalarNode:
        return _PLAIN if implicit[0] else _STR
    return _MAP if kind is MappingNode else _SEQ


@cache
def _composer_class() -> type:
    """A libyaml-backed node composer (pure-Python PyYAML when libyaml is missing)."""
    global ScalarNode, SequenceNode, MappingNode
    import yaml
    from yaml import nodes

    ScalarNode, SequenceNode, MappingNode = nodes.ScalarNode, nodes.SequenceNode, nodes.MappingNode
    try:
        from yaml._yaml import CParser  # what yaml.cyaml.CParser is

        c_parser: Any = CParser
    except ImportError:  # pragma: no cover - depends on how PyYAML was built
        c_parser = None
    if c_parser is not None:
        base: tuple[type, ...] = (c_parser,)

        def init(self: Any, stream: str) -> None:
            c_parser.__init__(self, stream)

    else:  # pragma: no cover
        base = (yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer)

        def init(self: Any, stream: str) -> None:
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            yaml.composer.Composer.__init__(self)

    return type(
        "_Composer",
        base,
        # The composer calls descend_resolver(parent, index) and ascend_resolver() around every
        # node; nothing here needs them. Built-in callables that take those arguments (types
        # are not bound as methods) do nothing without a Python frame per node.
        {"__init__": init, "resolve": _resolve, "descend_resolver": slice, "ascend_resolver": tuple},
    )


def compose(text: str, filename: str) -> Any:
    """The root node of a one-document YAML text (None when it is empty)."""
    import yaml

    composer = _composer_class()(text)
    try:
        return composer.get_single_node()
    except yaml.YAMLError as exc:
        raise _syntax_error(exc, filename) from None
    finally:
        dispose = getattr(composer, "dispose", None)
        if dispose is not None:
            dispose()


def _syntax_error(exc: Exception, filename: str) -> FormatError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None)
    context = getattr(exc, "context", None)
    if problem:
        message = f"YAML syntax error: {problem}"
        if context:
            message += f" ({context})"
    else:
        message = f"YAML syntax error: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
    if mark is None and getattr(exc, "position", None) is not None:
        return FormatError(message, location=f"{filename}:1")
    line = mark.line + 1 if mark is not None else 1
    error = FormatError(message, location=f"{filename}:{line}")
    if mark is not None:
        error.column = mark.column + 1
    return error


def _without_gc(fn: Any) -> Any:
    """Run a reader with the cyclic garbage collector paused: reading builds a hundred thousand
    node and value objects and no cycles, and the collector's passes over that growing heap
    cost a sixth of the read."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not gc.isenabled():
            return fn(*args, **kwargs)
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            gc.enable()

    return wrapper


@_without_gc
def read_yaml(text: str, filename: str = "<string>", notes: list[str] | None = None) -> tuple[dict, SourceMap]:
    """Parse YAML template text; raise FormatError with file:line on any problem.

    With a `notes` list, unquoted values that YAML 1.1 turns into something other than
    their text (`yes` -> true, `0644` -> 420) are described there, with file:line.
    """
    root = compose(text, filename)
    if root is None:
        raise FormatError("the template is empty", location=f"{filename}:1")
    if root.__class__ is not MappingNode:
        raise FormatError(
            "the template's top level must be a mapping (Resources:, Parameters:, ...)",
            location=f"{filename}:{root.start_mark.line + 1}",
        )
    entries: dict[tuple, Location] = {(): Location(filename, root.start_mark.line + 1)}
    try:
        doc = _Walker(filename, entries, notes).build(root, ())
    except RecursionError:
        raise FormatError(
            "the template nests too deeply (or an alias refers to the node that contains it)",
            location=f"{filename}:{root.start_mark.line + 1}",
        ) from None
    return doc, SourceMap(entries)


class LazyLineMap(SourceMap):
    """The line map of a YAML text, built the first time something asks for a line.

    Most reads of a clean template never ask (no finding to place), and the walk that
    records every key's line costs about as much again as the plain read; so the text is
    kept and walked a second time only when a line is wanted.
    """

    __slots__ = ("_built", "_filename", "_text")

    def __init__(self, text: str, filename: str) -> None:  # no super().__init__: _map is built later
        self._text: str | None = text
        self._filename = filename
        self._built: dict | None = None

    @property
    def _map(self) -> dict:  # type: ignore[override]
        if self._built is None:
            assert self._text is not None
            self._built = dict(read_yaml(self._text, self._filename)[1])
            self._text = None
        return self._built

    @property
    def built(self) -> bool:
        return self._built is not None


def read_yaml_lazy(text: str, filename: str = "<string>", notes: list[str] | None = None) -> tuple[dict, SourceMap]:
    """Like read_yaml, but the line map is only built when it is first used (LazyLineMap)."""
    return read_yaml_document(text, filename, notes), LazyLineMap(text, filename)


@_without_gc
def read_yaml_document(text: str, filename: str = "<string>", notes: list[str] | None = None) -> dict:
    """Like read_yaml without the SourceMap (conversion): no path or line kept per key."""
    root = compose(text, filename)
    if root is None:
        raise FormatError("the template is empty", location=f"{filename}:1")
    if root.__class__ is not MappingNode:
        raise FormatError(
            "the template's top level must be a mapping (Resources:, Parameters:, ...)",
            location=f"{filename}:{root.start_mark.line + 1}",
        )
    try:
        return _DocumentWalker(filename, {}, notes).build(root, ())
    except RecursionError:
        raise FormatError(
            "the template nests too deeply (or an alias refers to the node that contains it)",
            location=f"{filename}:{root.start_mark.line + 1}",
        ) from None


class _Walker:
    """Builds Python values from nodes, recording each key's and item's line."""

    __slots__ = ("_entries", "_filename", "_locations", "_notes", "_repeats", "_seen")

    # Aliases are expanded into copies; a "billion laughs" file would never finish.
    MAX_REPEATS = 100_000
    _track = True  # record each key's and item's line (the document walker does not)

    def __init__(self, filename: str, entries: dict[tuple, Location], notes: list[str] | None = None) -> None:
        self._filename = filename
        self._entries = entries
        self._locations: dict[int, Location] = {}
        self._notes = notes
        self._seen: set[int] = set()
        self._repeats = 0

    def _plain(self, node: Any, text: str) -> Any:
        value = plain_value(text)
        if self._notes is not None and value.__class__ is not str:
            surprise = yaml11_surprise(text, value)
            if surprise:
                self._notes.append(f"{self._filename}:{node.start_mark.line + 1}: {surprise}")
        return value

    def _loc(self, node: Any) -> Location:
        line = node.start_mark.line + 1
        loc = self._locations.get(line)
        if loc is None:
            loc = self._locations[line] = Location(self._filename, line)
        return loc

    def _error(self, node: Any, message: str) -> FormatError:
        return FormatError(message, location=f"{self._filename}:{node.start_mark.line + 1}")

    def build(self, node: Any, path: tuple) -> Any:
        tag = node.tag
        cls = node.__class__
        if cls is ScalarNode:
            if tag == _PLAIN:
                return self._plain(node, node.value)
            if tag == _STR:
                return node.value
            if tag.startswith("!"):
                return self._intrinsic(node, tag[1:], SCALAR, node.value, path)
            return self._tagged_scalar(node, tag)
        if id(node) in self._seen:
            self._repeats += 1
            if self._repeats > self.MAX_REPEATS:
                raise self._error(node, "aliases expand to too much data (more than 100000 copies)")
        else:
            self._seen.add(id(node))
        # A tagged collection is the argument of an intrinsic: its children live below it.
        inner = (*path, long_name(tag[1:])) if tag.startswith("!") and len(tag) > 1 else path
        if cls is MappingNode:
            value: Any = self._mapping(node, inner)
            kind = MAPPING
            standard = _MAP
        else:
            value = self._sequence(node, inner)
            kind = SEQUENCE
            standard = _SEQ
        if tag == standard:
            return value
        if tag.startswith("!"):
            return self._intrinsic(node, tag[1:], kind, value, path)
        raise self._error(node, f"unsupported YAML tag {tag!r} on a {kind}")

    def _sequence(self, node: Any, path: tuple) -> list:
        track = self._track
        entries = self._entries
        locations = self._locations
        out: list[Any] = []
        append = out.append
        item_path: tuple = ()
        for index, item in enumerate(node.value):
            if track:
                item_path = (*path, index)
                line = item.start_mark.line + 1
                loc = locations.get(line)
                if loc is None:
                    loc = locations[line] = Location(self._filename, line)
                entries[item_path] = loc
            if item.__class__ is ScalarNode:
                tag = item.tag
                if tag == _STR:
                    append(item.value)
                    continue
                if tag == _PLAIN:
                    text = item.value
                    append(self._plain(item, text) if not text or text[0] in _SPECIAL_FIRST else text)
                    continue
            append(self.build(item, item_path))
        return out

    def _mapping(self, node: Any, path: tuple) -> dict:
        track = self._track
        entries = self._entries
        locations = self._locations
        out: dict[str, Any] = {}
        merges: list[Any] = []
        key_path: tuple = ()
        for key_node, value_node in node.value:
            tag = key_node.tag
            key = key_node.value
            if tag != _STR and (tag != _PLAIN or not key or key[0] in _SPECIAL_FIRST or key == "<<"):
                if key == "<<" and tag == _PLAIN:
                    merges.append(value_node)
                    continue
                key = self._key(key_node)
            if key in out:
                self._duplicate(node, key_node, key)
            if track:
                key_path = (*path, key)
                line = key_node.start_mark.line + 1
                loc = locations.get(line)
                if loc is None:
                    loc = locations[line] = Location(self._filename, line)
                entries[key_path] = loc
            if value_node.__class__ is ScalarNode:
                tag = value_node.tag
                if tag == _STR:
                    out[key] = value_node.value
                    continue
                if tag == _PLAIN:
                    text = value_node.value
                    out[key] = self._plain(value_node, text) if not text or text[0] in _SPECIAL_FIRST else text
                    continue
            out[key] = self.build(value_node, key_path)
        for merge in merges:
            self._merge(out, merge, path)
        return out

    def _duplicate(self, node: Any, key_node: Any, key: str) -> None:
        first = next(k for k, _ in node.value if k is not key_node and self._key(k) == key)
        raise FormatError(
            f"duplicate key {key!r} (first at line {first.start_mark.line + 1}, "
            f"again at line {key_node.start_mark.line + 1})",
            location=f"{self._filename}:{key_node.start_mark.line + 1}",
        )

    def _merge(self, out: dict, merge: Any, path: tuple) -> None:
        """YAML merge keys (`<<: *base`): the merged mapping's keys, unless set explicitly."""
        from yaml.nodes import MappingNode, SequenceNode

        sources = merge.value if merge.__class__ is SequenceNode else [merge]
        for source in sources:
            if source.__class__ is not MappingNode:
                raise self._error(source, "a merge key (<<) needs a mapping or a list of mappings")
            for key, value in self.build(source, path).items():
                out.setdefault(key, value)

    def _key(self, node: Any) -> str:
        from yaml.nodes import ScalarNode

        if node.__class__ is not ScalarNode:
            raise self._error(node, "a mapping key must be a plain string, not a list or mapping")
        tag = node.tag
        if tag == _STR:
            return node.value
        if tag == _PLAIN:
            value = plain_value(node.value)
        elif tag.startswith("!"):
            raise self._error(node, f"a mapping key cannot carry the tag {tag}")
        else:
            value = self._tagged_scalar(node, tag)
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if value is None:
            return node.value
        return str(value)

    def _tagged_scalar(self, node: Any, tag: str) -> Any:
        text = node.value
        if not tag.startswith(_STD):
            raise self._error(node, f"unsupported YAML tag {tag!r}")
        name = tag[len(_STD) :]
        if name in ("str", "timestamp", "binary"):
            return text
        value = plain_value(text)
        kinds: dict[str, type | tuple[type, ...]] = {"int": int, "float": (float, int), "bool": bool, "null": type(None)}
        expected = kinds.get(name)
        if expected is None:
            raise self._error(node, f"unsupported YAML tag !!{name}")
        if isinstance(value, bool) and name != "bool":
            value = None
        if not isinstance(value, expected):
            raise self._error(node, f"{text!r} is not a valid !!{name}")
        return float(value) if name == "float" else value  # type: ignore[arg-type]  # an int or float here

    def _intrinsic(self, node: Any, tag: str, kind: str, value: Any, path: tuple) -> dict:
        if not tag:
            raise self._error(node, "an empty tag '!' is not a CloudFormation function")
        if not accepts(tag, kind):
            raise self._error(node, f"!{tag} takes {describe_shape(tag)}, not a {kind}")
        if kind == SCALAR and tag in DOTTED:
            resource, dot, attribute = value.partition(".")
            if not dot or not resource or not attribute:
                raise self._error(node, f"!{tag} {value!r} must be written Resource.Attribute")
            value = [resource, attribute]
        name = long_name(tag)
        if self._track:
            self._entries[(*path, name)] = self._loc(node)
        return {name: value}


class _DocumentWalker(_Walker):
    """The same values without source locations: no path tuples, no Location lookups."""

    __slots__ = ()
    _track = False
