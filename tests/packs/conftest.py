"""Fixtures for the seed pack's tests: the pack's registry, and the session's moto server."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "providers"))

import _motoserver


@pytest.fixture(scope="session")
def seed_registry():
    """A registry holding the built-in packs only (no project folder)."""
    from sparkleform.dsl.collection import load_collection

    return load_collection(None)


@pytest.fixture(scope="session")
def moto_server():
    """URL of the session's shared moto server (AWS stand-in) on 127.0.0.1 (tests/providers/_motoserver.py)."""
    pytest.importorskip("moto.server", reason="moto[server] is not installed")
    server = _motoserver.acquire()
    yield server.endpoint
    _motoserver.release()
