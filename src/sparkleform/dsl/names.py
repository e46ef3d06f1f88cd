"""Names: snake_case -> CloudFormation names, and the identity two spellings share.

`web_server` -> `WebServer`; a name with a capital letter (or anything that is not a plain
snake name) is taken exactly as written. Inside a resource's Properties the schema decides;
that lookup happens at compile time (see compiler.py) through `resolve`.
"""

from __future__ import annotations

import re

from sparkleform.cfn import RESOURCE_KEYS, SECTION_ORDER

_SNAKE = re.compile(r"[a-z0-9_]+")
_WORDLIKE = re.compile(r"[A-Za-z0-9_]+")

# The DSL writes the sections in the conventional order; Hooks (not in it) goes after them.
SECTIONS: dict[str, str] = {n.lower(): n for n in SECTION_ORDER}
RESOURCE_ATTRIBUTES: dict[str, str] = {n.lower(): n for n in RESOURCE_KEYS}


def is_snake(name: str) -> bool:
    """A plain snake name (no capitals), which the naming rule converts."""
    return _SNAKE.fullmatch(name) is not None


def camel(name: str) -> str:
    """web_server -> WebServer; a name that is not plain snake is returned unchanged."""
    if not is_snake(name):
        return name
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


def identity(name: str) -> str:
    """The key two spellings of one name share: `cidr_block` and `CidrBlock` -> `cidrblock`.

    Keys that are not word-like (`us-east-1`, `/etc/hosts`, `AWS::CloudFormation::Init`)
    are their own identity, so they are never confused with anything.
    """
    if _WORDLIKE.fullmatch(name):
        return name.replace("_", "").lower()
    return name


def resolve(name: str, exact: bool, candidates: dict[str, str] | None) -> str:
    """The CloudFormation name for `name` given the names a schema allows at that place."""
    if exact or not is_snake(name):
        return name
    if candidates:
        hit = candidates.get(name.replace("_", ""))
        if hit is not None:
            return hit
    return camel(name)


class SnakeName(str):
    """A name written in snake form inside an intrinsic (e.g. a GetAtt attribute).

    It is already camel-cased; compile may refine it against the schema
    (`get_att("lb", "dns_name")` -> `DNSName` for a load balancer).
    """

    __slots__ = ("snake",)
    snake: str

    def __new__(cls, snake: str) -> SnakeName:
        obj = super().__new__(cls, ".".join(camel(part) for part in snake.split(".")))
        obj.snake = snake
        return obj


def cfn_name(name: str) -> str:
    """The plain rule, as a function for users and tools: snake -> CamelCase, else as written."""
    return camel(name)


def snake(name: str) -> str | None:
    """The snake spelling that `camel` maps back to exactly `name`, or None if there is none.

    Used by `import` to decide when a key may be written in attribute form.
    """
    if not _WORDLIKE.fullmatch(name) or not name[:1].isupper():
        return None
    parts = re.findall(r"[A-Z][a-z0-9]*", name)
    if "".join(parts) != name or any(len(p) == 1 for p in parts):
        return None  # `VPC` would read back as v_p_c: keep such names exact
    candidate = "_".join(p.lower() for p in parts)
    return candidate if camel(candidate) == name else None
