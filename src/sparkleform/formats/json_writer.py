"""Write a template dict as JSON: keys in template order, 2-space indent (or compact), newline at end."""

from __future__ import annotations

import json
from typing import Any

from sparkleform.errors import FormatError


def _default(value: Any) -> Any:
    isoformat = getattr(value, "isoformat", None)
    if isoformat is not None:  # dates from other YAML loaders
        return isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"a template cannot hold a {type(value).__name__} ({value!r})")


def dump_json(doc: dict, *, compact: bool = False) -> str:
    """The template as JSON text; non-ASCII text is written as is (UTF-8)."""
    try:
        if compact:
            text = json.dumps(doc, ensure_ascii=False, allow_nan=False, default=_default, separators=(",", ":"))
        else:
            out: list[str] = []
            _Pretty(out).value(doc, "\n")
            text = "".join(out)
    except RecursionError:
        raise FormatError("the template nests too deeply to write as JSON") from None
    except ValueError as exc:  # inf / nan
        raise FormatError(f"the template cannot be written as JSON: {exc}") from None
    except TypeError as exc:
        raise FormatError(str(exc)) from None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates (from \ud800-style JSON escapes): keep them escaped
        layout: dict[str, Any] = {"separators": (",", ":")} if compact else {"indent": 2}
        text = json.dumps(doc, allow_nan=False, default=_default, **layout)
    return text + "\n"


class _Pretty:
    """json.dumps(indent=2) output, built without the json module's pure-Python indenting encoder.

    With `indent`, json.dumps leaves its C encoder for a Python one; writing the layout here
    and encoding only the leaves with the C string encoder is several times faster.
    """

    __slots__ = ("_encode", "_out", "_strings")

    def __init__(self, out: list[str]) -> None:
        self._out = out
        self._encode = json.encoder.encode_basestring  # the C version when available
        self._strings: dict[str, str] = {}

    def _string(self, text: str) -> str:
        encoded = self._strings.get(text)
        if encoded is None:
            encoded = self._strings[text] = self._encode(text)
        return encoded

    def value(self, value: Any, newline: str) -> None:
        out = self._out
        if isinstance(value, str):
            out.append(self._string(value))
        elif isinstance(value, dict):
            if not value:
                out.append("{}")
                return
            inner = newline + "  "
            separator = "{" + inner
            for key, item in value.items():
                out.append(separator)
                if not isinstance(key, str):
                    key = _key_text(key)
                out.append(self._string(key))
                out.append(": ")
                self.value(item, inner)
                separator = "," + inner
            out.append(newline + "}")
        elif isinstance(value, list):
            if not value:
                out.append("[]")
                return
            inner = newline + "  "
            separator = "[" + inner
            for item in value:
                out.append(separator)
                self.value(item, inner)
                separator = "," + inner
            out.append(newline + "]")
        elif value is True:
            out.append("true")
        elif value is False:
            out.append("false")
        elif value is None:
            out.append("null")
        elif value.__class__ is int:
            out.append(int.__repr__(value))  # what json.dumps writes, without building an encoder per number
        else:
            out.append(json.dumps(value, allow_nan=False, default=_default, ensure_ascii=False))


def _key_text(key: Any) -> str:
    if key is True:
        return "true"
    if key is False:
        return "false"
    if key is None:
        return "null"
    if isinstance(key, (int, float)):
        return json.dumps(key, allow_nan=False)
    raise TypeError(f"a template key cannot be a {type(key).__name__} ({key!r})")
