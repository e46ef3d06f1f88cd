"""Fn::ForEach (AWS::LanguageExtensions): expand loops over literal collections before
checking, so the resources they make are checked like any other.

A loop whose collection is not known without deploying (a Ref to a parameter without a
Default, a Fn::FindInMap on a parameter) is left as it is and skipped by the checks.
"""

from __future__ import annotations

import re
from typing import Any

from sparkleform.check.intrinsics import call_of

PREFIX = "Fn::ForEach::"


def _collection(value: Any, parameters: dict) -> list[str] | None:
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in value):
        return [str(v) for v in value]
    call = call_of(value)
    if call and call[0] == "Ref" and isinstance(call[1], str):
        param = parameters.get(call[1])
        default = param.get("Default") if isinstance(param, dict) else None
        if isinstance(default, str):
            return [x.strip() for x in default.split(",") if x.strip()]
        if isinstance(default, list):
            return _collection(default, parameters)
    return None


def _substitute(node: Any, name: str, value: str) -> Any:
    dollar, amp = "${" + name + "}", "&{" + name + "}"
    plain = re.sub(r"[^A-Za-z0-9]", "", value)
    if isinstance(node, str):
        return node.replace(dollar, value).replace(amp, plain)
    if isinstance(node, list):
        return [_substitute(v, name, value) for v in node]
    if isinstance(node, dict):
        if len(node) == 1 and node.get("Ref") == name:
            return value
        return {
            (k.replace(dollar, value).replace(amp, plain) if isinstance(k, str) else k): _substitute(v, name, value)
            for k, v in node.items()
        }
    return node


def expand_section(section: dict, parameters: dict) -> tuple[dict, dict[str, str], int]:
    """(expanded section, generated key -> loop key, number of loops left unexpanded)."""
    out: dict = {}
    origin: dict[str, str] = {}
    left = 0
    for key, body in section.items():
        if not (isinstance(key, str) and key.startswith(PREFIX)):
            out[key] = body
            continue
        items = _collection(body[1], parameters) if isinstance(body, list) and len(body) == 3 else None
        ident = body[0] if isinstance(body, list) and body else None
        fragment = body[2] if isinstance(body, list) and len(body) == 3 else None
        if items is None or not isinstance(ident, str) or not isinstance(fragment, dict):
            out[key] = body
            left += 1
            continue
        for item in items:
            made, _inner, inner_left = expand_section(_substitute(fragment, ident, item), parameters)
            left += inner_left
            for made_key, made_body in made.items():
                out[made_key] = made_body
                origin[made_key] = key  # findings point at the outermost loop
    return out, origin, left


def expand_foreach(template: dict) -> tuple[dict, dict[str, str], int]:
    """The template with every expandable Fn::ForEach loop unrolled."""
    raw = template.get("Parameters")
    params = raw if isinstance(raw, dict) else {}
    result = dict(template)
    origin: dict[str, str] = {}
    left = 0
    for name in ("Resources", "Outputs", "Conditions"):
        section = template.get(name)
        if isinstance(section, dict) and any(isinstance(k, str) and k.startswith(PREFIX) for k in section):
            result[name], made, n = expand_section(section, params)
            left += n
            if name == "Resources":
                origin.update(made)
    return result, origin, left
