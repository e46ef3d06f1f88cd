"""Read a JSON template into a plain dict plus a SourceMap, refusing duplicate keys.

`json.loads` silently keeps the last of two equal keys and forgets line numbers, so this is
a small recursive-descent parser that uses the json module's C string scanner for the heavy
part and records the line of every key and list item. `read_json_fast` is the plain
`json.loads` path (with a duplicate check) for callers that need no line numbers.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Callable
from json.decoder import scanstring  # type: ignore[attr-defined]  # the C scanner; not in the stubs
from typing import Any, cast

from sparkleform.errors import FormatError
from sparkleform.inputs import MAX_NUMBER_DIGITS
from sparkleform.sourcemap import Location, SourceMap

# Whitespace, possibly none: it matches at every position, so its match is never None.
_WS = cast("Callable[[str, int], re.Match[str]]", re.compile(r"[ \t\n\r]*").match)
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_LITERALS = (("true", True), ("false", False), ("null", None))


class _Duplicate(Exception):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise _Duplicate
    return out


def read_json_fast(text: str, filename: str = "<string>") -> dict:
    """The template dict via the C json parser; falls back to `read_json` to explain errors."""
    try:
        doc = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_bad_constant)
    except (_Duplicate, ValueError, RecursionError):
        return read_json(text, filename)[0]  # raises the located error
    if not isinstance(doc, dict):
        raise FormatError("the template's top level must be a JSON object", location=f"{filename}:1")
    return doc


def _bad_constant(name: str) -> Any:
    raise ValueError(name)


def read_json(text: str, filename: str = "<string>") -> tuple[dict, SourceMap]:
    """Parse JSON template text; raise FormatError with file:line on any problem."""
    try:
        return _Parser(text, filename).parse()
    except RecursionError:
        raise FormatError("the template nests too deeply", location=f"{filename}:1") from None


class _Parser:
    __slots__ = ("_entries", "_filename", "_locations", "_newlines", "_text")

    def __init__(self, text: str, filename: str) -> None:
        self._text = text
        self._filename = filename
        self._newlines = [m.start() for m in re.finditer("\n", text)]
        self._entries: dict[tuple, Location] = {}
        self._locations: dict[int, Location] = {}

    def _line(self, pos: int) -> int:
        return bisect_right(self._newlines, pos - 1) + 1

    def _loc(self, pos: int) -> Location:
        line = self._line(pos)
        loc = self._locations.get(line)
        if loc is None:
            loc = self._locations[line] = Location(self._filename, line)
        return loc

    def _error(self, pos: int, message: str) -> FormatError:
        line = self._line(pos)
        error = FormatError(f"JSON syntax error: {message}", location=f"{self._filename}:{line}")
        error.column = pos - (self._newlines[line - 2] + 1 if line > 1 else 0) + 1
        return error

    def parse(self) -> tuple[dict, SourceMap]:
        text = self._text
        pos = _WS(text, 0).end()
        if pos == len(text):
            raise FormatError("the template is empty", location=f"{self._filename}:1")
        if text[pos] != "{":
            raise FormatError(
                "the template's top level must be a JSON object", location=f"{self._filename}:{self._line(pos)}"
            )
        self._entries[()] = self._loc(pos)
        doc, pos = self._value(pos, ())
        pos = _WS(text, pos).end()
        if pos != len(text):
            raise self._error(pos, "unexpected text after the end of the template")
        return doc, SourceMap(self._entries)

    def _value(self, pos: int, path: tuple) -> tuple[Any, int]:
        text = self._text
        try:
            char = text[pos]
        except IndexError:
            raise self._error(pos, "the text ends where a value was expected") from None
        if char == '"':
            return self._string(pos)
        if char == "{":
            return self._object(pos, path)
        if char == "[":
            return self._array(pos, path)
        match = _NUMBER.match(text, pos)
        if match:
            number = match.group()
            if len(number) > MAX_NUMBER_DIGITS:
                raise self._error(pos, f"a number of {len(number):,} characters; the limit is {MAX_NUMBER_DIGITS}")
            if match.group(1) or match.group(2):
                return float(number), match.end()
            return int(number), match.end()
        for word, value in _LITERALS:
            if text.startswith(word, pos):
                return value, pos + len(word)
        raise self._error(pos, f"unexpected {text[pos : pos + 10]!r} where a value was expected")

    def _string(self, pos: int) -> tuple[str, int]:
        try:
            return scanstring(self._text, pos + 1, True)
        except json.JSONDecodeError as exc:
            raise self._error(exc.pos, exc.msg.lower()) from None

    def _object(self, pos: int, path: tuple) -> tuple[dict, int]:
        text = self._text
        entries = self._entries
        ws = _WS
        out: dict[str, Any] = {}
        starts: dict[str, int] = {}
        pos = ws(text, pos + 1).end()
        if text.startswith("}", pos):
            return out, pos + 1
        while True:
            if not text.startswith('"', pos):
                raise self._error(pos, "expected a key in double quotes")
            key_pos = pos
            key, pos = self._string(pos)
            pos = ws(text, pos).end()
            if not text.startswith(":", pos):
                raise self._error(pos, "expected ':' after a key")
            pos = ws(text, pos + 1).end()
            if key in starts:
                first, again = self._line(starts[key]), self._line(key_pos)
                raise FormatError(
                    f"duplicate key {key!r} (first at line {first}, again at line {again})",
                    location=f"{self._filename}:{again}",
                )
            starts[key] = key_pos
            key_path = (*path, key)
            entries[key_path] = self._loc(key_pos)
            out[key], pos = self._value(pos, key_path)
            pos = ws(text, pos).end()
            if text.startswith(",", pos):
                pos = ws(text, pos + 1).end()
                continue
            if text.startswith("}", pos):
                return out, pos + 1
            raise self._error(pos, "expected ',' or '}' after a value")

    def _array(self, pos: int, path: tuple) -> tuple[list, int]:
        text = self._text
        entries = self._entries
        ws = _WS
        out: list[Any] = []
        pos = ws(text, pos + 1).end()
        if text.startswith("]", pos):
            return out, pos + 1
        while True:
            item_path = (*path, len(out))
            entries[item_path] = self._loc(pos)
            value, pos = self._value(pos, item_path)
            out.append(value)
            pos = ws(text, pos).end()
            if text.startswith(",", pos):
                pos = ws(text, pos + 1).end()
                continue
            if text.startswith("]", pos):
                return out, pos + 1
            raise self._error(pos, "expected ',' or ']' after a value")
