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


def event_id() -> str:
    """A uuid4-shaped event id (cheaper than uuid.uuid4, unique enough for an event log)."""
    h = f"{_id_rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{h[16:20]}-{h[20:]}"


def event_ids(n: int) -> list[str]:
    """`n` distinct event ids like `event_id`, for one batch of events: one random head (76
    bits) for the batch, and its last group counts up from a random start. Distinct within
    the batch by the count, across batches by the head; formatting one counter per id costs
    half of slicing a fresh random string five times (a 500-resource create has 1,000)."""
    if n <= 0:
        return []
    bits = _id_rng.getrandbits(128)
    h = f"{bits:032x}"
    head = f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{h[16:20]}-"
    start = (bits & _LAST_GROUP) % (_LAST_GROUP + 2 - n) if n <= _LAST_GROUP else 0
    return [f"{head}{i:012x}" for i in range(start, start + n)]


_LAST_GROUP = 0xFFFFFFFFFFFF  # the largest value of the last (12-hex-digit) group


def owner() -> str:
    """This process, as the owner of the operation it runs on a stack."""
    return f"{socket.gethostname()}:{os.getpid()}"


def owner_alive(who: str | None) -> bool:
    """Whether the owner `who` (as `owner()` wrote it) is a live process on this machine."""
    if not who:
        return False
    host, _, pid = who.rpartition(":")
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
