"""What a stack flow works with (StackContext): the provider, the project's configuration, the
other providers an `--apply-stack PROVIDER[:REGION]:NAME` names, and the Reporter the flow
tells what happens. The CLI builds one from its options; Python code builds one directly.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sparkleform.config import Config, load_config
from sparkleform.contract import Plan, Provider, StackEvent
from sparkleform.stacks.outcome import Failure, first_failure


class ProviderPool:
    """The flow's provider plus any other `--apply-stack PROVIDER[:REGION]:NAME` needs, each made once.

    `options` holds the keyword arguments of `get_provider` per provider name (the local
    provider's `state`, the AWS provider's `profile`, `endpoint_url`, `bucket` ...).
    """

    def __init__(
        self,
        name: str = "local",
        region: str | None = None,
        *,
        options: dict[str, dict[str, Any]] | None = None,
        main: Provider | None = None,
    ) -> None:
        self.name = main.name if main is not None else name
        self.region = region
        self.options = options or {}
        self._cache: dict[tuple[str, str | None], Provider] = {}
        if main is not None:
            self._cache[(self.name, region)] = main

    def get(self, name: str | None = None, region: str | None = None) -> Provider:
        """The provider called `name` in `region` (None: the flow's own provider / region)."""
        from sparkleform.providers import get_provider

        name = name or self.name
        region = region or self.region
        key = (name, region)
        if key not in self._cache:
            options = dict(self.options.get(name, {}))
            if region:
                options["region"] = region
            self._cache[key] = get_provider(name, **options)
        return self._cache[key]

    @property
    def main(self) -> Provider:
        return self.get()


class Watch(Protocol):
    """Watches one operation: entered around it, called with each event, asked for the first
    failure afterwards (the CLI's live display is one)."""

    def __enter__(self) -> Any: ...

    def __exit__(self, *exc: object) -> Any: ...

    def __call__(self, event: StackEvent, /) -> None: ...

    def failure(self) -> Failure | None: ...


class EventLog:
    """A Watch that keeps the events (and hands each to `on_event`, when given)."""

    def __init__(self, on_event: Any = None) -> None:
        self.events: list[StackEvent] = []
        self.on_event = on_event

    def __enter__(self) -> EventLog:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def __call__(self, event: StackEvent) -> None:
        self.events.append(event)
        if self.on_event is not None:
            self.on_event(event)

    def failure(self) -> Failure | None:
        return first_failure(self.events)


class Reporter:
    """How a flow tells its caller what happens. These defaults say nothing and keep the
    events of each operation (`on_event` sees them too); the CLI's Reporter prints."""

    def __init__(self, on_event: Any = None) -> None:
        self.on_event = on_event

    def note(self, text: str) -> None:
        """A status line ("[1/3] vpc: create", NO_UPDATES, "nothing changed")."""

    def plan(self, plan: Plan) -> None:
        """A plan about to be confirmed and applied."""

    def watch(self, stack: str, title: str, *, total: int | None = None) -> Watch:
        """What follows one operation's events (`title` e.g. "create vpc"; `total`: how many
        of the stack's own resources it touches, when known in advance)."""
        return EventLog(self.on_event)


@dataclass
class StackContext:
    """Everything a flow needs besides its own arguments.

    `interactive`: ask for missing parameters on the terminal (None: when stdin is one);
    Python callers get a clear ParameterError instead by default.
    """

    pool: ProviderPool
    config: Config = field(default_factory=lambda: Config(root=Path.cwd()))
    reporter: Reporter = field(default_factory=Reporter)
    interactive: bool | None = False
    # False: create and update without change sets (CreateStack/UpdateStack) on a provider
    # that has them, for endpoints whose change sets are incomplete (moto_server's)
    change_sets: bool = True

    @property
    def provider(self) -> Provider:
        return self.pool.main

    @classmethod
    def open(
        cls,
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
        interactive: bool | None = False,
        change_sets: bool | None = None,
    ) -> StackContext:
        """A context as the CLI makes it: the provider by name (default: $SPARKLEFORM_PROVIDER,
        the configuration's, else "local") or given, and the configuration from `config` (a
        sparkleform.toml path; default: found upwards from the current folder). `change_sets`
        False (default: the configuration's `change_sets`, else True) creates and updates
        without change sets."""
        cfg = config if isinstance(config, Config) else load_config(Path(config) if config else None)
        region = region or cfg.region
        state = state or os.environ.get("SPARKLEFORM_STATE") or cfg.state
        options: dict[str, dict[str, Any]] = {
            "local": {"state": str(state or Path(".sparkleform") / "state.db")},
            "aws": {
                "profile": profile,
                "endpoint_url": endpoint_url,
                "bucket": bucket or cfg.bucket,
                "prefix": prefix if prefix is not None else cfg.prefix,
            },
        }
        if change_sets is None:
            change_sets = cfg.change_sets
        if not change_sets:
            options["aws"]["change_sets"] = False
        if provider is None or isinstance(provider, str):
            name = provider or os.environ.get("SPARKLEFORM_PROVIDER") or cfg.provider or "local"
            pool = ProviderPool(name, region, options=options)
        else:
            pool = ProviderPool(region=region, options=options, main=provider)
        return cls(pool=pool, config=cfg, reporter=reporter or Reporter(), interactive=interactive,
                   change_sets=bool(change_sets))

