"""The Engine: the embedded CloudFormation's public face (create, plan, update, delete,
recover and the queries), a thin layer over the operations.

Each operation validates everything it can before touching the state, then moves the
stack and its resources through CloudFormation's statuses, one transaction per change,
delivering each event to `on_event` right after it is committed. Rollbacks and `recover`
work from the state alone (the snapshot stored when an update starts), so a process that
was killed can be rolled back by the next one.

The parts: `store` (the SQLite state and every SQL statement), `journal` (status changes
and their events), `handlers` (what a resource does), `provision` (the wave loop), and one
module per operation (create, plan, update, update_finish, delete, recover, queries), each
a set of functions of the `OpContext` this class builds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sparkleform.contract import EventCallback, Plan, Stack, StackEvent, StackOptions, StackResource
from sparkleform.engine import create, delete, inspect, plan, queries, recover, update
from sparkleform.engine.context import OpContext
from sparkleform.engine.dynamic import ParameterStoreMiss, ssm_value
from sparkleform.engine.handlers import Handlers
from sparkleform.engine.journal import Journal, guarded
from sparkleform.engine.store import StackStore, loads


class Engine:
    """The embedded CloudFormation. One instance per process and state file."""

    def __init__(self, state: str | Path, region: str = "us-east-1", account_id: str = "123456789012") -> None:
        self.store = StackStore(state, region)
        self.region = region
        self.account_id = account_id
        # nested stacks run through this engine's public operations (handlers.StackOperations)
        self.handlers = Handlers(self.store, self)
        self.cx = OpContext(self.store, Journal(self.store), self.handlers, account_id)

    # -- operations -------------------------------------------------------------------
    def create_stack(
        self,
        name: str,
        template: dict,
        parameters: dict[str, Any],
        options: StackOptions | None = None,
        *,
        on_event: EventCallback | None = None,
        parent_id: str | None = None,
    ) -> str:
        return create.create_stack(self.cx, name, template, parameters, options, on_event=guarded(on_event), parent_id=parent_id).stack_id

    def create_and_describe(
        self,
        name: str,
        template: dict,
        parameters: dict[str, Any],
        options: StackOptions | None = None,
        *,
        on_event: EventCallback | None = None,
    ) -> Stack:
        """create_stack, and the new stack as `describe` gives it. Its resources are the rows
        this create has just committed, which the run holds in the same order: reading
        them back would only return them again."""
        run = create.create_stack(self.cx, name, template, parameters, options, on_event=guarded(on_event))
        resources = [StackResource(r.logical_id, r.physical_id, r.type, r.status, r.reason) for r in run.resources.values()]
        return queries.stack_from_row(self.store, self.store.require(run.stack_id, describe=True), resources=resources)

    def plan(
        self, name: str, template: dict | None, parameters: dict[str, Any], options: StackOptions | None = None
    ) -> Plan:
        return plan.plan(self.cx, name, template, parameters, options)

    def update_stack(
        self,
        name: str,
        template: dict | None,
        parameters: dict[str, Any],
        options: StackOptions | None = None,
        *,
        on_event: EventCallback | None = None,
    ) -> str:
        return update.update_stack(self.cx, name, template, parameters, options, on_event=guarded(on_event))

    def delete_stack(self, name: str, *, on_event: EventCallback | None = None, force_owner: bool = False) -> None:
        delete.delete_stack(self.cx, name, on_event=guarded(on_event), force_owner=force_owner)

    def recover(self, name: str, *, on_event: EventCallback | None = None) -> str:
        return recover.recover(self.cx, name, on_event=guarded(on_event))

    # -- queries ----------------------------------------------------------------------
    def stack_exists(self, name: str) -> bool:
        return self.store.stack(name) is not None

    def stack_id(self, name: str) -> str:
        """The id of the live stack `name` names (StackNotFound when there is none)."""
        return self.store.require(name)["stack_id"]

    def describe(self, name: str) -> Stack:
        return queries.describe(self.store, name)

    def list_stacks(self) -> list[Stack]:
        return queries.list_stacks(self.store)

    def events(self, name: str, since: str | None = None) -> list[StackEvent]:
        return queries.events(self.store, name, since)

    def exports(self) -> dict[str, str]:
        return queries.exports(self.store)

    def template_of(self, name: str, version: int | None = None, *, processed: bool = False) -> dict:
        return queries.template_of(self.store, name, version, processed=processed)

    def resource_attributes(self, name: str) -> dict[str, dict[str, Any]]:
        return inspect.resource_attributes(self.cx, name)

    def template_versions(self, name: str) -> list[dict[str, Any]]:
        return queries.template_versions(self.store, name)

    # -- the parameter store, settings, closing ---------------------------------------
    def ssm_lookup(self, name: str) -> str | None:
        """A parameter's value: `name` (latest version) or `name:version`; None when absent."""
        try:
            return ssm_value(self.store.ssm_lookup, name)
        except ParameterStoreMiss:
            return None

    def put_parameter(self, name: str, value: str, type: str = "String") -> int:
        return self.store.put_parameter(name, value, type)

    def stack_policy(self, name: str) -> dict | None:
        return loads(self.store.require(name)["stack_policy"], None)

    def set_stack_policy(self, name: str, policy: dict | None) -> None:
        self.store.set_stack_policy(self.stack_id(name), policy)

    def set_termination_protection(self, name: str, enabled: bool) -> None:
        self.store.set_termination_protection(self.stack_id(name), enabled)

    def close(self) -> None:
        self.store.close()
