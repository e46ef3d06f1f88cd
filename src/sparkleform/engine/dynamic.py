"""Dynamic references: `{{resolve:ssm:...}}`, `{{resolve:ssm-secure:...}}` and
`{{resolve:secretsmanager:...}}`, answered from the engine's local parameter store.

Values stay unresolved in the stored properties (secrets never reach the state's resource
rows, plans or events); the engine only checks that each reference can be resolved and
fails the resource, as CloudFormation does, when it cannot.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, Protocol

from sparkleform.engine.errors import ResourceFailure

DYNAMIC = re.compile(r"\{\{resolve:(ssm|ssm-secure|secretsmanager):([^}]+)\}\}")


class ParameterLookup(Protocol):
    """Where the values live: the local parameter store (`StackStore.ssm_lookup`)."""

    def ssm_lookup(self, name: str) -> str | None: ...


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
        name = ref
        if ":" in ref and not ref.startswith("arn:"):
            head, _, tail = ref.rpartition(":")
            if tail.isdigit():
                name = head
        value = store.ssm_lookup(name)
        if value is None:
            raise ResourceFailure(
                f"Parameters [{name}] referenced by {{{{resolve:{service}:{ref}}}}} do not exist in the local "
                "parameter store (put them with LocalProvider.put_parameter)"
            )
        return value
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
