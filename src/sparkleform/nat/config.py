"""The agent's settings: the JSON file the nat_ha template writes, overridden by options.

The file (`/etc/nat-ha/config.json` by default) holds `region`, `route_tables` (a list or
comma-separated ids), `elastic_ip_allocation`, `health_check_host`, and optionally `lock`,
`ttl`, `interval`, `instance_id`, `endpoint_url`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sparkleform.nat.errors import NatAgentError
from sparkleform.nat.lock import parse_lock_url

DEFAULT_CONFIG = "/etc/nat-ha/config.json"
DEFAULT_TTL = 10.0
KNOWN_KEYS = {"region", "route_tables", "elastic_ip_allocation", "health_check_host", "health_check", "lock", "ttl",
              "interval", "instance_id", "endpoint_url"}


@dataclass
class AgentConfig:
    lock: str
    route_tables: list[str] = field(default_factory=list)
    region: str | None = None
    endpoint_url: str | None = None
    instance_id: str | None = None
    elastic_ip_allocation: str | None = None
    health_check: str | None = None
    ttl: float = DEFAULT_TTL
    interval: float | None = None

    @property
    def tick(self) -> float:
        """How often the agent acts: the interval, or a third of the TTL."""
        return self.interval if self.interval is not None else self.ttl / 3


def read_file(path: str | None) -> dict[str, Any]:
    """The config file's settings; the default path may be missing, a path given may not."""
    target = Path(path or DEFAULT_CONFIG)
    try:
        text = target.read_text(encoding="utf-8")
    except FileNotFoundError:
        if path is None:
            return {}
        raise NatAgentError(f"config file {target} does not exist") from None
    except OSError as exc:
        raise NatAgentError(f"cannot read config file {target}: {exc.strerror or exc}") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise NatAgentError(f"config file {target} is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise NatAgentError(f"config file {target} must hold a JSON object")
    unknown = set(data) - KNOWN_KEYS
    if unknown:
        raise NatAgentError(f"config file {target}: unknown setting(s) {', '.join(sorted(unknown))}")
    return data


def _tables(value: Any) -> list[str]:
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise NatAgentError("route_tables must be a list of route table ids or a comma-separated string")
    return [i.strip() for i in items if i.strip()]


def _number(name: str, value: Any) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise NatAgentError(f"{name} must be a number of seconds, not {value!r}") from None
    if number <= 0:
        raise NatAgentError(f"{name} must be positive, not {value!r}")
    return number


def build(file_settings: dict[str, Any], **options: Any) -> AgentConfig:
    """Options given (not None, not empty) win over the file's settings."""
    merged = dict(file_settings)
    if "health_check_host" in merged and "health_check" not in merged:
        merged["health_check"] = merged["health_check_host"]
    for key, value in options.items():
        if value not in (None, (), []):
            merged[key] = list(value) if isinstance(value, tuple) else value
    lock = merged.get("lock")
    if not lock:
        raise NatAgentError("no lock service: pass --lock etcd://HOST:PORT or consul://HOST:PORT "
                            "(or set \"lock\" in the config file)")
    parse_lock_url(lock)
    ttl = _number("ttl", merged.get("ttl")) or DEFAULT_TTL
    interval = _number("interval", merged.get("interval"))
    if interval is not None and interval >= ttl:
        raise NatAgentError(f"interval ({interval:g} s) must be shorter than the TTL ({ttl:g} s)")
    return AgentConfig(
        lock=lock, route_tables=_tables(merged.get("route_tables")), region=merged.get("region") or None,
        endpoint_url=merged.get("endpoint_url") or None, instance_id=merged.get("instance_id") or None,
        elastic_ip_allocation=merged.get("elastic_ip_allocation") or None,
        health_check=merged.get("health_check") or None, ttl=ttl, interval=interval,
    )
