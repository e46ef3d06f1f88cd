"""The providers under test: the local engine and the AWS provider on moto_server (through
change sets, the default, and through CreateStack/UpdateStack directly)."""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "providers"))

import _motoserver

PROVIDERS = ["local", "aws", "aws-direct"]
TEMPLATE_BUCKET = "sparkleform-conformance"


@pytest.fixture(scope="session")
def moto_server():
    server = _motoserver.acquire()
    yield server
    _motoserver.release()


@pytest.fixture(params=PROVIDERS)
def provider_id(request) -> str:
    return request.param


@pytest.fixture
def provider(provider_id, request, tmp_path, monkeypatch):
    from sparkleform.providers import get_provider

    if provider_id == "local":
        try:
            import sparkleform.providers.local  # noqa: F401
        except ImportError as exc:
            pytest.skip(f"the local provider is not available yet ({exc})")
        prov = get_provider("local", state=str(tmp_path / "state.db"), region="us-east-1")
        yield prov
        close = getattr(prov, "close", None)
        if close:
            close()
        return
    server = request.getfixturevalue("moto_server")
    _motoserver.set_dummy_credentials(monkeypatch)
    bucket = _motoserver.ensure_bucket(server, TEMPLATE_BUCKET)
    yield get_provider(
        "aws", region="us-east-1", endpoint_url=server.endpoint, bucket=bucket, prefix="conformance",
        change_sets=provider_id == "aws", max_attempts=1,
    )


@pytest.fixture
def unique() -> str:
    return uuid.uuid4().hex[:8]
