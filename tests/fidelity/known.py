"""The fidelity checks the local engine is known not to reproduce, each with its reason
(docs/engine.md lists them). check id -> reason."""

from __future__ import annotations

KNOWN: dict[str, str] = {}
