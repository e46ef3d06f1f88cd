"""The lock backends and the agent's state logic on a real etcd and on the Consul stand-in:
one holder at a time, release hands over at once, expiry frees the lock, and the fence
refuses a stale leader's write (checked on what moto received)."""

from __future__ import annotations

import contextlib
import time

import pytest

from sparkleform.nat.agent import Agent
from sparkleform.nat.aws import NatWriter, clients
from sparkleform.nat.errors import Fenced, LockUnavailable, NatAgentError
from sparkleform.nat.http import call
from sparkleform.nat.lock import open_lock, parse_lock_url

TTL = 2.0


def wait_until(predicate, timeout: float, step: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"not true within {timeout} s")


@pytest.fixture(params=["etcd", "consul"])
def make_lock(request):
    """Locks on one service: etcd (real) or the Consul stand-in (lock-delay 500 ms)."""
    if request.param == "etcd":
        server = request.getfixturevalue("etcd")
        url = server.lock_url + "/t"
    else:
        server = request.getfixturevalue("consul")
        url = server.lock_url("nat/t", lock_delay="500ms")
    made = []

    def make(name: str):
        lock = open_lock(url, TTL, name=name)
        lock.report_health(True)
        made.append(lock)
        return lock

    make.backend = request.param
    yield make
    for lock in made:
        with contextlib.suppress(LockUnavailable):
            lock.close()


def test_one_holder_at_a_time_and_release_hands_over_at_once(make_lock):
    a, b = make_lock("i-a"), make_lock("i-b")
    assert a.acquire("i-a") is True
    assert b.acquire("i-b") is False
    assert a.held() and not b.held()
    assert a.holder().value == "i-a"
    assert a.refresh() is True
    a.release()
    assert not a.held()
    assert b.acquire("i-b") is True  # no lock-delay after an explicit release
    assert b.holder().value == "i-b"


def test_a_holder_that_stops_refreshing_loses_the_lock_after_the_ttl(make_lock):
    a, b = make_lock("i-a"), make_lock("i-b")
    assert a.acquire("i-a")
    started = time.monotonic()

    def b_takes_it():
        if make_lock.backend == "consul":
            b.report_health(True)  # b's own check stays passing; a's runs out
        return b.acquire("i-b")

    wait_until(b_takes_it, timeout=TTL * 3 + 2)
    assert time.monotonic() - started >= TTL  # not before the TTL
    assert a.held() is False
    assert a.refresh() is False
    assert b.holder().value == "i-b"


def test_consul_lock_delay_after_invalidation_only(consul):
    a = open_lock(consul.lock_url("nat/d", lock_delay="1s"), TTL, name="i-a")
    b = open_lock(consul.lock_url("nat/d", lock_delay="1s"), TTL, name="i-b")
    a.report_health(True)
    b.report_health(True)
    assert a.acquire("i-a")
    a.report_health(False)  # the check fails: Consul invalidates the session, the key is released
    assert a.holder() is None
    assert b.acquire("i-b") is False  # refused during the lock-delay
    wait_until(lambda: b.acquire("i-b"), timeout=3)
    assert b.holder().value == "i-b"


def test_lock_urls():
    assert parse_lock_url("etcd://127.0.0.1:2379").path == "/nat-ha"
    assert parse_lock_url("consul://127.0.0.1:8500").path == "service/nat-ha/leader"
    assert parse_lock_url("consul://h:1/k?lock-delay=15s").options == {"lock-delay": "15s"}
    for bad in ("http://h:1", "etcd://h", "etcd://h:1?lock-delay=1s", "consul://h:x"):
        with pytest.raises(NatAgentError):
            parse_lock_url(bad)


def test_unreachable_lock_service_raises_lock_unavailable():
    from _nat_etcd import free_port

    lock = open_lock(f"etcd://127.0.0.1:{free_port()}", TTL)
    with pytest.raises(LockUnavailable):
        lock.acquire("i-a")


class Events:
    def __init__(self):
        self.items: list[dict] = []

    def __call__(self, event, **fields):
        self.items.append({"event": event, **fields})

    def names(self):
        return [e["event"] for e in self.items]


_CLIENTS: dict = {}


def _agent(lock, world, instance, events, healthy=lambda: True):
    if world.endpoint not in _CLIENTS:  # botocore reads the EC2 model once per client: share it
        _CLIENTS[world.endpoint] = clients("us-east-1", world.endpoint)[0]
    ec2 = _CLIENTS[world.endpoint]
    writer = NatWriter(ec2, instance, world.route_tables, fence=lambda: False, allocation_id=world.allocation)
    return Agent(lock, writer, healthy, instance_id=instance, tick=0.25, emit=events)


def test_agent_takes_over_and_the_fence_refuses_a_stale_leader(make_lock, world, moto_server):
    import _motoserver

    one, two = world.instances[:2]
    ev1, ev2 = Events(), Events()
    a, b = _agent(make_lock(one), world, one, ev1), _agent(make_lock(two), world, two, ev2)
    a.step()
    b.step()
    assert ev1.names() == ["leader", "routes-updated"] and ev2.names() == []
    assert ev1.items[1]["tables"] == sorted(world.route_tables) and ev1.items[1]["elastic_ip"] is True
    assert set(world.default_routes().values()) == {one}
    assert world.address_owner() == one and world.source_dest_check(one) is False

    # a's lease/session is gone on the server (as when it expired while a was paused); a is not told
    lease = a.lock.holder().lease
    if make_lock.backend == "etcd":
        call("POST", f"{a.lock.base}/v3/lease/revoke", {"ID": lease}, timeout=2)
    else:
        call("PUT", f"{a.lock.base}/v1/session/destroy/{lease}", timeout=2)
    wait_until(lambda: (b.step(), b.leader)[1], timeout=3)
    assert set(world.default_routes().values()) == {two}

    # ... and a, which still thinks it leads with time left, tries to write: the fence says no
    assert a.leader and a.clock() < a.deadline
    recording = _motoserver.Recording(moto_server)
    recording.start()
    with pytest.raises(Fenced):
        a.writer.take_over()
    writes = [r for r in recording.stop() if r["action"] in
              ("ModifyInstanceAttribute", "ReplaceRoute", "CreateRoute", "AssociateAddress")]
    assert writes == []
    assert set(world.default_routes().values()) == {two}
    a.step()
    assert ev1.names()[-2:] == ["lost-lock", "follower"]
    assert ev1.items[-2]["reason"] == "lock-lost"


def test_an_unhealthy_leader_releases_and_a_healthy_peer_takes_over(make_lock, world):
    one, two = world.instances[:2]
    health = {"ok": True}
    ev1, ev2 = Events(), Events()
    a = _agent(make_lock(one), world, one, ev1, healthy=lambda: health["ok"])
    b = _agent(make_lock(two), world, two, ev2)
    a.step()
    assert a.leader
    health["ok"] = False
    a.step()
    assert ev1.names()[-2:] == ["released", "follower"] and ev1.items[-2]["reason"] == "health-check"
    b.step()  # at once: an explicit release leaves no lock-delay
    assert b.leader and set(world.default_routes().values()) == {two}
    a.step()
    assert not a.leader  # an unhealthy agent does not try to take the lock back
