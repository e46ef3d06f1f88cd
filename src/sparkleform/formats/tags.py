"""The CloudFormation short-form YAML tags: their long names and the argument kinds they take.

Shared by the YAML reader (to turn `!Tag arg` into `{"Fn::Tag": arg}` and refuse arguments of
the wrong kind) and the YAML writer (to write the short form only where it reads back the same).
The tags, the kinds each takes and `!GetAtt`'s dotted form are rows of the table of intrinsics
(sparkleform/intrinsics.py); a tag the table does not know is read as `Fn::<tag>` of any kind.
"""

from __future__ import annotations

import re

from sparkleform.intrinsics import ANY_KIND, BY_TAG, CONDITIONS, FUNCTIONS, MAP, SAME, SCALAR, SEQUENCE

MAPPING = MAP
ANY = ANY_KIND

__all__ = ["ANY", "MAPPING", "SCALAR", "SEQUENCE", "accepts", "describe_shape", "kind_of", "long_name", "short_name"]

# tag name (without "!") -> the node kinds its argument may be. Tags not listed take any kind.
# Only the kind is checked here; argument counts and meanings are the checker's business.
SHAPES: dict[str, frozenset[str]] = {tag: row.tag_kinds for tag, row in BY_TAG.items() if row.tag_kinds != ANY}

# Tags whose long form has no "Fn::" prefix.
UNPREFIXED = frozenset(tag for tag, row in BY_TAG.items() if row.name == tag)

# Tags whose scalar form is "A.B", read as the list [A, B] (`!GetAtt Resource.Attribute`).
DOTTED = frozenset(tag for tag, row in BY_TAG.items() if row.dotted)

# Long-form keys whose list items are in condition context (where `!Condition` is a call).
CONDITION_CONTEXT = frozenset(name for name, row in FUNCTIONS.items() if row.context in (CONDITIONS, SAME))

# A tag suffix the writer may use: letters and digits only, so it reads back unchanged.
SAFE_TAG = re.compile(r"[A-Za-z][A-Za-z0-9]*\Z")


def long_name(tag: str) -> str:
    """'Ref' -> 'Ref', 'GetAtt' -> 'Fn::GetAtt', 'Anything' -> 'Fn::Anything'."""
    row = BY_TAG.get(tag)
    return row.name if row is not None else "Fn::" + tag


def short_name(key: str) -> str | None:
    """The tag for a long-form key ('Fn::Sub' -> 'Sub', 'Ref' -> 'Ref'), or None if it has none."""
    row = FUNCTIONS.get(key)
    if row is not None and row.tag:
        return row.tag
    if key.startswith("Fn::"):
        tag = key[4:]
        if SAFE_TAG.match(tag):
            return tag
    return None


def kind_of(value: object) -> str:
    if isinstance(value, dict):
        return MAPPING
    if isinstance(value, list):
        return SEQUENCE
    return SCALAR


def accepts(tag: str, kind: str) -> bool:
    """Whether `!tag` may take an argument of this kind."""
    return kind in SHAPES.get(tag, ANY)


def describe_shape(tag: str) -> str:
    kinds = SHAPES.get(tag, ANY)
    words = {SCALAR: "a string", SEQUENCE: "a list", MAPPING: "a mapping"}
    ordered = [words[k] for k in (SCALAR, SEQUENCE, MAPPING) if k in kinds]
    return " or ".join(ordered)
