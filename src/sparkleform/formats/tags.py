"""The CloudFormation short-form YAML tags: their long names and the argument shapes they take.

Shared by the YAML reader (to turn `!Tag arg` into `{"Fn::Tag": arg}` and refuse arguments of
the wrong kind) and the YAML writer (to write the short form only where it reads back the same).
"""

from __future__ import annotations

import re

SCALAR = "scalar"
SEQUENCE = "sequence"
MAPPING = "mapping"
ANY = frozenset({SCALAR, SEQUENCE, MAPPING})

# tag name (without "!") -> the node kinds its argument may be. Tags not listed take any kind.
# Only the kind is checked here; argument counts and meanings are the checker's business.
SHAPES: dict[str, frozenset[str]] = {
    "Ref": frozenset({SCALAR}),
    "Condition": frozenset({SCALAR}),
    "GetAtt": frozenset({SCALAR, SEQUENCE}),
    "Sub": frozenset({SCALAR, SEQUENCE}),
    "If": frozenset({SEQUENCE}),
    "Equals": frozenset({SEQUENCE}),
    "And": frozenset({SEQUENCE}),
    "Or": frozenset({SEQUENCE}),
    "Not": frozenset({SEQUENCE}),
    "Join": frozenset({SEQUENCE}),
    "Select": frozenset({SEQUENCE}),
    "Split": frozenset({SEQUENCE}),
    "FindInMap": frozenset({SEQUENCE}),
    "Cidr": frozenset({SEQUENCE}),
    "GetAZs": frozenset({SCALAR, MAPPING}),
    "ImportValue": frozenset({SCALAR, MAPPING}),
    "Transform": frozenset({MAPPING}),
}

# Tags whose long form has no "Fn::" prefix.
UNPREFIXED = frozenset({"Ref", "Condition"})

# A tag suffix the writer may use: letters and digits only, so it reads back unchanged.
SAFE_TAG = re.compile(r"[A-Za-z][A-Za-z0-9]*\Z")


def long_name(tag: str) -> str:
    """'Ref' -> 'Ref', 'GetAtt' -> 'Fn::GetAtt', 'Anything' -> 'Fn::Anything'."""
    return tag if tag in UNPREFIXED else "Fn::" + tag


def short_name(key: str) -> str | None:
    """The tag for a long-form key ('Fn::Sub' -> 'Sub', 'Ref' -> 'Ref'), or None if it has none."""
    if key in UNPREFIXED:
        return key
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
