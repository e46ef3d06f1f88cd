"""What keeps the proxy honest: a limit on failed logins per user and per address, and the
audit log (one JSON line per sign-in attempt, never a password, credential or sign-in URL)."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import deque

AUDIT_LOGGER = "sparkleform.federation.audit"


class FailureLimiter:
    """Counts failures per key in a sliding window; `blocked` once a key reaches its limit."""

    def __init__(self, limit: int, window: float, clock=time.monotonic) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self._failures: dict[str, deque] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str) -> deque:
        now = self.clock()
        times = self._failures.setdefault(key, deque())
        while times and now - times[0] > self.window:
            times.popleft()
        return times

    def blocked(self, key: str) -> bool:
        with self._lock:
            return len(self._recent(key)) >= self.limit

    def fail(self, key: str) -> None:
        with self._lock:
            self._recent(key).append(self.clock())
            if len(self._failures) > 100_000:  # bounded memory under a spray of names
                stale = [k for k, v in self._failures.items() if not v]
                for k in stale:
                    del self._failures[k]

    def reset(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)


def audit_logger(path: str | None) -> logging.Logger:
    """The audit logger: to `path` (appended, mode 0600) or to stderr."""
    logger = logging.getLogger(AUDIT_LOGGER + (f".{abs(hash(path))}" if path else ""))
    logger.setLevel(logging.INFO)
    logger.propagate = False
    if not logger.handlers:
        if path:
            import os

            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            os.close(fd)
            handler: logging.Handler = logging.FileHandler(path, encoding="utf-8")
        else:
            handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
    return logger


def audit(logger: logging.Logger, event: str, *, user: str | None, address: str | None, outcome: str,
          group: str | None = None, role: str | None = None, detail: str | None = None) -> None:
    record = {"time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "event": event, "user": user,
              "group": group, "role": role, "source": address, "outcome": outcome}
    if detail:
        record["detail"] = detail
    logger.info(json.dumps(record, sort_keys=False))
