"""Stacks: the stack flows from Python, as the CLI's verbs run them.

    stacks = Stacks(state=".sparkleform/state.db")          # the local engine
    stacks.create("vpc", "vpc", parameters={"CidrBlock": "10.0.0.0/16"})
    stacks.update("vpc", "vpc", confirm=lambda plan: not plan.changes or input("apply? ") == "y")
    stacks.up()                                             # the group of sparkleform.toml
    stacks.down()

Each method is a flow of stacks.flows / stacks.groups on this object's StackContext.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from sparkleform.config import Config
from sparkleform.contract import DriftReport, Plan, Provider, Stack
from sparkleform.stacks import flows, groups
from sparkleform.stacks.context import Reporter, StackContext
from sparkleform.stacks.deploy import Deployed, deploy
from sparkleform.stacks.drift import drift
from sparkleform.stacks.flows import ConfirmPlan, ConfirmStack, Result
from sparkleform.stacks.group_plan import StackPlan, plan_group
from sparkleform.stacks.inspect import inspect
from sparkleform.stacks.request import StackInputs


class Stacks:
    """Run stacks on one provider ("local" by default, "aws", or a Provider object).

    `config` is a sparkleform.toml path or Config (default: found upwards from the current
    folder); the other options are the CLI's global options. `reporter` hears what the flows
    say (the default keeps quiet; `Reporter(on_event=print)` shows each event). Missing
    required parameters raise ParameterError unless `interactive` (ask on the terminal).
    """

    def __init__(
        self,
        provider: str | Provider | None = None,
        *,
        config: str | Path | Config | None = None,
        region: str | None = None,
        state: str | Path | None = None,
        profile: str | None = None,
        endpoint_url: str | None = None,
        bucket: str | None = None,
        prefix: str | None = None,
        reporter: Reporter | None = None,
        interactive: bool = False,
    ) -> None:
        self.context = StackContext.open(
            provider, config=config, region=region, state=state, profile=profile, endpoint_url=endpoint_url,
            bucket=bucket, prefix=prefix, reporter=reporter, interactive=interactive,
        )

    def close(self) -> None:
        """Close the providers this object opened (the local state file's connection, AWS's
        HTTP connections). `with Stacks(...) as stacks:` does it at the end of the block; a
        method called after it opens them again."""
        self.context.pool.close()

    def __enter__(self) -> Stacks:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def provider(self) -> Provider:
        """The provider itself (describe_stack, events, outputs ...)."""
        return self.context.provider

    @staticmethod
    def _inputs(
        inputs: StackInputs | None,
        parameters: Mapping[str, object] | None,
        apply_stacks: Iterable[str] | None,
        tags: Mapping[str, object] | None,
    ) -> StackInputs:
        base = inputs or StackInputs()
        return dataclasses.replace(
            base,
            parameters=base.parameters + tuple(f"{k}={v}" for k, v in (parameters or {}).items()),
            apply_stacks=base.apply_stacks + tuple(apply_stacks or ()),
            tags=base.tags + tuple(f"{k}={v}" for k, v in (tags or {}).items()),
        )

    def create(
        self,
        name: str,
        template: str | None = None,
        *,
        parameters: Mapping[str, object] | None = None,
        apply_stacks: Iterable[str] | None = None,
        tags: Mapping[str, object] | None = None,
        inputs: StackInputs | None = None,
        wait: bool = True,
    ) -> Stack:
        """Create stack `name` from `template` (a collection template name, .py path or
        JSON/YAML file; None: the stack's entry in sparkleform.toml)."""
        return flows.create(self.context.for_stack(name), name, template, self._inputs(inputs, parameters, apply_stacks, tags),
                            wait=wait)

    def plan(
        self,
        name: str,
        template: str | None = None,
        *,
        parameters: Mapping[str, object] | None = None,
        apply_stacks: Iterable[str] | None = None,
        inputs: StackInputs | None = None,
    ) -> Plan:
        """What an update of `name` (or its create) would change; changes nothing."""
        return flows.plan(self.context.for_stack(name), name, template, self._inputs(inputs, parameters, apply_stacks, None))

    def update(
        self,
        name: str,
        template: str | None = None,
        *,
        parameters: Mapping[str, object] | None = None,
        apply_stacks: Iterable[str] | None = None,
        tags: Mapping[str, object] | None = None,
        inputs: StackInputs | None = None,
        confirm: ConfirmPlan | None = None,
        wait: bool = True,
    ) -> Stack | None:
        """Plan, `confirm(plan)` (None: apply without asking), apply. None: nothing changed."""
        return flows.update(self.context.for_stack(name), name, template, self._inputs(inputs, parameters, apply_stacks, tags),
                            confirm=confirm, wait=wait)

    def deploy(
        self,
        name: str,
        template: str | None = None,
        *,
        parameters: Mapping[str, object] | None = None,
        apply_stacks: Iterable[str] | None = None,
        tags: Mapping[str, object] | None = None,
        inputs: StackInputs | None = None,
        confirm: ConfirmPlan | None = None,
        confirm_delete: ConfirmStack | None = None,
        wait: bool = True,
    ) -> Deployed:
        """Create `name`, or update it when it exists; a ROLLBACK_COMPLETE / REVIEW_IN_PROGRESS
        stack is deleted first after `confirm_delete(stack)` (None: without asking)."""
        return deploy(self.context.for_stack(name), name, template, self._inputs(inputs, parameters, apply_stacks, tags),
                      confirm=confirm, confirm_delete=confirm_delete, wait=wait)

    def destroy(self, name: str, *, confirm: ConfirmStack | None = None, wait: bool = True) -> Result:
        """Delete stack `name` after `confirm(stack)` (None: without asking)."""
        return flows.destroy(self.context.for_stack(name), name, confirm=confirm, wait=wait)

    def recover(self, name: str) -> Stack:
        """Roll back an operation that was cut off."""
        return flows.recover(self.context.for_stack(name), name)

    def execute(self, name: str, change_set: str, *, check: bool = True) -> Stack:
        """Execute a change set left for review (providers with change sets), its template checked first."""
        return flows.execute(self.context.for_stack(name), name, change_set, check=check)

    def up(self, *names: str, confirm: ConfirmPlan | None = None, check: bool = True) -> dict[str, Result]:
        """Create or update the stack group (or `names` and what they need) in dependency order."""
        return groups.up(self.context, names, confirm=confirm, check=check)

    def down(self, *names: str, confirm: Callable[[list[str]], bool] | None = None) -> list[str]:
        """Delete the stack group (or `names` and what depends on them) in reverse order."""
        return groups.down(self.context, names, confirm=confirm)

    def plan_group(self, *names: str) -> list[StackPlan]:
        """The plan of `up` for the group (or `names` and what they need), stack by stack; changes nothing."""
        return plan_group(self.context, names)

    def inspect(self, name: str) -> dict[str, Any]:
        """Stack `name` as `inspect --output json` shows it: resources with physical ids and attributes."""
        return inspect(self.context.for_stack(name), name)

    def drift(self, name: str) -> DriftReport | None:
        """Drift of stack `name` (None on a provider without drift: the local engine)."""
        return drift(self.context.for_stack(name), name)

    def describe(self, name: str) -> Stack:
        return self.context.for_stack(name).provider.describe_stack(name)

    def outputs(self, name: str) -> dict[str, str]:
        return self.context.for_stack(name).provider.describe_stack(name).output_map()
