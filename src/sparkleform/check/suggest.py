"""Nearest-name suggestions for misspelt property names, types and references."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from sparkleform.spec import norm


def nearest(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate `name` most likely meant: same letters ignoring case first, else closest."""
    pool = [c for c in candidates if isinstance(c, str)]
    if not isinstance(name, str) or not pool:
        return None
    n = norm(name)
    for cand in pool:
        if norm(cand) == n:
            return cand
    lowered = {c.lower(): c for c in pool}
    close = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[close[0]] if close else None


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """" (did you mean X?)" or "" when nothing is close."""
    hit = nearest(name, candidates)
    return f" (did you mean {hit}?)" if hit and hit != name else ""
