"""Read and vet every input a user hands sparkleform: decoding, and the size and depth limits.

Every verb reads its files (templates, parameters files, sparkleform.toml, IAM policies,
stdin) through `read_input` / `read_stdin`, so a file that is not text, a directory, or one
over the limits gives the same one-line InputError everywhere. `check_document` vets what a
parser produced (depth, node count, lone surrogates); the limits are in docs/security.md.
"""

from __future__ import annotations

import codecs
import sys
from pathlib import Path
from typing import Any

from sparkleform.errors import InputError

MAX_INPUT_BYTES = 10 * 1024 * 1024  # any one input file: templates, parameters, policies, config
MAX_DEPTH = 100  # nesting of mappings and lists in any document
MAX_NODES = 1_000_000  # scalars + containers in one document
MAX_NUMBER_DIGITS = 4000  # digits in a number literal (Python refuses int() of 4,300+)
MAX_STRING_BYTES = 1024 * 1024  # one evaluated string (Fn::Base64, Fn::Join, Fn::Sub results)
MAX_NESTED_STACK_DEPTH = 10  # nested stacks within nested stacks in one template tree
PATTERN_TIMEOUT = 1.0  # seconds an AllowedPattern may take on one value

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def decode(data: bytes, name: str) -> str:
    """Text of an input: UTF-8, or UTF-8/16/32 with a byte-order mark; InputError otherwise."""
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(
            f"the input is {len(data):,} bytes; the limit is {MAX_INPUT_BYTES:,}", location=name
        )
    encoding = "utf-8"
    for bom, codec in _BOMS:
        if data.startswith(bom):
            data, encoding = data[len(bom) :], codec
            break
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1 if encoding == "utf-8" else 1
        raise InputError(
            f"not {encoding.upper()} text (byte {exc.start + 1})", location=f"{name}:{line}",
            hint="save the file as UTF-8",
        ) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise InputError("a binary file, not text (it holds a NUL character)", location=f"{name}:{line}")
    return text


def read_input(path: str | Path, what: str = "file") -> str:
    """The decoded text of the input file `path`; `what` names it in errors ("parameters file")."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_INPUT_BYTES + 1)
    except FileNotFoundError:
        raise InputError(f"cannot read {what} {path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{what} {path} is a directory, not a file") from None
    except OSError as exc:
        raise InputError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    return decode(data, str(path))


def read_stdin() -> str:
    """Standard input, decoded like a file."""
    stream = getattr(sys.stdin, "buffer", None)
    data = stream.read(MAX_INPUT_BYTES + 1) if stream is not None else sys.stdin.read().encode("utf-8", "surrogateescape")
    return decode(data, "<stdin>")


def check_number(literal: str, name: str, line: int | None = None) -> None:
    """Refuse number literals longer than MAX_NUMBER_DIGITS (int() of 4,300+ digits raises)."""
    if len(literal) > MAX_NUMBER_DIGITS:
        where = f"{name}:{line}" if line else name
        raise InputError(
            f"a number of {len(literal):,} characters; the limit is {MAX_NUMBER_DIGITS}", location=where
        )


def check_text(text: str, name: str) -> None:
    """Refuse a string holding a lone surrogate (JSON's "\\udfff"): it cannot be written out."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InputError(
            f"a lone surrogate {text[exc.start]!a} in {text[:40]!a}: not a Unicode character",
            location=name,
        ) from None


def may_hold_surrogates(text: str) -> bool:
    """Whether values read from `text` (itself free of them: check_text) can hold a lone
    surrogate: only a `\\u` (JSON, YAML) or `\\U` (YAML) escape can make one. One scan of
    the text instead of one check per value."""
    return "\\u" in text or "\\U" in text


def check_document(doc: Any, name: str, *, max_depth: int = MAX_DEPTH, strings: bool = True) -> Any:
    """Walk a parsed document without recursion: depth, node count and text limits. Returns doc.

    `strings=False` leaves out the lone-surrogate check of every string (the reader passes
    it when the source text has no escape that could make one: `may_hold_surrogates`).
    """
    if not strings:
        return _check_shape(doc, name, max_depth)
    stack: list[tuple[Any, int]] = [(doc, 1)]
    nodes = 0
    while stack:
        node, depth = stack.pop()
        nodes += 1
        if nodes > MAX_NODES:
            raise InputError(f"more than {MAX_NODES:,} values in one document", location=name)
        if isinstance(node, dict):
            if depth > max_depth:
                raise InputError(f"nested more than {max_depth} levels deep", location=name)
            for key, value in node.items():
                if isinstance(key, str):
                    check_text(key, name)
                stack.append((value, depth + 1))
        elif isinstance(node, list):
            if depth > max_depth:
                raise InputError(f"nested more than {max_depth} levels deep", location=name)
            stack.extend((item, depth + 1) for item in node)
        elif isinstance(node, str):
            check_text(node, name)
    return doc


def _check_shape(doc: Any, name: str, max_depth: int) -> Any:
    """check_document's depth and node-count limits alone: only containers are visited."""
    if type(doc) is not dict and type(doc) is not list:
        return doc
    stack: list[tuple[Any, int]] = [(doc, 1)]
    nodes = 1  # the document itself, as check_document counts it
    while stack:
        node, depth = stack.pop()
        if depth > max_depth:
            raise InputError(f"nested more than {max_depth} levels deep", location=name)
        values = node.values() if type(node) is dict else node
        nodes += len(values)
        if nodes > MAX_NODES:
            raise InputError(f"more than {MAX_NODES:,} values in one document", location=name)
        deeper = depth + 1
        for value in values:
            if type(value) is dict or type(value) is list:
                stack.append((value, deeper))
    return doc


def check_endpoint_url(url: str) -> str:
    """An --endpoint-url is http(s)://host[:port][/path] with a valid host and port."""
    from urllib.parse import urlsplit

    def bad(why: str) -> InputError:
        return InputError(f"--endpoint-url {url!r}: {why}", hint="for example http://127.0.0.1:5000")

    check_text(url, "--endpoint-url")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise bad(str(exc).replace("Port out of range 0-65535", "the port must be 0-65535")) from None
    if parts.scheme not in ("http", "https"):
        raise bad("it needs a scheme, http:// or https://")
    host = parts.hostname or ""
    if not host or any(c.isspace() or c in "\\<>\"'`{}|^" for c in host):
        raise bad("it has no valid host name")
    if port == 0:
        raise bad("the port must be 1-65535")
    return url
