"""`sparkleform config`: the effective configuration (sparkleform.toml with the `--env` layer,
the global options and environment variables over it) and where each value came from."""

from __future__ import annotations

import json
import os
from typing import Any

import click

from sparkleform.cli.context import get_settings


def _flat(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict) and value:
            out.update(_flat(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def effective(settings: Any) -> dict[str, tuple[Any, str]]:
    """key -> (value, where it came from)."""
    config = settings.config
    rows = {key: (value, config.sources.get(key, config.path.name if config.path else "?"))
            for key, value in _flat(config.raw).items()}
    overrides = {
        "provider": (settings.provider, "--provider", "SPARKLEFORM_PROVIDER"),
        "region": (settings.region, "--region", None),
        "profile": (settings.profile, "--profile", None),
        "state": (settings.state, "--state", "SPARKLEFORM_STATE"),
    }
    for key, (flag_value, flag, variable) in overrides.items():
        if flag_value:
            rows[key] = (flag_value, flag)
        elif variable and os.environ.get(variable):
            rows[key] = (os.environ[variable], f"${variable}")
    if "provider" not in rows:
        rows["provider"] = ("local", "default")
    return dict(sorted(rows.items()))


@click.command("config")
def config_cmd() -> None:
    """Show the effective configuration and where each value came from.

    \b
    Example:
      sparkleform --env prod config
    """
    settings = get_settings()
    config = settings.config
    rows = effective(settings)
    if settings.json:
        click.echo(json.dumps({
            "File": str(config.path) if config.path else None,
            "Environment": config.env,
            "Settings": {k: {"Value": v, "Source": src} for k, (v, src) in rows.items()},
        }, indent=2, default=str))
        return
    head = f"# {config.path}" if config.path else "# no sparkleform.toml found; defaults"
    click.echo(head + (f" with environment {config.env}" if config.env else ""))
    width = max((len(k) + 3 + len(json.dumps(v, default=str)) for k, (v, _) in rows.items()), default=0)
    for key, (value, source) in rows.items():
        text = f"{key} = {json.dumps(value, default=str)}"
        click.echo(f"{text.ljust(width)}  # {source}")
