"""Waiting for a terminal's output in the pty tests: poll(2) rather than select(2), whose
descriptor sets stop at 1024 (a long test session may hold more descriptors than that)."""

from __future__ import annotations

import select


def readable(fd: int, timeout: float) -> bool:
    """Whether `fd` has something to read (or was closed) within `timeout` seconds."""
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)
    return bool(poller.poll(max(0.0, timeout) * 1000))
