"""Python source layout for generated code: literals, calls and lists that wrap at a width.

`import` builds each value as a small document tree (Text, Group, Pair) and this module lays
it out: on one line when it fits, otherwise one item per line with a trailing comma, the way
a person (or ruff format) would write it. Multi-line strings become one literal per line,
joined by Python's implicit concatenation inside parentheses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

WIDTH = 100
_TOKENS = re.compile(r"\\.|.", re.DOTALL)
INDENT = "    "


@dataclass
class Text:
    text: str


@dataclass
class Group:
    """open item, item, ... close; `sep` is "," for lists and calls, "" for string pieces."""

    open: str
    items: list[Doc]
    close: str
    sep: str = ","
    force_break: bool = False
    joined: str | None = None  # the one-line form of a string split into pieces


@dataclass
class Pair:
    """`prefix` then a value: `"Key": value` in a dict, `name=value` in a call."""

    prefix: str
    value: Doc = field(default_factory=lambda: Text(""))


Doc = Text | Group | Pair


def py_string(text: str) -> str:
    """A Python literal for `text`: double quotes unless the text holds only double quotes."""
    literal = repr(text)  # escapes what must be escaped, including unprintable characters
    if literal[0] == '"' or ('"' in text and text.count('"') > text.count("'")):
        return literal
    body = literal[1:-1]
    if "'" in text:  # repr escaped the single quotes; escape the double ones instead
        body = "".join("'" if tok == "\\'" else '\\"' if tok == '"' else tok for tok in _TOKENS.findall(body))
    return '"' + body + '"'


def string_doc(text: str) -> Doc:
    """A literal; a string of several lines becomes one literal per line, concatenated."""
    lines = text.splitlines(keepends=True)
    if len(lines) < 2 or any("\r" in line or "\u2028" in line or "\x85" in line for line in lines):
        return Text(py_string(text))
    # splitlines also splits on \v, \f, \x1c-\x1e: keep pieces whose joined text is exact
    if "".join(lines) != text:  # pragma: no cover - splitlines always rejoins exactly
        return Text(py_string(text))
    return Group("(", [Text(py_string(line)) for line in lines], ")", sep="", joined=py_string(text))


def call(name: str, args: list[Doc]) -> Doc:
    """`name(args)`; a lone multi-line string argument uses the call's own parentheses."""
    if len(args) == 1 and isinstance(args[0], Group) and args[0].sep == "" and args[0].open == "(":
        only = args[0]
        return Group(name + "(", only.items, ")", sep="", joined=f"{name}({only.joined})")
    return Group(name + "(", args, ")")


def flat(doc: Doc) -> str | None:
    """The one-line rendering, or None when the document must break."""
    if isinstance(doc, Text):
        return doc.text
    if isinstance(doc, Pair):
        inner = flat(doc.value)
        return None if inner is None else doc.prefix + inner
    if doc.force_break:
        return None
    if doc.joined is not None:
        return doc.joined
    parts = []
    for item in doc.items:
        text = flat(item)
        if text is None:
            return None
        parts.append(text)
    joiner = doc.sep + " " if doc.sep else " "
    return doc.open + joiner.join(parts) + doc.close


def layout(doc: Doc, indent: int, used: int = 0) -> str:
    """Render `doc` starting at column `indent + used`; continuation lines start at `indent`."""
    one_line = flat(doc)
    if one_line is not None and indent + used + len(one_line) <= WIDTH and "\n" not in one_line:
        return one_line
    if isinstance(doc, Text):
        return doc.text
    if isinstance(doc, Pair):
        return doc.prefix + layout(doc.value, indent, used + len(doc.prefix))
    inner = indent + len(INDENT)
    pad = " " * inner
    lines = [doc.open]
    for item in doc.items:
        lines.append(pad + layout(item, inner) + doc.sep)
    lines.append(" " * indent + doc.close)
    return "\n".join(lines)
