"""The leader lock on etcd v3, through its JSON gRPC gateway (`/v3/...`, base64 keys).

Taking the lock: grant a lease of `ttl` seconds, then a transaction that creates the key
`PREFIX/leader` with that lease only if the key does not exist (create_revision == 0).
The key's create revision identifies this tenure: the fencing check is a transaction that
compares the key's create revision and lease with ours, so a key recreated by another
agent (even holding the same value) never passes it. The lease expiring deletes the key.
"""

from __future__ import annotations

import base64
import contextlib

from sparkleform.nat.errors import LockUnavailable
from sparkleform.nat.http import call
from sparkleform.nat.lock import Holder, Lock


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


class EtcdLock(Lock):
    def __init__(self, base_url: str, prefix: str, ttl: float) -> None:
        self.base = base_url.rstrip("/")
        self.key = _b64(prefix.rstrip("/") + "/leader")
        self.ttl = ttl
        self.timeout = max(0.5, min(2.0, ttl / 4))
        self.lease: str | None = None
        self.revision: str | None = None  # the key's create_revision while we hold it

    def _post(self, path: str, body: dict) -> tuple[int, dict]:
        status, data = call("POST", f"{self.base}/v3/{path}", body, timeout=self.timeout)
        if not isinstance(data, dict):
            raise LockUnavailable(f"etcd {path}: unexpected answer {data!r}")
        return status, data

    def _range(self) -> dict | None:
        status, data = self._post("kv/range", {"key": self.key})
        if status != 200:
            raise LockUnavailable(f"etcd kv/range: HTTP {status} {data.get('message', '')}")
        kvs = data.get("kvs") or []
        return kvs[0] if kvs else None

    def acquire(self, value: str) -> bool:
        if self.revision is not None:
            return self.held()
        if self._range() is not None:
            return False
        # etcd's TTLs are whole seconds: round up so the lease never outlives less than asked
        status, grant = self._post("lease/grant", {"TTL": int(-(-self.ttl // 1))})
        if status != 200 or "ID" not in grant:
            raise LockUnavailable(f"etcd lease/grant: HTTP {status} {grant.get('message', '')}")
        lease = grant["ID"]
        status, txn = self._post("kv/txn", {
            "compare": [{"key": self.key, "target": "CREATE", "create_revision": "0"}],
            "success": [{"request_put": {"key": self.key, "value": _b64(value), "lease": lease}}],
        })
        if status == 200 and txn.get("succeeded"):
            self.lease, self.revision = lease, txn["header"]["revision"]
            return True
        self._revoke(lease)
        return False

    def refresh(self) -> bool:
        if self.lease is None:
            return False
        status, data = self._post("lease/keepalive", {"ID": self.lease})
        result = data.get("result") or {}
        if status != 200 or int(result.get("TTL") or 0) <= 0:
            self._forget()
            return False
        return self.held()

    def held(self) -> bool:
        if self.lease is None or self.revision is None:
            return False
        status, data = self._post("kv/txn", {
            "compare": [
                {"key": self.key, "target": "CREATE", "create_revision": self.revision},
                {"key": self.key, "target": "LEASE", "lease": self.lease},
            ],
        })
        if status != 200:
            raise LockUnavailable(f"etcd kv/txn: HTTP {status} {data.get('message', '')}")
        if data.get("succeeded"):
            return True
        self._forget()
        return False

    def release(self) -> None:
        lease = self.lease
        self._forget()
        if lease is not None:
            self._revoke(lease)  # deletes the key with it

    def holder(self) -> Holder | None:
        kv = self._range()
        if kv is None:
            return None
        return Holder(base64.b64decode(kv.get("value", "")).decode("utf-8", "replace"), kv.get("lease", ""))

    def remaining(self, lease: str) -> int | None:
        """Seconds left on a lease (None when it is gone)."""
        _, data = self._post("lease/timetolive", {"ID": lease})
        ttl = int(data.get("TTL") or -1)
        return ttl if ttl >= 0 else None

    def _revoke(self, lease: str) -> None:
        with contextlib.suppress(LockUnavailable):  # else it expires on its own
            self._post("lease/revoke", {"ID": lease})

    def _forget(self) -> None:
        self.lease = self.revision = None
