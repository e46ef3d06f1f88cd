"""One interface for the leader lock, whatever holds it (etcd or Consul), and the URL that picks one.

A lock is held through a lease (etcd) or a session (Consul) that expires `ttl` seconds after
the holder last refreshed it. `held()` is the fencing check: it asks the lock service, not
local memory, whether this agent still holds the lock.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from sparkleform.nat.errors import NatAgentError

DEFAULT_ETCD_PREFIX = "/nat-ha"
DEFAULT_CONSUL_KEY = "service/nat-ha/leader"


@dataclass
class Holder:
    """Who holds the lock: the holder's value (its instance id) and the lease/session id."""

    value: str
    lease: str


class Lock(ABC):
    """A leader lock with a time-to-live. Every method may raise LockUnavailable."""

    ttl: float

    @abstractmethod
    def acquire(self, value: str) -> bool:
        """Take the lock if it is free; True when this agent now holds it."""

    @abstractmethod
    def refresh(self) -> bool:
        """Keep the held lock alive; False when it is gone (expired or taken)."""

    @abstractmethod
    def held(self) -> bool:
        """The fencing check: does the lock service say this agent holds the lock right now?"""

    @abstractmethod
    def release(self) -> None:
        """Give the lock up at once (a clean hand-over); nothing when not held."""

    @abstractmethod
    def holder(self) -> Holder | None:
        """The current holder, or None when the lock is free."""

    def report_health(self, healthy: bool) -> None:  # noqa: B027 - optional hook
        """Tell the lock service the agent's health (Consul ties it to the session)."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Let go of anything held on the lock service that is not the lock itself."""


@dataclass
class LockUrl:
    scheme: str  # "etcd" or "consul"
    host: str
    port: int
    path: str
    options: dict[str, str]

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"


def parse_lock_url(url: str) -> LockUrl:
    """`etcd://HOST:PORT[/PREFIX]` or `consul://HOST:PORT[/KEY][?lock-delay=15s]`."""
    parts = urlsplit(url)
    if parts.scheme not in ("etcd", "consul"):
        raise NatAgentError(f"lock URL {url!r} must start with etcd:// or consul://")
    try:
        port = parts.port
    except ValueError:
        port = None
    if not parts.hostname or port is None:
        raise NatAgentError(f"lock URL {url!r} needs HOST:PORT (e.g. etcd://127.0.0.1:2379)")
    path = parts.path.rstrip("/")
    if parts.scheme == "etcd":
        path = path or DEFAULT_ETCD_PREFIX
    else:
        path = path.lstrip("/") or DEFAULT_CONSUL_KEY
    options = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    unknown = set(options) - {"lock-delay"}
    if unknown or (options and parts.scheme == "etcd"):
        raise NatAgentError(f"lock URL {url!r}: unknown option(s) {', '.join(sorted(options))}")
    return LockUrl(parts.scheme, parts.hostname, port, path, options)


def open_lock(url: str, ttl: float, *, name: str = "nat-ha") -> Lock:
    """The lock backend the URL names."""
    parsed = parse_lock_url(url)
    if parsed.scheme == "etcd":
        from sparkleform.nat.etcd import EtcdLock

        return EtcdLock(parsed.base, parsed.path, ttl)
    from sparkleform.nat.consul import ConsulLock

    return ConsulLock(parsed.base, parsed.path, ttl, lock_delay=parsed.options.get("lock-delay", "1s"), name=name)
