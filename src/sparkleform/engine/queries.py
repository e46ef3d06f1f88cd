"""Read-only queries of the state: describe and list stacks, events, exports, templates and
their versions.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from sparkleform.engine.store import loads
from sparkleform.contract import (
    NO_ECHO_MASK,
    Stack,
    StackEvent,
    StackOutput,
    StackParameter,
    StackResource,
)


class QueryMixin:
    """Reading stacks, events, exports and templates."""

    def describe(self, name: str) -> Stack:
        row = self._require(name, describe=True)
        return self._stack_from_row(row, with_resources=True)

    def _stack_from_row(self, row: Any, *, with_resources: bool = False, resources: list[StackResource] | None = None) -> Stack:
        """The stack of a stacks row; its resources read from the state with `with_resources`,
        or the given ones."""
        no_echo = set(loads(row["no_echo"], []))
        params = [
            StackParameter(k, NO_ECHO_MASK if k in no_echo else v, k in no_echo)
            for k, v in loads(row["parameters"], {}).items()
        ]
        outputs = [StackOutput(o["key"], o["value"], o.get("description"), o.get("export_name")) for o in loads(row["outputs"], [])]
        resources = resources if resources is not None else []
        if with_resources:
            resources = [
                StackResource(logical_id, physical_id, rtype, status, reason)
                for logical_id, physical_id, rtype, status, reason in self.store.tuples(
                    "SELECT logical_id, physical_id, type, status, reason FROM resources WHERE stack_key=? ORDER BY seq",
                    (row["stack_key"],),
                )
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

    def list_stacks(self) -> list[Stack]:
        rows = self.store.all("SELECT * FROM stacks WHERE region=? AND deleted IS NULL ORDER BY created", (self.region,))
        return [self._stack_from_row(r, with_resources=False) for r in rows]

    def events(self, name: str, since: str | None = None) -> list[StackEvent]:
        row = self._require(name, describe=True)
        start = 0
        if since:
            found = self.store.one("SELECT seq FROM events WHERE stack_key=? AND event_id=?", (row["stack_key"], since))
            start = found["seq"] if found else 0
        return [
            StackEvent(
                r["event_id"],
                row["name"],
                r["logical_id"],
                r["physical_id"],
                r["type"],
                r["status"],
                r["reason"],
                datetime.fromtimestamp(r["ts"], UTC),
            )
            for r in self.store.all("SELECT * FROM events WHERE stack_key=? AND seq>? ORDER BY seq", (row["stack_key"], start))
        ]

    def exports(self) -> dict[str, str]:
        return {r["name"]: r["value"] for r in self.store.all("SELECT name, value FROM exports WHERE region=? ORDER BY name", (self.region,))}

    def template_of(self, name: str, version: int | None = None, *, processed: bool = False) -> dict:
        row = self._require(name, describe=True)
        return copy.deepcopy(self._template(row["stack_id"], version or row["template_version"], processed=processed))

    def template_versions(self, name: str) -> list[dict[str, Any]]:
        row = self._require(name, describe=True)
        return [
            {"version": r["version"], "parameters": loads(r["parameters"], {}), "created": r["created"]}
            for r in self.store.all("SELECT version, parameters, created FROM templates WHERE stack_id=? ORDER BY version", (row["stack_id"],))
        ]
