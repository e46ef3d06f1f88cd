"""Asking for missing required parameters on a terminal, or refusing clearly without one."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from sparkleform.errors import ParameterError
from sparkleform.stacks.parameters import Resolution, declared_parameters


def describe_parameter(name: str, decl: dict) -> str:
    """The lines shown before a prompt: name, type, description, allowed values, constraints."""
    lines = [f"{name} ({decl.get('Type', 'String')})"]
    if decl.get("Description"):
        lines.append(f"  {decl['Description']}")
    if "AllowedValues" in decl:
        lines.append(f"  allowed: {', '.join(str(v) for v in decl['AllowedValues'])}")
    if "AllowedPattern" in decl:
        lines.append(f"  pattern: {decl['AllowedPattern']}")
    if decl.get("ConstraintDescription"):
        lines.append(f"  {decl['ConstraintDescription']}")
    return "\n".join(lines)


def prompt_parameter(
    name: str, decl: dict, *, default: str | None = None, prompt: Callable[..., Any] | None = None,
    echo: Callable[[str], None] | None = None,
) -> str:
    """Ask for one value (hidden input for NoEcho, a choice for AllowedValues)."""
    import click

    prompt = prompt or click.prompt
    echo = echo or (lambda text: click.echo(text, err=True))
    echo(describe_parameter(name, decl))
    kwargs: dict[str, Any] = {"err": True}
    if str(decl.get("NoEcho", "")).lower() == "true":
        kwargs["hide_input"] = True
    if "AllowedValues" in decl:
        kwargs["type"] = click.Choice([str(v) for v in decl["AllowedValues"]])
        kwargs["show_choices"] = False
    if default is not None:
        kwargs["default"] = default
    return str(prompt(name, **kwargs))


def stdin_is_terminal() -> bool:
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def fill_missing(
    template: dict, resolution: Resolution, *, interactive: bool | None = None, stack: str = ""
) -> None:
    """Prompt for each missing required parameter, or raise ParameterError (exit 2) listing them."""
    if not resolution.missing:
        return
    declared = declared_parameters(template)
    if interactive is None:
        interactive = stdin_is_terminal()
    if not interactive:
        details = "; ".join(
            f"{n}" + (f" ({declared[n]['Description']})" if declared[n].get("Description") else "")
            for n in resolution.missing
        )
        what = f"stack {stack}: " if stack else ""
        raise ParameterError(
            f"{what}no value for required parameter(s) {details}",
            hint="give them with -p Key=Value, --parameters-file FILE or --apply-stack STACK "
            "(there is no terminal to ask on)",
        )
    for name in list(resolution.missing):
        resolution.values[name] = prompt_parameter(name, declared[name])
        resolution.origins[name] = "prompt"
    resolution.missing.clear()
