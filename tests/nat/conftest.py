"""Fixtures for the NAT agent's tests: a real etcd on 127.0.0.1, the Consul stand-in,
moto_server for EC2/Auto Scaling, and a small VPC with a NAT auto scaling group in it."""

from __future__ import annotations

import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "providers"))

import _motoserver  # noqa: E402
from _nat_cluster import World, make_world  # noqa: E402
from _nat_consul import ConsulStandIn  # noqa: E402
from _nat_etcd import EtcdServer, etcd_binary  # noqa: E402


@pytest.fixture(autouse=True)
def _aws_env(monkeypatch):
    _motoserver.set_dummy_credentials(monkeypatch)


@pytest.fixture(scope="session")
def moto_server():
    server = _motoserver.acquire()
    yield server
    _motoserver.release()


def _run_etcd():
    binary = etcd_binary()
    if binary is None:
        pytest.skip("etcd is not installed (.ci/install-nat.sh installs it)")
    server = EtcdServer(binary)
    server.start()
    yield server
    server.close()


@pytest.fixture(scope="session")
def etcd_server():
    """One etcd server for the session; tests share it, each under a key prefix of its own."""
    yield from _run_etcd()


@dataclass
class EtcdPrefix:
    """The shared etcd seen by one test: its lock URLs live under a prefix of their own."""

    server: EtcdServer
    prefix: str

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def lock_url(self) -> str:
        return f"{self.server.lock_url}/{self.prefix}"


@pytest.fixture
def etcd(etcd_server) -> EtcdPrefix:
    """The session's etcd, under a fresh key prefix (no lock of another test is seen)."""
    return EtcdPrefix(etcd_server, f"t-{uuid.uuid4().hex[:12]}")


@pytest.fixture
def private_etcd():
    """An etcd server of this test's own (its own data dir and ports): for a test that stops it."""
    yield from _run_etcd()


@pytest.fixture
def consul():
    server = ConsulStandIn().start()
    yield server
    server.stop()


@pytest.fixture
def world(moto_server) -> World:
    """Three NAT instances in an auto scaling group, two fresh private route tables, an EIP."""
    return make_world(moto_server.endpoint)
