"""Fixtures for the AWS provider tests: a moto_server over HTTP, dummy credentials, a bucket,
and a recorder of the requests the server received (to check what was really sent)."""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _motoserver

TEMPLATE_BUCKET = "sparkleform-test-templates"


@pytest.fixture(scope="session")
def moto_server():
    server = _motoserver.acquire()
    yield server
    _motoserver.release()


@pytest.fixture(autouse=True)
def _aws_env(monkeypatch):
    _motoserver.set_dummy_credentials(monkeypatch)


@pytest.fixture(scope="session")
def template_bucket(moto_server) -> str:
    return _motoserver.ensure_bucket(moto_server, TEMPLATE_BUCKET)


def _provider(moto_server, bucket, **extra):
    from sparkleform.providers import get_provider

    options = {"region": "us-east-1", "endpoint_url": moto_server.endpoint, "bucket": bucket, "prefix": "tests",
               "max_attempts": 1, **extra}
    return get_provider("aws", **options)


@pytest.fixture
def aws(moto_server, template_bucket):
    """An AwsProvider on the moto server (change sets, the default path)."""
    return _provider(moto_server, template_bucket)


@pytest.fixture
def aws_direct(moto_server, template_bucket):
    """An AwsProvider on the moto server that uses CreateStack/UpdateStack directly."""
    return _provider(moto_server, template_bucket, change_sets=False)


@pytest.fixture
def make_aws(moto_server, template_bucket):
    """Build an AwsProvider on the moto server with other options."""
    return lambda **extra: _provider(moto_server, extra.pop("bucket", template_bucket), **extra)


@pytest.fixture
def recorder(moto_server):
    """Records the requests moto receives while the test runs: `recorder.requests(action)`."""
    rec = _motoserver.Recording(moto_server)
    rec.start()
    yield rec
    rec.stop()


@pytest.fixture
def unique() -> str:
    return uuid.uuid4().hex[:8]
