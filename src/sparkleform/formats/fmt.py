"""Formatting template text in place: consistent indentation, comments and key order kept.

YAML goes through ruamel.yaml's round-trip mode (comments, key order, quoting, flow or
block style and short-form tags survive; indentation becomes two spaces per level with list
dashes indented under their key, as `rain fmt` writes). JSON keeps its key order and gets
two-space indentation. Either way the result is read back with sparkleform's own reader
(CloudFormation's YAML 1.1 rules) and must give the same template, or nothing is returned:
a formatter must never change what a template means.

Also here: `yaml_comment_lines`, a cheap scan for the comments a conversion would drop.
"""

from __future__ import annotations

import io
import json
import re
from typing import Any

from sparkleform.errors import FormatError, SparkleformError
from sparkleform.formats.reader import loads_document, looks_like_json


class FormatterUnavailable(SparkleformError):
    """ruamel.yaml (the round-trip YAML library) is not installed."""


def _round_trip_yaml() -> Any:
    try:
        from ruamel.yaml import YAML
    except ImportError:
        raise FormatterUnavailable(
            "formatting YAML needs ruamel.yaml", hint="pip install 'ruamel.yaml>=0.18'"
        ) from None
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True  # CloudFormation reads YAML 1.1: 'yes' and '0644' must stay quoted
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 1 << 16  # never fold a long line
    return yaml


def format_text(text: str, filename: str = "<string>") -> str:
    """The formatted text of a JSON or YAML template (FormatError if it cannot be read)."""
    before = loads_document(text, filename)  # our reader's errors (file:line) come first
    if looks_like_json(text):
        try:
            out = json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"
        except ValueError:  # a YAML flow mapping: format it as YAML
            out = _format_yaml(text, filename)
    else:
        out = _format_yaml(text, filename)
    after = loads_document(out, filename)
    if after != before:
        raise FormatError(
            "formatting would change what the template means; left as it is",
            location=filename,
            hint="report this as a fmt bug, with the file",
        )
    return out


def _format_yaml(text: str, filename: str) -> str:
    yaml = _round_trip_yaml()
    try:
        data = yaml.load(text)
    except Exception as exc:  # ruamel's own errors; ours already passed, so this is rare
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        raise FormatError(
            f"cannot format: {str(exc).splitlines()[0]}",
            location=f"{filename}:{line + 1}" if line is not None else filename,
        ) from None
    buffer = io.StringIO()
    yaml.dump(data, buffer)
    out = buffer.getvalue()
    if text.startswith("---") and not out.startswith("---"):
        out = "---\n" + out
    return out


# A line that opens a block scalar: `key: |`, `- >-`, `Fn::Base64: !Sub |`, `k: &a |2 # note`.
_BLOCK_OPENER = re.compile(r"( *)(?:[^#]*?[:-] +|- *)?(?:[!&]\S* +)*[|>][-+0-9]*[ \t]*(?:#.*)?")
# Where one may end: found over the whole text first (fast), then the line is checked.
_BLOCK_END = re.compile(r"[|>][-+0-9]*[ \t]*(?:#[^\n]*)?$", re.M)


def yaml_comment_lines(text: str) -> list[int]:
    """Line numbers (1-based) of the comments in a YAML text, found without parsing it.

    Skips the insides of block scalars (`|`, `>`) and of quoted strings on one line, which
    covers templates as people write them; a `#` inside a multi-line quoted string may be
    taken for a comment. Cheap: the regular expressions do the scanning, Python only looks
    at block-scalar bodies and at the lines that hold a `#` (`convert` runs it on every
    YAML input).
    """
    if "#" not in text:
        return []
    import bisect

    lines = text.splitlines()
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    inside: set[int] = set()
    for end in _BLOCK_END.finditer(text):
        number = bisect.bisect_right(starts, end.start()) - 1
        opener = _BLOCK_OPENER.fullmatch(lines[number]) if number < len(lines) else None
        if opener is None or number in inside:
            continue
        depth = len(opener.group(1))
        k = number + 1
        while k < len(lines):
            body = lines[k]
            stripped = body.lstrip(" ")
            if stripped and len(body) - len(stripped) <= depth:
                break
            inside.add(k)
            k += 1
    return [n + 1 for n, line in enumerate(lines)
            if "#" in line and n not in inside and _comment_start(line) is not None]


def _comment_start(line: str) -> int | None:
    quote = None
    skip = False
    for i, ch in enumerate(line):
        if skip:
            skip = False
            continue
        if quote:
            if quote == '"' and ch == "\\":
                skip = True  # an escaped character, perhaps a quote
            elif ch == quote:
                if quote == "'" and line[i + 1 : i + 2] == "'":
                    skip = True  # '' is a quote inside a single-quoted string
                else:
                    quote = None
            continue
        if ch in "'\"" and (i == 0 or line[i - 1] in " \t:[{,-"):
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            return i
    return None
