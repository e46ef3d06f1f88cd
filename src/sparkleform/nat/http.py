"""A small JSON-over-HTTP call for the lock services (urllib: no client library needed)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from sparkleform.nat.errors import LockUnavailable


def call(method: str, url: str, body: Any = None, *, timeout: float, raw: bytes | None = None) -> tuple[int, Any]:
    """(status, decoded JSON body or None). Connection failures and 5xx raise LockUnavailable;
    4xx come back as a status for the caller to judge."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, text = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, text = exc.code, exc.read()
    except (OSError, ValueError) as exc:  # URLError, timeouts, resets, bad status lines
        raise LockUnavailable(f"{method} {url}: {exc}") from None
    if status >= 500:
        raise LockUnavailable(f"{method} {url}: HTTP {status} {text[:200]!r}")
    try:
        return status, json.loads(text) if text.strip() else None
    except ValueError:
        return status, text.decode("utf-8", "replace")
