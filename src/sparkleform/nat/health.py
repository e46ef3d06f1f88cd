"""The agent's health check: can this instance reach the outside?

`HOST:PORT` opens a TCP connection, `http(s)://...` expects a status below 400, a bare
`HOST` is pinged once (the article's check: one ping to a public address).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import urllib.error
import urllib.request
from collections.abc import Callable

from sparkleform.nat.errors import NatAgentError


def make_check(target: str, timeout: float = 1.0) -> Callable[[], bool]:
    """A function that runs the check once and says whether it passed."""
    target = target.strip()
    if not target:
        raise NatAgentError("the health check target is empty")
    if target.startswith(("http://", "https://")):
        return lambda: _http(target, timeout)
    host, sep, port = target.rpartition(":")
    if sep and port.isdigit() and host and not host.endswith(":"):
        return lambda: _tcp(host.strip("[]"), int(port), timeout)
    if ":" in target and not target.count(":") > 1:
        raise NatAgentError(f"health check {target!r}: expected HOST, HOST:PORT or a http(s) URL")
    ping = shutil.which("ping")
    if ping is None:  # a check that can never pass would keep this agent a follower forever
        raise NatAgentError(f"health check {target!r} needs the ping command, which is not installed",
                            hint="use HOST:PORT (TCP) or an http(s) URL instead")
    return lambda: _ping(ping, target, timeout)


def _tcp(host: str, port: int, timeout: float) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _http(url: str, timeout: float) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status < 400
    except (OSError, ValueError):
        return False


def _ping(ping: str, host: str, timeout: float) -> bool:
    wait = str(max(1, round(timeout)))
    result = subprocess.run([ping, "-c", "1", "-W", wait, host], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, check=False)
    return result.returncode == 0
