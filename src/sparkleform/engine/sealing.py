"""NoEcho values at rest: what the state writes in place of a NoEcho value, and how it is
read back.

A stack's NoEcho parameter values are kept once, in the stack's own row (its current
values: what UsePreviousValue and resolving its resources need). Everywhere else the state
would hold one of them (a resource's resolved properties and attributes, the local parameter
store, the snapshot an update keeps for its rollback) it holds a marker instead,
`{{sparkleform:NoEcho:<id>}}` (and `...:<id>:base64}}` for `Fn::Base64` of the value alone,
`...:<id>:json}}` for the value as a JSON string's escaped text), where `<id>` names one value of
one parameter: a random id the stack's row keeps per NoEcho parameter (`secret_ids`) and changes
when the value changes. Reading a row puts the value back while the id is known; a marker whose
id is no longer known (the value was replaced by an update and nothing needs it) stays as it is,
so it compares unequal to any value.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
from collections.abc import Mapping
from typing import Any

from sparkleform.contract import NO_ECHO_MASK

PREFIX = "{{sparkleform:NoEcho:"
_MARKER = re.compile(r"\{\{sparkleform:NoEcho:([0-9a-f]{16})(?::(base64|json))?\}\}")
SHORTEST_INSIDE = 4  # a shorter value is sealed only where a whole string equals it


def new_id() -> str:
    return secrets.token_hex(8)


def _forms(value: str) -> list[tuple[str, str]]:
    """(form of the value, marker suffix), longest first."""
    forms = [(base64.b64encode(value.encode("utf-8")).decode("ascii"), ":base64")]
    escaped = json.dumps(value, ensure_ascii=False)[1:-1]
    if escaped != value:
        forms.append((escaped, ":json"))
    forms.append((value, ""))
    return sorted(forms, key=lambda f: -len(f[0]))


class Sealer:
    """Seals and unseals the values of one stack: `values` maps an id to its value."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self.values = {k: v for k, v in values.items() if isinstance(v, str) and v}
        self._replace: list[tuple[str, str, bool]] = []  # (form, marker, inside strings too)
        for key, value in self.values.items():
            for form, suffix in _forms(value):
                self._replace.append((form, f"{PREFIX}{key}{suffix}}}}}", len(value) >= SHORTEST_INSIDE))
        self._replace.sort(key=lambda r: -len(r[0]))
        self._whole = {}
        for form, marker, _ in reversed(self._replace):  # the longest form wins a tie
            self._whole[form] = marker
        inside = [(form, marker) for form, marker, within in self._replace if within]
        self._inside = dict(reversed(inside))
        # one pass, longest form first: a marker just written is never searched again
        self._pattern = re.compile("|".join(re.escape(form) for form, _ in inside)) if inside else None
        # the forms as the state's JSON text spells them (ASCII, escaped), for `holds`
        self._probes = [(json.dumps(form)[1:-1], inside) for form, _, inside in self._replace]

    def __bool__(self) -> bool:
        return bool(self.values)

    def holds(self, text: str) -> bool:
        """Whether a (JSON) text may hold one of the values (a cheap test before `seal`)."""
        for probe, inside in self._probes:
            if inside and probe in text:
                return True
            if not inside and (f'"{probe}"' in text or probe == text):
                return True
        return False

    def seal_text(self, text: str) -> str:
        marker = self._whole.get(text)
        if marker is not None:
            return marker
        if self._pattern is None:
            return text
        return self._pattern.sub(lambda m: self._inside[m.group(0)], text)

    def seal(self, node: Any) -> Any:
        """`node` (JSON-ready data) with every value replaced by its marker."""
        if isinstance(node, str):
            return self.seal_text(node)
        if isinstance(node, dict):
            return {self.seal_text(k) if isinstance(k, str) else k: self.seal(v) for k, v in node.items()}
        if isinstance(node, list):
            return [self.seal(v) for v in node]
        return node

    def unseal_text(self, text: str) -> str:
        if PREFIX not in text:
            return text
        return _MARKER.sub(self._value_of, text)

    def _value_of(self, match: re.Match[str]) -> str:
        value = self.values.get(match.group(1))
        if value is None:
            return match.group(0)
        kind = match.group(2)
        if kind == "base64":
            return base64.b64encode(value.encode("utf-8")).decode("ascii")
        if kind == "json":
            return json.dumps(value, ensure_ascii=False)[1:-1]
        return value

    def unseal(self, node: Any) -> Any:
        if isinstance(node, str):
            return self.unseal_text(node)
        if isinstance(node, dict):
            return {self.unseal_text(k) if isinstance(k, str) else k: self.unseal(v) for k, v in node.items()}
        if isinstance(node, list):
            return [self.unseal(v) for v in node]
        return node


def secret_values(parameters: Mapping[str, Any], ids: Mapping[str, str]) -> dict[str, str]:
    """id -> value, for the NoEcho parameters `ids` names (parameter -> id)."""
    return {i: parameters[p] for p, i in ids.items() if isinstance(parameters.get(p), str)}


def ids_for(parameters: Mapping[str, Any], no_echo: set[str] | list[str], previous_ids: Mapping[str, str] | None = None,
            previous: Mapping[str, Any] | None = None) -> dict[str, str]:
    """The ids of a stack's NoEcho values: a parameter keeps its id while its value stays the
    same, and gets a new one when the value changes."""
    out = {}
    for name in sorted(no_echo):
        value = parameters.get(name)
        if not isinstance(value, str) or not value or value == NO_ECHO_MASK:  # masked: a stack that keeps none
            continue
        old = (previous_ids or {}).get(name)
        if old is not None and previous is not None and previous.get(name) == value:
            out[name] = old
        else:
            out[name] = new_id()
    return out
