"""How a plain (unquoted) YAML scalar is read, the way CloudFormation reads it.

CloudFormation's YAML is YAML 1.1-ish. What it does, and so what we do:
- `true/false/yes/no/on/off` in their three casings are booleans (CloudFormation turns an
  unquoted `Value: YES` tag into "true"; the AWS CLI quotes these words when it writes YAML
  for that reason). `y`/`n` stay strings (PyYAML and cfn-lint agree).
- `~`, `null`, `Null`, `NULL` and an empty value are null.
- Integers: decimal, `0x` hex, `0b` binary and YAML-1.1 octal (`0644` is 420: CloudFormation
  hands cfn-init an unquoted `mode: 000400` as "256"). `_` separators are allowed.
- Floats need a dot (`1.5`, `1.0e+3`, `.5`), plus `.inf`/`.nan`.
- Timestamps (`2010-09-09`) stay the strings they are written as: CloudFormation accepts an
  unquoted `AWSTemplateFormatVersion: 2010-09-09`.
- Base-60 numbers (`1:20`) stay strings: nobody writes sexagesimal on purpose, and a time
  or port pair kept as written is what the author meant.
"""

from __future__ import annotations

import re

from sparkleform.inputs import check_number

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_BOOLS = {
    "true": True, "True": True, "TRUE": True,
    "false": False, "False": False, "FALSE": False,
    "yes": True, "Yes": True, "YES": True,
    "no": False, "No": False, "NO": False,
    "on": True, "On": True, "ON": True,
    "off": False, "Off": False, "OFF": False,
}  # fmt: skip
_INT = re.compile(r"[-+]?(?:0b[01_]+|0x[0-9a-fA-F_]+|0[0-7_]+|0|[1-9][0-9_]*)\Z")
_FLOAT = re.compile(
    r"[-+]?(?:[0-9][0-9_]*\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?)\Z"
    r"|[-+]?\.(?:inf|Inf|INF)\Z|\.(?:nan|NaN|NAN)\Z"
)
# First characters that can start anything other than a string.
SPECIAL_FIRST = frozenset("0123456789+-.~nNyYtTfFoO")


def plain_value(text: str) -> object:
    """The value of an unquoted scalar: str, bool, int, float or None."""
    if not text:
        return None
    if text[0] not in SPECIAL_FIRST:
        return text
    if text in _BOOLS:
        return _BOOLS[text]
    if text in _NULLS:
        return None
    if _INT.match(text):
        return _int(text)
    if _FLOAT.match(text):
        return _float(text)
    return text


def _int(text: str) -> int:
    check_number(text, "")
    if text.isdigit() and (text[0] != "0" or len(text) == 1):
        return int(text)  # plain decimal, the common case
    text = text.replace("_", "")
    sign = -1 if text[0] == "-" else 1
    if text[0] in "+-":
        text = text[1:]
    if text.startswith("0b"):
        return sign * int(text[2:], 2)
    if text.startswith("0x"):
        return sign * int(text[2:], 16)
    if len(text) > 1 and text[0] == "0":
        return sign * int(text, 8)
    return sign * int(text)


def _float(text: str) -> float:
    text = text.replace("_", "").lower()
    if text.endswith(".inf"):
        return float("-inf") if text[0] == "-" else float("inf")
    if text.endswith(".nan"):
        return float("nan")
    return float(text)


def reads_as_string(text: str) -> bool:
    """Whether `text`, written unquoted, reads back as this same string."""
    value = plain_value(text)
    return isinstance(value, str)


_TIMESTAMP = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}")
_SEXAGESIMAL = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?\Z")
_NUMBER_LIKE = re.compile(r"[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?\Z")


def looks_typed(text: str) -> bool:
    """Whether another YAML reader might read `text` as something other than a string.

    The writer quotes these even where our reader keeps them as strings (dates, base-60
    numbers, `y`/`n`, YAML 1.2 octal), so its output means the same to every tool.
    """
    if not isinstance(plain_value(text), str):
        return True
    if text in ("y", "Y", "n", "N", "="):
        return True
    if _TIMESTAMP.match(text) or _SEXAGESIMAL.match(text) or _NUMBER_LIKE.match(text):
        return True
    return text.startswith(("0o", "+.", "-.")) or text.lower() in (".inf", ".nan")


def yaml11_surprise(text: str, value: object) -> str | None:
    """A note for an unquoted value YAML 1.1 reads as other than its text, else None."""
    if isinstance(value, bool):
        if text in ("true", "false", "True", "False", "TRUE", "FALSE"):
            return None
        return (
            f"unquoted {text} is read as the boolean {'true' if value else 'false'} (YAML 1.1); "
            f"quote it to keep the word"
        )
    if isinstance(value, int) and not _PLAIN_DECIMAL.match(text):
        digits = text.lstrip("+-")
        if digits.startswith("0x"):
            kind = "hexadecimal"
        elif digits.startswith("0b"):
            kind = "binary"
        elif _OCTAL.match(text):
            kind = "YAML 1.1 octal"
        else:
            kind = "YAML 1.1 digit separators"
        return f"unquoted {text} is read as the number {value} ({kind}); quote it to keep the text"
    return None


_PLAIN_DECIMAL = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\Z")
_OCTAL = re.compile(r"[-+]?0[0-7_]+\Z")
