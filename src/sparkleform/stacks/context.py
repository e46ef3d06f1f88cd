"""What a stack flow works with (StackContext): the provider, the project's configuration, the
other providers an `--apply-stack PROVIDER[:REGION]:NAME` names, and the Reporter the flow
tells what happens. The CLI builds one from its options; Python code builds one directly.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from sparkleform.config import Config, load_config
from sparkleform.contract import Plan, Provider, StackEvent
from sparkleform.stacks.outcome import Failure, first_failure


class ProviderPool:
    """The flow's provider plus any other a stack needs, each made once per (provider, region,
    profile): `--apply-stack PROVIDER[:REGION]:NAME`, and the stacks of a group that live in
    their own region or profile (sparkleform.toml `[stacks.NAME] region/profile`).

    `options` holds the keyword arguments of `get_provider` per provider name (the local
    provider's `state`, the AWS provider's `profile`, `endpoint_url`, `bucket` ...). Pools made
    by `at` share their providers; `wrap` (when given) is laid over every provider handed out.
    """

    def __init__(
        self,
        name: str = "local",
        region: str | None = None,
        *,
        options: dict[str, dict[str, Any]] | None = None,
        main: Provider | None = None,
        profile: str | None = None,
        cache: dict[tuple[str, str | None, str | None], Provider] | None = None,
        wrap: Callable[[Provider], Provider] | None = None,
        made: set[tuple[str, str | None, str | None]] | None = None,
    ) -> None:
        self.name = main.name if main is not None else name
        self.region = region
        self.options = options or {}
        self.profile = profile
        self.wrap = wrap
        self._cache = cache if cache is not None else {}
        # the keys of the providers this pool (or one made by `at`) opened: `close` closes
        # those, never a provider the caller handed in
        self._made = made if made is not None else set()
        if main is not None:
            self._cache[self._key(self.name, region, profile)] = main

    def _key(self, name: str, region: str | None, profile: str | None) -> tuple[str, str | None, str | None]:
        if name != "aws":
            profile = None
        return (name, region, profile or self.options.get(name, {}).get("profile"))

    def get(self, name: str | None = None, region: str | None = None, profile: str | None = None) -> Provider:
        """The provider called `name` in `region` with `profile` (None: the pool's own)."""
        from sparkleform.providers import get_provider

        name = name or self.name
        region = region or self.region
        profile = profile or self.profile
        key = self._key(name, region, profile)
        if key not in self._cache:
            options = dict(self.options.get(name, {}))
            if region:
                options["region"] = region
            if name == "aws" and key[2]:
                options["profile"] = key[2]
            self._cache[key] = get_provider(name, **options)
            self._made.add(key)
        provider = self._cache[key]
        return self.wrap(provider) if self.wrap is not None else provider

    def at(self, region: str | None, profile: str | None) -> ProviderPool:
        """The same pool seen from a stack in `region` with `profile` (None: this pool's)."""
        return ProviderPool(self.name, region or self.region, options=self.options, profile=profile or self.profile,
                            cache=self._cache, wrap=self.wrap, made=self._made)

    def wrapped(self, wrap: Callable[[Provider], Provider]) -> ProviderPool:
        """The same pool (its providers, the ones it must close) handing out `wrap(provider)`."""
        return ProviderPool(self.name, self.region, options=self.options, profile=self.profile,
                            cache=self._cache, wrap=wrap, made=self._made)

    def providers(self) -> list[Provider]:
        """Every provider of the pool so far."""
        return list(self._cache.values())

    def close(self) -> None:
        """Close the providers this pool opened (the state file's connection, HTTP pools),
        at the end of a CLI verb or a `with Stacks(...)` block; a later `get` opens anew."""
        for key in list(self._made):
            provider = self._cache.pop(key, None)
            self._made.discard(key)
            if provider is not None:
                provider.close()

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
    # the region / profile given by the caller (--region, Stacks(region=)): they beat a
    # stack's own in sparkleform.toml
    region_flag: str | None = None
    profile_flag: str | None = None

    @property
    def provider(self) -> Provider:
        return self.pool.main

    def for_stack(self, name: str) -> StackContext:
        """This context as stack `name` sees it: its provider in the stack's own region and
        profile from sparkleform.toml (`[stacks.NAME] region/profile`) unless the caller gave
        one; the same context when the stack has neither."""
        entry = self.config.stacks.get(name)
        region = self.region_flag or (entry.region if entry else None)
        profile = self.profile_flag or (entry.profile if entry else None)
        if not region and not profile:
            return self
        return replace(self, pool=self.pool.at(region, profile))

    def group_provider(self, stack: str) -> Provider | None:
        """Where a stack of the group lives (an `--apply-stack` of its plain name is read
        there); None for a name the group does not have."""
        return self.for_stack(stack).provider if stack in self.config.stacks else None

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
        stack: str | None = None,
    ) -> StackContext:
        """A context as the CLI makes it: the provider by name (default: $SPARKLEFORM_PROVIDER,
        the configuration's, else "local") or given, and the configuration from `config` (a
        sparkleform.toml path; default: found upwards from the current folder). `change_sets`
        False (default: the configuration's `change_sets`, else True) creates and updates
        without change sets. `stack`: the stack the context is for, whose own region and
        profile in sparkleform.toml apply unless `region` / `profile` are given."""
        cfg = config if isinstance(config, Config) else load_config(Path(config) if config else None)
        region_flag, profile_flag = region, profile
        region = region or cfg.region
        profile = profile or cfg.profile
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
        ctx = cls(pool=pool, config=cfg, reporter=reporter or Reporter(), interactive=interactive,
                  change_sets=bool(change_sets), region_flag=region_flag, profile_flag=profile_flag)
        return ctx.for_stack(stack) if stack else ctx

