"""Resolve the intrinsics inside a template fragment (an IAM policy) for the policy simulator."""

from __future__ import annotations

import re
from typing import Any

PSEUDO = {"AWS::Partition": "aws", "AWS::Region": "us-east-1", "AWS::AccountId": "123456789012",
          "AWS::StackName": "stack"}


def resolve(value: Any, refs: dict[str, str], atts: dict[tuple[str, str], str] | None = None) -> Any:
    """Ref (parameters, pseudo parameters, then `refs`), Fn::GetAtt (`atts`), Fn::Sub, Fn::Join."""
    atts = atts or {}
    names = {**PSEUDO, **refs}
    if isinstance(value, list):
        return [resolve(v, refs, atts) for v in value]
    if not isinstance(value, dict):
        return value
    if set(value) == {"Ref"}:
        return names[value["Ref"]]
    if set(value) == {"Fn::GetAtt"}:
        return atts[tuple(value["Fn::GetAtt"])]
    if set(value) == {"Fn::Join"}:
        sep, items = value["Fn::Join"]
        return sep.join(resolve(items, refs, atts))
    if set(value) == {"Fn::Sub"}:
        text, variables = (value["Fn::Sub"], {}) if isinstance(value["Fn::Sub"], str) else value["Fn::Sub"]
        scope = {**names, **{k: resolve(v, refs, atts) for k, v in variables.items()}}

        def one(match: re.Match) -> str:
            key = match.group(1)
            if "." in key:
                return atts[tuple(key.split(".", 1))]
            return scope[key]

        return re.sub(r"\$\{([^!}][^}]*)\}", one, text)
    return {k: resolve(v, refs, atts) for k, v in value.items()}
