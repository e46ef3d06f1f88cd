"""The agent's states: follower or leader, and the moves between them.

One `step()` per tick. A follower whose health check passes tries to take the lock; the one
that gets it becomes the leader and takes over the NAT (routes, source/dest check, Elastic
IP). A leader refreshes the lock each tick and re-asserts the routes. It stops being the
leader when the lock service says it lost the lock, when its health check fails (it gives
the lock up so a healthy peer takes over), and when it could not refresh the lock for a
whole TTL (the lock service may have handed the lock to someone else by then): its local
deadline is counted from *before* each successful refresh, so it runs out no later than
the lock does on the server. Every AWS write is fenced: the deadline must not have passed
and the lock service must confirm the lock is still ours.

Each state change is one JSON line through `emit`: follower, leader, routes-updated,
lost-lock, released (and lock-unreachable, aws-error).
"""

from __future__ import annotations

import contextlib
import json
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TextIO

from sparkleform.nat.aws import NatWriter
from sparkleform.nat.errors import Fenced, LockUnavailable
from sparkleform.nat.lock import Lock


def json_line_emitter(stream: TextIO = sys.stdout, **fixed: Any) -> Callable[..., None]:
    """An `emit(event, **fields)` that writes one JSON object per line and flushes."""

    def emit(event: str, **fields: Any) -> None:
        now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        stream.write(json.dumps({"time": now, "event": event, **fixed, **fields}) + "\n")
        stream.flush()

    return emit


class Agent:
    def __init__(self, lock: Lock, writer: NatWriter, health: Callable[[], bool], *, instance_id: str,
                 tick: float, emit: Callable[..., None], clock: Callable[[], float] = time.monotonic) -> None:
        self.lock = lock
        self.writer = writer
        writer.fence = self.fence
        self.health = health
        self.instance_id = instance_id
        self.ttl = lock.ttl
        self.tick = tick
        self.emit = emit
        self.clock = clock
        self.leader = False
        self.deadline = 0.0
        self.taken_over = False
        self.reachable = True

    # -- the fence ---------------------------------------------------------------------
    def fence(self) -> bool:
        """May this agent write to AWS now? Asked before every write: the deadline has not
        passed and the lock service confirms the lock (refreshing it, which moves the
        deadline on, so a slow takeover does not outlive the lease)."""
        if not self.leader or self.clock() >= self.deadline:
            return False
        started = self.clock()
        try:
            still = self.lock.refresh()
        except LockUnavailable:
            return False
        if still:
            self.deadline = started + self.ttl
        return still

    # -- the loop ----------------------------------------------------------------------
    def run(self, stop: threading.Event) -> None:
        """Step until `stop` is set, then hand over (release the lock at once when held)."""
        self.emit("follower")
        try:
            while not stop.is_set():
                self.step()
                stop.wait(self.sleep_time())
        finally:
            self.shutdown()

    def sleep_time(self) -> float:
        if self.leader:  # wake at the deadline at the latest, to step down on time
            return max(0.0, min(self.tick, self.deadline - self.clock()))
        return self.tick

    def step(self) -> None:
        started = self.clock()  # before the check pass/keepalive that extends the lock
        healthy = self.health()
        if self.leader and not healthy:
            self._release("health-check")
        try:
            self.lock.report_health(healthy)
        except LockUnavailable as exc:
            self._unreachable(exc)
        if self.leader:
            self._lead(started)
        elif healthy:
            self._follow(started)

    def _follow(self, started: float) -> None:
        try:
            got = self.lock.acquire(self.instance_id)
        except LockUnavailable as exc:
            self._unreachable(exc)
            return
        self._reachable()
        if not got:
            return
        self.leader, self.deadline, self.taken_over = True, started + self.ttl, False
        self.emit("leader", ttl=self.ttl)
        self._take_over()

    def _lead(self, started: float) -> None:
        if self.clock() >= self.deadline:
            self._lose("ttl-expired")
            return
        try:
            still = self.lock.refresh()
        except LockUnavailable as exc:
            self._unreachable(exc)
            return  # still the leader until the deadline, if the service comes back in time
        self._reachable()
        if not still:
            self._lose("lock-lost")
            return
        self.deadline = started + self.ttl
        if not self.taken_over:
            self._take_over()
            return
        try:
            tables = self.writer.reconcile()
        except Fenced:
            self._lose("fenced")
            return
        except Exception as exc:  # botocore errors: try again next tick
            self._aws_error(exc)
            return
        if tables:
            self.emit("routes-updated", tables=tables, reason="reconcile")

    def _take_over(self) -> None:
        try:
            result = self.writer.take_over()
        except Fenced:
            self._lose("fenced")
            return
        except Exception as exc:  # botocore errors: the next tick tries again
            self._aws_error(exc)
            return
        self.taken_over = True
        self.emit("routes-updated", tables=result.route_tables, all_tables=self.writer.route_tables,
                  elastic_ip=result.address, reason="takeover")

    # -- leaving -----------------------------------------------------------------------
    def _lose(self, reason: str) -> None:
        self.leader = False
        with contextlib.suppress(LockUnavailable):
            self.lock.release()  # tidy only: anything of ours left on the server is stale
        self.emit("lost-lock", reason=reason)
        self.emit("follower")

    def _release(self, reason: str) -> None:
        self.leader = False
        with contextlib.suppress(LockUnavailable):
            self.lock.release()
        self.emit("released", reason=reason)
        if reason != "signal":
            self.emit("follower")

    def shutdown(self) -> None:
        if self.leader:
            self._release("signal")
        with contextlib.suppress(LockUnavailable):
            self.lock.close()

    def _unreachable(self, exc: Exception) -> None:
        if self.reachable:
            self.reachable = False
            self.emit("lock-unreachable", error=str(exc)[:200])

    def _reachable(self) -> None:
        self.reachable = True

    def _aws_error(self, exc: Exception) -> None:
        self.emit("aws-error", error=str(exc)[:300])
