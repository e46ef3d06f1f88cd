"""The leader lock on Consul: a session tied to health checks, and a KV key acquired with it.

As in the article: the agent registers a TTL check of its own (`nat-ha:INSTANCE`) on the
local Consul agent and passes it every interval while its health check passes; its session
names that check and `serfHealth`, with `Behavior=release` and a lock-delay. The agent
dying (its check's TTL runs out), its node failing (serfHealth) or the agent failing its
check invalidates the session, which releases the key; Consul then refuses the key to
everyone for the lock-delay. The fencing check reads the key and compares its Session.
Consul sessions have a 10 s minimum TTL, so failover rides on the check's TTL instead.
"""

from __future__ import annotations

import base64
import contextlib
import math
from urllib.parse import quote

from sparkleform.nat.errors import LockUnavailable
from sparkleform.nat.http import call
from sparkleform.nat.lock import Holder, Lock


class ConsulLock(Lock):
    def __init__(self, base_url: str, key: str, ttl: float, *, lock_delay: str = "1s", name: str = "nat-ha") -> None:
        self.base = base_url.rstrip("/")
        self.key = key.strip("/")
        self.ttl = ttl
        self.lock_delay = lock_delay
        self.check_id = f"nat-ha:{name}"
        self.timeout = max(0.5, min(2.0, ttl / 4))
        self.session: str | None = None
        self.holding = False
        self._registered = False

    def _call(self, method: str, path: str, body=None, *, raw: bytes | None = None):
        return call(method, f"{self.base}/v1/{path}", body, raw=raw, timeout=self.timeout)

    def _kv_path(self) -> str:
        return "kv/" + quote(self.key, safe="/")

    def report_health(self, healthy: bool) -> None:
        if not self._registered:
            ttl = f"{max(1, math.ceil(self.ttl))}s"
            status, _ = self._call("PUT", "agent/check/register",
                                   {"ID": self.check_id, "Name": "NAT agent health", "TTL": ttl,
                                    "Status": "passing" if healthy else "critical"})
            if status != 200:
                raise LockUnavailable(f"consul check register: HTTP {status}")
            self._registered = True
        status, _ = self._call("PUT", f"agent/check/{'pass' if healthy else 'fail'}/{quote(self.check_id)}")
        if status == 404:  # the agent forgot the check (restarted): register it again next time
            self._registered = False
        if not healthy:
            self.session, self.holding = None, False  # Consul invalidates the session

    def _ensure_session(self) -> str:
        if self.session is not None:
            status, info = self._call("GET", f"session/info/{self.session}")
            if status == 200 and info:
                return self.session
            self.session = None
        status, data = self._call("PUT", "session/create", {
            "Name": self.check_id, "Checks": ["serfHealth", self.check_id],
            "Behavior": "release", "LockDelay": self.lock_delay,
        })
        if status != 200 or not isinstance(data, dict) or "ID" not in data:
            raise LockUnavailable(f"consul session/create: HTTP {status} {data!r}")
        self.session = data["ID"]
        return self.session

    def acquire(self, value: str) -> bool:
        if self.holding:
            return self.held()
        session = self._ensure_session()
        status, ok = self._call("PUT", f"{self._kv_path()}?acquire={session}", raw=value.encode())
        self.holding = status == 200 and ok is True
        return self.holding

    def refresh(self) -> bool:
        """Pass the check (that is what keeps the session alive), then read the key."""
        if self.holding:
            self.report_health(True)
        return self.held()

    def held(self) -> bool:
        if not self.holding or self.session is None:
            return False
        status, data = self._call("GET", f"{self._kv_path()}?consistent")
        self.holding = status == 200 and bool(data) and data[0].get("Session") == self.session
        return self.holding

    def release(self) -> None:
        session, self.session, self.holding = self.session, None, False
        if session is None:
            return
        try:
            self._call("PUT", f"{self._kv_path()}?release={session}")
            self._call("PUT", f"session/destroy/{session}")
        except LockUnavailable:
            pass  # the session dies with the check's TTL

    def close(self) -> None:
        self.release()
        if self._registered:
            with contextlib.suppress(LockUnavailable):
                self._call("PUT", f"agent/check/deregister/{quote(self.check_id)}")
            self._registered = False

    def holder(self) -> Holder | None:
        status, data = self._call("GET", self._kv_path())
        if status == 404 or not data or not data[0].get("Session"):
            return None
        value = base64.b64decode(data[0].get("Value") or "").decode("utf-8", "replace")
        return Holder(value, data[0]["Session"])
