"""Fixtures for the AWS provider tests: a moto_server over HTTP, dummy credentials, a bucket."""

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
    import boto3

    s3 = boto3.client(
        "s3",
        endpoint_url=moto_server.endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    s3.create_bucket(Bucket=TEMPLATE_BUCKET)
    return TEMPLATE_BUCKET


@pytest.fixture
def aws(moto_server, template_bucket):
    """An AwsProvider on the moto server (change sets, the default path)."""
    from sparkleform.providers import get_provider

    return get_provider(
        "aws", region="us-east-1", endpoint_url=moto_server.endpoint, bucket=template_bucket, prefix="tests",
        max_attempts=1,
    )


@pytest.fixture
def aws_direct(moto_server, template_bucket):
    """An AwsProvider on the moto server that uses CreateStack/UpdateStack directly."""
    from sparkleform.providers import get_provider

    return get_provider(
        "aws", region="us-east-1", endpoint_url=moto_server.endpoint, bucket=template_bucket, prefix="tests",
        change_sets=False, max_attempts=1,
    )


@pytest.fixture
def unique() -> str:
    return uuid.uuid4().hex[:8]
