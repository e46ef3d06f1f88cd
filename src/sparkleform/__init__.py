"""sparkleform: write AWS CloudFormation in Python, check it, run it as stacks.

The public API. Everything not re-exported here is internal and may change. Names are
resolved on first use (PEP 562), so `sparkleform --help` does not pay for the DSL.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    **{
        name: "sparkleform.dsl"
        for name in (
            "AWS",
            "Compiled",
            "Node",
            "Param",
            "Template",
            "and_",
            "base64",
            "cidr",
            "component",
            "condition",
            "dynamic",
            "equals",
            "find_in_map",
            "get_att",
            "get_azs",
            "if_",
            "import_value",
            "is_taggable",
            "join",
            "length",
            "not_",
            "or_",
            "ref",
            "registry",
            "select",
            "split",
            "sub",
            "tags",
            "template",
            "to_json_string",
            "transform",
        )
    },
    "SparkleformError": "sparkleform.errors",
    "OperationFailed": "sparkleform.errors",
    "compile": "sparkleform.targets",
    "load_target": "sparkleform.targets",
    # running stacks: the flows (Stacks), what they work with, and the contract they speak
    "Stacks": "sparkleform.stacks.api",
    "StackContext": "sparkleform.stacks.context",
    "Reporter": "sparkleform.stacks.context",
    "StackInputs": "sparkleform.stacks.request",
    "get_provider": "sparkleform.providers",
    **{
        name: "sparkleform.contract"
        for name in (
            "NoUpdates",
            "Plan",
            "Provider",
            "Stack",
            "StackBusy",
            "StackError",
            "StackExists",
            "StackNotFound",
            "StackOperationFailed",
            "StackStateError",
        )
    },
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'sparkleform' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:  # pragma: no cover
    from sparkleform.contract import (  # noqa: F401
        NoUpdates,
        Plan,
        Provider,
        Stack,
        StackBusy,
        StackError,
        StackExists,
        StackNotFound,
        StackOperationFailed,
        StackStateError,
    )
    from sparkleform.dsl import (  # noqa: F401
        AWS,
        Compiled,
        Node,
        Param,
        Template,
        and_,
        base64,
        cidr,
        component,
        condition,
        dynamic,
        equals,
        find_in_map,
        get_att,
        get_azs,
        if_,
        import_value,
        is_taggable,
        join,
        length,
        not_,
        or_,
        ref,
        registry,
        select,
        split,
        sub,
        tags,
        template,
        to_json_string,
        transform,
    )
    from sparkleform.errors import OperationFailed, SparkleformError  # noqa: F401
    from sparkleform.providers import get_provider  # noqa: F401
    from sparkleform.stacks.api import Stacks  # noqa: F401
    from sparkleform.stacks.context import Reporter, StackContext  # noqa: F401
    from sparkleform.stacks.request import StackInputs  # noqa: F401
    from sparkleform.targets import compile, load_target  # noqa: F401
