"""What the generated resource modules do at run time: `ec2.Instance(t, "web", **props)` is
`t.resource("web", "AWS::EC2::Instance", **props)`. The typing lives in the `.pyi` stubs
beside each module; at run time nothing is generated, so importing one costs nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sparkleform.dsl.node import Node


class ResourceType:
    """A resource type as a callable: `ec2.Instance(t, "web", instance_type="t3.micro")`."""

    __slots__ = ("type_name",)

    def __init__(self, type_name: str) -> None:
        self.type_name = type_name

    def __call__(self, t: Any, name: str, /, **keywords: Any) -> Node:
        return t.resource(name, self.type_name, **keywords)

    def __repr__(self) -> str:
        return f"<resource type {self.type_name}>"


def service(prefix: str, names: frozenset[str]) -> Callable[[str], Any]:
    """A module `__getattr__` for one service: its type names are ResourceTypes; the stub-only
    class names (`InstanceProperties`, `InstanceResource`) are Node at run time."""

    def __getattr__(name: str) -> Any:
        if name in names:
            return ResourceType(f"{prefix}::{name}")
        for tail in ("Properties", "Resource"):
            if name.endswith(tail) and name[: -len(tail)] in names:
                return Node
        raise AttributeError(f"{prefix} has no resource type {name!r}")

    return __getattr__
