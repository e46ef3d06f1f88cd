"""Dynamic references: `{{resolve:ssm:...}}`, `{{resolve:ssm-secure:...}}` and
`{{resolve:secretsmanager:...}}`, answered from the engine's local parameter store.

Values stay unresolved in the stored properties (secrets never reach the state's resource
rows, plans or events); the engine only checks that each reference can be resolved and
fails the resource, as CloudFormation does, when it cannot.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any, Protocol

from sparkleform.engine import messages
from sparkleform.engine.errors import ParameterUnavailable, ResourceFailure

DYNAMIC = re.compile(r"\{\{resolve:(ssm|ssm-secure|secretsmanager):([^}]+)\}\}")


class ParameterLookup(Protocol):
    """Where the values live: the local parameter store (`StackStore.ssm_lookup`)."""

    def ssm_lookup(self, name: str, version: int | None = None) -> str | None: ...


Lookup = Callable[..., "str | None"]  # StackStore.ssm_lookup: (name, version=None) -> value or None


class ParameterStoreMiss(Exception):
    """A parameter (`version` None) or one of its versions is not in the local store."""

    def __init__(self, message: str, name: str, version: int | None, *, missing: bool = True) -> None:
        super().__init__(message)
        self.message = message
        self.name = name
        self.version = version
        self.missing = missing  # the parameter is not there at all (else: that version, or its value)


def split_selector(selector: str) -> tuple[str, int | None]:
    """`name:version` -> (name, version); a name (or ARN) alone -> (name, None)."""
    if ":" in selector and not (selector.startswith("arn:") and selector.count(":") <= 5):
        head, _, tail = selector.rpartition(":")
        if tail.isdigit() and head:
            return head, int(tail)
    return selector, None


def ssm_value(lookup: Lookup, selector: str) -> str:
    """The value a selector (`name` or `name:version`) names in the local parameter store, as
    GetParameter answers it; ParameterStoreMiss when the parameter or the version is not
    there (the version's message is Systems Manager's ParameterVersionNotFound text)."""
    name, version = split_selector(selector)
    try:
        value = lookup(name, version) if version is not None else lookup(name)
        if value is not None:
            return value
        exists = version is not None and lookup(name) is not None
    except ParameterUnavailable as exc:
        raise ParameterStoreMiss(str(exc), name, version, missing=False) from None
    if exists:
        raise ParameterStoreMiss(
            messages.SSM_VERSION_NOT_FOUND.format(version=version, name=name),
            name,
            version,
            missing=False,
        )
    raise ParameterStoreMiss(f"Parameter {name} not found.", name, None)


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for v in node.values():
            yield from _strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from _strings(v)


def resolve_reference(store: ParameterLookup, service: str, ref: str) -> str:
    """The value a dynamic reference stands for; ResourceFailure when it is not in the store."""
    if service in ("ssm", "ssm-secure"):
        try:
            return ssm_value(store.ssm_lookup, ref)
        except ParameterStoreMiss as miss:
            if not miss.missing:
                raise ResourceFailure(miss.message) from None
            raise ResourceFailure(
                f"Parameters [{miss.name}] referenced by {{{{resolve:{service}:{ref}}}}} do not exist in the local "
                "parameter store (put them with LocalProvider.put_parameter)"
            ) from None
    parts = ref.split(":")
    if parts[0] == "arn" and len(parts) >= 7:
        secret_id, rest = ":".join(parts[:7]), parts[7:]
    else:
        secret_id, rest = parts[0], parts[1:]
    value = store.ssm_lookup("secret:" + secret_id)
    if value is None:
        raise ResourceFailure(
            f"Secrets Manager can't find the specified secret {secret_id} (local store; create it in a stack "
            "or with LocalProvider.put_parameter('secret:<id>', value))"
        )
    json_key = rest[1] if len(rest) > 1 else ""
    if json_key:
        try:
            doc = json.loads(value)
        except ValueError:
            raise ResourceFailure(f"Secret {secret_id} is not JSON; cannot read key {json_key}") from None
        if not isinstance(doc, dict) or json_key not in doc:
            raise ResourceFailure(f"Could not find SecretString key {json_key} in secret {secret_id}")
        return str(doc[json_key])
    return value


def check_dynamic_references(store: ParameterLookup, props: Any) -> None:
    for text in _strings(props):
        if "{{resolve:" not in text:
            continue
        for service, ref in DYNAMIC.findall(text):
            resolve_reference(store, service, ref)
