"""The providers one command talks to: its own (from the global options and sparkleform.toml)
and any other an `--apply-stack PROVIDER[:REGION]:NAME` names, each made once."""

from __future__ import annotations

from typing import Any

from sparkleform.cli.context import Settings
from sparkleform.errors import SparkleformError
from sparkleform.contract import Provider, Stack


class ProviderPool:
    """The command's provider plus any others `--apply-stack PROVIDER[:REGION]:NAME` needs."""

    def __init__(self, settings: Settings, *, bucket: str | None = None, prefix: str | None = None) -> None:
        self.settings = settings
        self.bucket = bucket
        self.prefix = prefix
        self._cache: dict[tuple[str, str | None], Provider] = {}

    def get(self, name: str | None = None, region: str | None = None) -> Provider:
        from sparkleform.providers import get_provider

        s = self.settings
        name = name or s.provider_name()
        region = region or s.region_name()
        key = (name, region)
        if key not in self._cache:
            if name == "local":
                options: dict[str, Any] = {"state": s.state_path()}
                if region:
                    options["region"] = region
            else:
                cfg = s.config
                options = {
                    "region": region,
                    "profile": s.profile,
                    "endpoint_url": s.endpoint_url,
                    "bucket": self.bucket or cfg.bucket,
                    "prefix": self.prefix if self.prefix is not None else cfg.prefix,
                }
            self._cache[key] = get_provider(name, **options)
        return self._cache[key]

    @property
    def main(self) -> Provider:
        return self.get()


def in_process(provider: Provider) -> bool:
    return getattr(provider, "name", "") == "local"


def safe_describe(provider: Provider, name: str) -> Stack | None:
    try:
        return provider.describe_stack(name)
    except SparkleformError:
        return None
