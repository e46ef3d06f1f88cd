"""Failure injection: the Metadata keys that make a resource fail on create, update or
delete, so that rollbacks can be exercised locally.
"""

from __future__ import annotations

from typing import Any

from sparkleform.engine.errors import ResourceFailure

FAIL_KEY = "sparkleform:fail"
FAIL_REASON_KEY = "sparkleform:fail-reason"


def inject_failure(metadata: Any, action: str) -> None:
    """Fail the resource (ResourceFailure) when its Metadata asks it to fail on `action`."""
    if not isinstance(metadata, dict) or FAIL_KEY not in metadata:
        return
    flag = metadata[FAIL_KEY]
    if flag is True:
        actions = {"create", "update"}
    elif isinstance(flag, str):
        actions = {flag.lower()}
    elif isinstance(flag, list):
        actions = {str(a).lower() for a in flag}
    else:
        actions = set()
    if action not in actions:
        return
    raise ResourceFailure(str(metadata.get(FAIL_REASON_KEY) or f"Injected failure on {action} (Metadata {FAIL_KEY})"))
