"""The options create / plan / update share; they become a stacks.request.StackInputs
(`StackInputs.from_kwargs`), which the flows turn into a prepared request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from sparkleform.cfn import ON_FAILURE_ACTIONS


def stack_input_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Options shared by create / plan / update (template, parameters, stack options)."""
    decorators = [
        click.option("-p", "--parameter", "parameters", multiple=True, metavar="KEY=VALUE",
                     help="A stack parameter value (repeatable)."),
        click.option("--parameters-file", type=click.Path(dir_okay=False),
                     help="JSON/YAML: {Key: Value} or [{ParameterKey, ParameterValue}]."),
        click.option("--apply-stack", "apply_stacks", multiple=True, metavar="[PROVIDER:[REGION:]]STACK",
                     help="Fill parameters from this stack's outputs of the same name (repeatable)."),
        click.option("--apply-mapping", "apply_mappings", multiple=True, metavar="[STACK__]OUTPUT:PARAM",
                     help="Fill PARAM from an applied stack's output OUTPUT (repeatable)."),
        click.option("--ignore-parameters", "ignore_parameters", multiple=True, metavar="NAME[,NAME]",
                     help="Parameters --apply-stack must not fill (repeatable)."),
        click.option("--set", "set_values", multiple=True, metavar="KEY=VALUE",
                     help="A compile-time parameter of a DSL template (repeatable)."),
        click.option("--tags", "tags", multiple=True, metavar="KEY=VALUE", help="A stack tag (repeatable)."),
        click.option("--notification-arn", "notification_arns", multiple=True, help="SNS topic for stack events."),
        click.option("--role-arn", help="IAM role CloudFormation assumes for the operation."),
        click.option("--timeout", "timeout_minutes", type=click.IntRange(min=1), metavar="MIN",
                     help="Fail the create after this many minutes."),
        click.option("--on-failure", type=click.Choice(ON_FAILURE_ACTIONS),
                     help="What a failed create does (default ROLLBACK)."),
        click.option("--no-rollback", is_flag=True, help="Keep the failed resources instead of rolling back."),
        click.option("--reset-parameters", is_flag=True,
                     help="On update, parameters not given take the template's Default, not the stack's value."),
        click.option("--termination-protection/--no-termination-protection", default=None,
                     help="Refuse deletes of this stack (or turn that off again on update)."),
        click.option("--stack-policy", type=click.Path(dir_okay=False), help="A stack policy JSON file."),
        click.option("--capabilities", "capabilities", multiple=True,
                     help="CAPABILITY_IAM / CAPABILITY_NAMED_IAM / CAPABILITY_AUTO_EXPAND (default: detected)."),
        click.option("--bucket", help="S3 bucket for large and nested templates (aws)."),
        click.option("--prefix", help="Key prefix in that bucket (aws)."),
        click.option("--upload-root-template", is_flag=True,
                     help="Upload the template itself to the bucket and send its URL (aws; always above 51,200 bytes)."),
        click.option("--no-check", "no_check", is_flag=True,
                     help="Deploy without running the template checks first (`sparkleform validate`'s)."),
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func
