"""Custom resources: local Python handlers registered by ServiceToken.

`register_handler(token, fn)` makes `fn(request) -> dict | None` answer Create/Update/Delete
requests of custom resources (`Custom::*`, `AWS::CloudFormation::CustomResource`) whose
ServiceToken equals `token`, matches it as a shell pattern (`"*"`, `"arn:*:function:*Seeder*"`),
or whose resource type equals it (`"Custom::Seeder"`). The request carries RequestType,
ResourceProperties, OldResourceProperties, LogicalResourceId, PhysicalResourceId,
ResourceType, StackId and ServiceToken; the reply may set PhysicalResourceId and Data.
A handler fails the resource by raising, or by replying {"Status": "FAILED", "Reason": ...}.

Without a handler, the template may give the reply in the resource's Metadata under
`sparkleform:data` (the Data object; `sparkleform:physical-id` optionally names it).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable
from typing import Any

Handler = Callable[[dict[str, Any]], "dict[str, Any] | None"]

_handlers: dict[str, Handler] = {}

CUSTOM_TYPE = "AWS::CloudFormation::CustomResource"


def is_custom(rtype: str) -> bool:
    return rtype == CUSTOM_TYPE or rtype.startswith("Custom::")


def register_handler(service_token: str, fn: Handler) -> None:
    """Answer custom resources with this ServiceToken (exact, shell pattern or resource type)."""
    _handlers[service_token] = fn


def unregister_handler(service_token: str) -> None:
    _handlers.pop(service_token, None)


def find_handler(service_token: str, resource_type: str) -> Handler | None:
    if service_token in _handlers:
        return _handlers[service_token]
    if resource_type in _handlers:
        return _handlers[resource_type]
    for pattern, fn in _handlers.items():
        if any(c in pattern for c in "*?[") and fnmatch.fnmatchcase(service_token, pattern):
            return fn
    return None
