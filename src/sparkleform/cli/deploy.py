"""The `deploy` verb: create STACK or update it, whichever it needs (stacks.deploy)."""

from __future__ import annotations

from typing import Any

import click

from sparkleform.cli.context import get_settings
from sparkleform.cli.provider_pool import stack_context
from sparkleform.cli.stack_options import stack_input_options
from sparkleform.cli.stack_run import confirm, echo_json, no_wait_note, show_result
from sparkleform.contract import NO_UPDATES
from sparkleform.stacks.deploy import deploy
from sparkleform.stacks.flows import Result
from sparkleform.stacks.request import StackInputs


@click.command("deploy")
@click.argument("stack")
@click.argument("template", required=False)
@stack_input_options
@click.option("-y", "--yes", is_flag=True, help="Apply (and delete a ROLLBACK_COMPLETE stack) without asking.")
@click.option("--no-wait", is_flag=True, help="Start the operation and return.")
def deploy_cmd(stack: str, template: str | None, yes: bool, no_wait: bool, **kwargs: Any) -> None:
    """Create STACK from TEMPLATE, or update it when it exists (plan, ask, apply).

    A stack left in ROLLBACK_COMPLETE or REVIEW_IN_PROGRESS is deleted first (asked).

    \b
    Example:
      sparkleform deploy web templates/web.py -p InstanceType=t3.small --yes
    """
    settings = get_settings()
    inputs = StackInputs.from_kwargs(kwargs)
    ctx = stack_context(settings, bucket=inputs.bucket, prefix=inputs.prefix, stack=stack)
    done = deploy(
        ctx, stack, template, inputs,
        confirm=lambda plan: confirm(f"Update stack {stack}?", yes),
        confirm_delete=lambda old: confirm(
            f"Stack {stack} is {old.status}; delete it and create it again?", yes
        ),
        wait=not no_wait,
    )
    if done.result is Result.STARTED:
        no_wait_note(settings, stack, "create" if done.stack is None or "CREATE" in done.stack.status else "update")
    elif done.result in (Result.CREATED, Result.UPDATED) and done.stack is not None:
        show_result(settings, done.stack)
    elif settings.json:
        echo_json({"StackName": stack, "Status": NO_UPDATES if done.result is Result.UNCHANGED else "declined"})
