"""Read-only queries of the state: describe and list stacks, events, exports, templates and
their versions, as the provider contract's dataclasses.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from sparkleform.contract import (
    NO_ECHO_MASK,
    Stack,
    StackEvent,
    StackNotFound,
    StackOutput,
    StackParameter,
    StackResource,
)
from sparkleform.engine.store import StackStore, loads
from sparkleform.secrets import registry


def describe(store: StackStore, name: str) -> Stack:
    row = store.require(name, describe=True)
    return stack_from_row(store, row, with_resources=True)


def stack_from_row(
    store: StackStore, row: Any, *, with_resources: bool = False, resources: list[StackResource] | None = None
) -> Stack:
    """The stack of a stacks row; its resources read from the state with `with_resources`,
    or the given ones."""
    no_echo = set(loads(row["no_echo"], []))
    resolved = loads(row["resolved"], {}) or {}
    params = [
        StackParameter(
            k,
            NO_ECHO_MASK if k in no_echo else v,
            k in no_echo,
            (NO_ECHO_MASK if k in no_echo else resolved[k]) if k in resolved else None,
        )
        for k, v in loads(row["parameters"], {}).items()
    ]
    outputs = [StackOutput(o["key"], o["value"], o.get("description"), o.get("export_name")) for o in loads(row["outputs"], [])]
    resources = resources if resources is not None else []
    if with_resources:
        resources = [
            StackResource(logical_id, physical_id, rtype, status, reason)
            for logical_id, physical_id, rtype, status, reason in store.resource_summaries(row["stack_key"])
        ]
    return Stack(
        name=row["name"],
        stack_id=row["stack_id"],
        status=row["status"],
        reason=row["reason"],
        parameters=params,
        outputs=outputs,
        resources=resources,
        tags=loads(row["tags"], {}),
        termination_protection=bool(row["termination_protection"]),
        created=datetime.fromtimestamp(row["created"], UTC),
        updated=datetime.fromtimestamp(row["updated"], UTC) if row["updated"] else None,
        description=row["description"],
    )


def list_stacks(store: StackStore) -> list[Stack]:
    return [stack_from_row(store, r, with_resources=False) for r in store.list_stacks()]


def events(store: StackStore, name: str, since: str | None = None) -> list[StackEvent]:
    """The stack's events and its live nested stacks' events (at any depth), merged in the
    order they happened (`seq`); with `since` (an event id of any of them), only later ones."""
    row = store.stack(name, include_deleted=True)
    if row is None:  # DescribeStackEvents' wording (DescribeStacks says "Stack with id X")
        raise StackNotFound(f"Stack [{name}] does not exist")
    found: list[tuple[Any, str]] = []
    pending = [(row["stack_key"], row["stack_id"], row["name"])]
    while pending:
        key, stack_id, stack_name = pending.pop()
        found.extend((r, stack_name) for r in store.events(key))
        for child in store.children(stack_id):
            pending.append((store.stack_key(child["stack_id"]), child["stack_id"], child["name"]))
    found.sort(key=lambda pair: pair[0]["seq"])
    if since:
        ids = [r["event_id"] for r, _ in found]
        if since in ids:
            found = found[ids.index(since) + 1 :]
    return [
        StackEvent(
            r["event_id"],
            stack_name,
            r["logical_id"],
            r["physical_id"],
            r["type"],
            r["status"],
            registry.text(r["reason"]) if r["reason"] else None,
            datetime.fromtimestamp(r["ts"], UTC),
        )
        for r, stack_name in found
    ]


def exports(store: StackStore) -> dict[str, str]:
    return {r["name"]: r["value"] for r in store.exports()}


def template_of(store: StackStore, name: str, version: int | None = None, *, processed: bool = False) -> dict:
    row = store.require(name, describe=True)
    return copy.deepcopy(store.template(row["stack_id"], version or row["template_version"], processed=processed))


def template_versions(store: StackStore, name: str) -> list[dict[str, Any]]:
    row = store.require(name, describe=True)
    return [
        {"version": r["version"], "parameters": loads(r["parameters"], {}), "created": r["created"]}
        for r in store.template_versions(row["stack_id"])
    ]
