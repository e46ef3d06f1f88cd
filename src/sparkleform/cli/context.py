"""Settings shared by every verb: global options, merged with sparkleform.toml and env."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click


@dataclass
class Settings:
    provider: str | None = None
    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None
    state: str | None = None
    output: str = "text"
    color: bool = True
    verbose: int = 0
    config_path: str | None = None
    env: str | None = None
    change_sets: bool | None = None  # None: sparkleform.toml's change_sets (default true)
    apply_nesting: str | None = None
    _config: Any = field(default=None, repr=False)

    @property
    def config(self):
        """The project configuration (sparkleform.toml / pyproject), loaded on first use."""
        if self._config is None:
            from sparkleform.config import load_config

            self._config = load_config(Path(self.config_path) if self.config_path else None, env=self.env)
            if self.apply_nesting:
                self._config.apply_nesting = self.apply_nesting
        return self._config

    def provider_name(self) -> str:
        return self.provider or os.environ.get("SPARKLEFORM_PROVIDER") or self.config.provider or "local"

    def state_path(self) -> str:
        return (
            self.state
            or os.environ.get("SPARKLEFORM_STATE")
            or self.config.state
            or str(Path(".sparkleform") / "state.db")
        )

    def region_name(self, stack: str | None = None) -> str | None:
        """--region, else the stack's region in sparkleform.toml, else the configuration's."""
        entry = self.config.stacks.get(stack) if stack else None
        return self.region or (entry.region if entry else None) or self.config.region

    def profile_name(self, stack: str | None = None) -> str | None:
        entry = self.config.stacks.get(stack) if stack else None
        return self.profile or (entry.profile if entry else None) or self.config.profile

    @property
    def json(self) -> bool:
        return self.output == "json"


pass_settings = click.make_pass_decorator(Settings, ensure=True)


def get_settings() -> Settings:
    ctx = click.get_current_context()
    return ctx.find_object(Settings) or ctx.ensure_object(Settings)
