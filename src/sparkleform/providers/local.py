"""The local provider: the Provider protocol on the embedded engine (no AWS, no network)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sparkleform.contract import Capability, EventCallback, Plan, Stack, StackEvent, StackOptions

DEFAULT_STATE = ".sparkleform/state.db"


class LocalProvider:
    """Stacks in a SQLite file (default ./.sparkleform/state.db or $SPARKLEFORM_STATE)."""

    name = "local"
    capabilities = frozenset({Capability.IN_PROCESS, Capability.STACK_SETTINGS, Capability.SIMULATE})

    def __init__(
        self,
        state: str | Path | None = None,
        region: str | None = "us-east-1",
        account_id: str = "123456789012",
        **_ignored: Any,
    ) -> None:
        from sparkleform.engine import Engine

        path = state or os.environ.get("SPARKLEFORM_STATE") or DEFAULT_STATE
        self.state = Path(path)
        self.region = region or "us-east-1"
        self.engine_account_id = account_id
        self.engine = Engine(self.state, region=self.region, account_id=account_id)

    def create_stack(
        self,
        name: str,
        template: dict,
        parameters: dict[str, str],
        options: StackOptions | None = None,
        *,
        on_event: EventCallback | None = None,
        wait: bool = True,
    ) -> Stack:
        return self.engine.create_and_describe(name, template, parameters or {}, options, on_event=on_event)

    def plan(
        self, name: str, template: dict | None, parameters: dict[str, str], options: StackOptions | None = None
    ) -> Plan:
        plan = self.engine.plan(name, template, self._keeping_previous(name, template, parameters or {}), options)
        # The engine gives a reason (NO_CHANGES) only to an update plan without changes.
        plan.no_updates = not plan.changes and plan.reason is not None
        return plan

    def update_stack(
        self,
        name: str,
        template: dict | None,
        parameters: dict[str, str],
        options: StackOptions | None = None,
        *,
        on_event: EventCallback | None = None,
        wait: bool = True,
    ) -> Stack:
        given = self._keeping_previous(name, template, parameters or {})
        stack_id = self.engine.update_stack(name, template, given, options, on_event=on_event)
        return self.engine.describe(stack_id)

    def _keeping_previous(self, name: str, template: dict | None, given: dict[str, Any]) -> dict[str, Any]:
        """The provider contract's parameters as UpdateStack's: a declared parameter the stack
        already has and the caller left out is sent as UsePreviousValue when it is NoEcho or
        has no Default (the AWS provider does the same); one with a Default follows it."""
        from sparkleform.engine.params import USE_PREVIOUS_VALUE
        from sparkleform.engine.store import loads

        row = self.engine.store.stack(name)
        if row is None:
            return given
        previous = loads(row["parameters"], {})
        no_echo = set(loads(row["no_echo"], []))
        source = template if template is not None else self.engine.template_of(name)
        declared = source.get("Parameters") if isinstance(source, dict) else None
        out = dict(given)
        for key, decl in (declared if isinstance(declared, dict) else {}).items():
            if key in given or key not in previous or not isinstance(decl, dict):
                continue
            if key in no_echo or str(decl.get("NoEcho", "")).lower() == "true" or "Default" not in decl:
                out[key] = USE_PREVIOUS_VALUE
        return out

    def delete_stack(self, name: str, *, on_event: EventCallback | None = None, wait: bool = True) -> None:
        self.engine.delete_stack(name, on_event=on_event)

    def describe_stack(self, name: str) -> Stack:
        return self.engine.describe(name)

    def stack_exists(self, name: str) -> bool:
        return self.engine.stack_exists(name)

    def events(self, name: str, since: str | None = None) -> list[StackEvent]:
        """Events oldest first; `since` is an event id: only later events are returned."""
        return self.engine.events(name, since)

    def list_stacks(self) -> list[Stack]:
        return self.engine.list_stacks()

    def exports(self) -> dict[str, str]:
        return self.engine.exports()

    def template_of(self, name: str) -> dict:
        return self.engine.template_of(name)

    def recover(self, name: str, *, on_event: EventCallback | None = None) -> Stack:
        stack_id = self.engine.stack_id(name)
        self.engine.recover(name, on_event=on_event)
        return self.engine.describe(stack_id)

    def scratch(self, folder: str) -> LocalProvider:
        """A copy of this state in `folder` (SQLite's online backup: consistent even while
        the state is open), for operations whose results are thrown away (`up --plan`)."""
        import sqlite3

        target = Path(folder) / "scratch.db"
        if self.state.exists():
            with sqlite3.connect(self.state) as source, sqlite3.connect(target) as copy:
                source.backup(copy)
            copy.close()
            source.close()
        return LocalProvider(target, region=self.region, account_id=self.engine_account_id)

    # -- local extras ---------------------------------------------------------------------
    def operation_alive(self, name: str) -> bool:
        """Whether a live process is still running the stack's current operation."""
        from sparkleform.engine.ids import owner_alive

        return owner_alive(self.engine.store.require(name)["owner"])

    def put_parameter(self, name: str, value: str, type: str = "String") -> None:
        """Put a value in the local parameter store (SSM parameter types, {{resolve:ssm:...}})."""
        self.engine.put_parameter(name, value, type)

    def set_termination_protection(self, name: str, enabled: bool) -> None:
        self.engine.set_termination_protection(name, enabled)

    def template_versions(self, name: str) -> list[dict[str, Any]]:
        return self.engine.template_versions(name)

    def template_version(self, name: str, version: int) -> dict:
        return self.engine.template_of(name, version)

    def close(self) -> None:
        self.engine.close()
