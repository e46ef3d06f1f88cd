"""Identifiers the engine writes to its state: event ids, and the owner (host:pid) of the
operation running on a stack, with whether that owner is still alive (for `recover`).
"""

from __future__ import annotations

import contextlib
import os
import random
import socket

_id_rng = random.Random()
# a forked child must not repeat its parent's ids
os.register_at_fork(after_in_child=_id_rng.seed)


def _event_id() -> str:
    """A uuid4-shaped event id (cheaper than uuid.uuid4, unique enough for an event log)."""
    h = f"{_id_rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{h[16:20]}-{h[20:]}"


def _event_ids(n: int) -> list[str]:
    """`n` event ids like `_event_id`, drawn in one call (a wave's events are numerous)."""
    if n <= 0:
        return []
    h = _id_rng.randbytes(16 * n).hex()
    return [
        f"{h[i : i + 8]}-{h[i + 8 : i + 12]}-4{h[i + 13 : i + 16]}-{h[i + 16 : i + 20]}-{h[i + 20 : i + 32]}"
        for i in range(0, 32 * n, 32)
    ]


def _owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _owner_alive(owner: str | None) -> bool:
    if not owner:
        return False
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie (killed, not yet reaped) is not alive for our purposes
    with contextlib.suppress(OSError), open(f"/proc/{pid}/stat") as fh:
        if fh.read().split(") ", 1)[1].startswith("Z"):
            return False
    return True
