"""Identifiers the engine writes to its state: event ids, and the owner (host:pid:start) of
the operation running on a stack, with whether that owner is still alive (for `recover`).

A PID alone does not name a process for long: once the owner dies its PID can be given to
another process, and `recover` would wait for that one forever. So the owner also records
when its process started (field 22 of /proc/PID/stat, in clock ticks since boot): a live
process with that PID and another start time is not the owner. Owners written as host:pid
(before this) are still read, by PID alone.
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
    """`n` distinct event ids like `event_id`, for one batch of events: one random head for
    the batch (the first 28 hex digits, 108 random bits) and a count in the last three, from
    a table of their texts. Distinct within the batch by the count (a batch over 4,096 events
    moves the head's last digits on), across batches by the head; joining two strings per id
    costs a sixth of formatting a number into each (a 500-resource create has 1,500)."""
    if n <= 0:
        return []
    bits = _id_rng.getrandbits(128)
    h = f"{bits:032x}"
    head = f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{h[16:20]}-"
    middle = bits & _MIDDLE  # the 9 hex digits between the head and the count
    ids: list[str] = []
    for done in range(0, n, _COUNTS):
        prefix = f"{head}{(middle + done // _COUNTS) & _MIDDLE:09x}"
        ids += [prefix + count for count in _COUNT_TEXTS[: n - done]]
    return ids


_COUNTS = 4096  # the last three hex digits of a batch's ids count up through these
_COUNT_TEXTS = [f"{i:03x}" for i in range(_COUNTS)]
_MIDDLE = 0xFFFFFFFFF


def start_time(pid: int) -> str | None:
    """When process `pid` started (clock ticks since boot, from /proc), or None when unknown."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rpartition(")")[2].split()
    except OSError:
        return None
    # fields after the command name start at field 3 (state); the start time is field 22
    return fields[19] if len(fields) > 19 else None


_own_start: tuple[int, str | None] | None = None  # (pid, start time), per process (forks re-read it)


def owner() -> str:
    """This process, as the owner of the operation it runs on a stack (host:pid:start, or
    host:pid where the start time is unknown)."""
    global _own_start
    pid = os.getpid()
    if _own_start is None or _own_start[0] != pid:
        _own_start = (pid, start_time(pid))
    started = _own_start[1]
    return f"{socket.gethostname()}:{pid}" + (f":{started}" if started else "")


def owner_pid(who: str) -> str:
    """The PID part of an owner."""
    parts = who.split(":")
    return parts[1] if len(parts) >= 3 and parts[-1].isdigit() and parts[-2].isdigit() else parts[-1]


def owner_alive(who: str | None) -> bool:
    """Whether the owner `who` (as `owner()` wrote it) is a live process on this machine."""
    if not who:
        return False
    host, _, pid = who.rpartition(":")
    started = None
    if ":" in host and pid.isdigit() and host.rpartition(":")[2].isdigit():  # host:pid:start
        started = pid
        host, _, pid = host.rpartition(":")
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
    # the PID was given to another process since the owner died
    return started is None or start_time(int(pid)) in (started, None)
