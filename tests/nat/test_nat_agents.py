"""Three agents as real processes (`sparkleform nat-agent run`) for three moto instances and
two route tables, electing through a real etcd (and through the Consul stand-in): one leads
and the routes point to it; kill -9, SIGTERM, a failing health check and an etcd outage hand
over to another; a paused stale leader never writes. Never two leaders at once."""

from __future__ import annotations

import signal
import time

import pytest
from _nat_cluster import Cluster, parse_time, writes_by_key

TTL, INTERVAL = 2, 0.2
WAIT = 15  # generous bounds for slow machines; the benchmark measures the real times


@pytest.fixture
def cluster_on(world):
    made = []

    def start(lock_url: str, ttl: float = TTL) -> Cluster:
        cluster = Cluster(world, lock_url, ttl=ttl, interval=INTERVAL).start()
        made.append(cluster)
        return cluster

    yield start
    for cluster in made:
        cluster.stop()


def assert_no_split_brain(cluster: Cluster) -> None:
    assert cluster.overlaps() == [], cluster.describe()


def test_one_leader_takes_the_routes_kill_9_and_sigterm_hand_over(etcd, cluster_on, world):
    cluster = cluster_on(etcd.lock_url)
    first = cluster.wait_for_leader(WAIT)
    assert world.address_owner() == first.instance
    assert world.source_dest_check(first.instance) is False
    updated = [e for e in first.events() if e["event"] == "routes-updated"]
    assert updated[0]["tables"] == sorted(world.route_tables) and updated[0]["elastic_ip"] is True
    assert all(not a.is_leader() for a in cluster.agents if a is not first)

    first.signal(signal.SIGKILL)  # no goodbye: the lease runs out
    second = cluster.wait_for_leader(WAIT, exclude=(first,))
    assert world.address_owner() == second.instance
    assert world.source_dest_check(second.instance) is False

    second.signal(signal.SIGTERM)  # a clean stop: the lock is released at once
    assert second.process.wait(timeout=10) == 0
    released = [e for e in second.events() if e["event"] == "released"]
    assert released and released[-1]["reason"] == "signal"
    third = cluster.wait_for_leader(WAIT, exclude=(first, second))
    took = parse_time(next(e for e in third.events() if e["event"] == "leader")["time"]) - parse_time(
        released[-1]["time"])
    assert took < TTL / 2, f"hand-over took {took:.2f} s: as if it had waited for the lease to run out"
    assert_no_split_brain(cluster)


def test_failing_health_check_hands_over_then_an_etcd_outage_causes_no_split_brain(private_etcd, cluster_on):
    etcd = private_etcd  # stopped and started again below: not the session's shared server
    cluster = cluster_on(etcd.lock_url)
    first = cluster.wait_for_leader(WAIT)
    first.health.fail()
    second = cluster.wait_for_leader(WAIT, exclude=(first,))
    released = [e for e in first.events() if e["event"] == "released"]
    assert released and released[-1]["reason"] == "health-check"
    time.sleep(0.5)
    assert not first.is_leader() and first.process.poll() is None  # sick: it does not take the lock back

    etcd.stop()  # the lock service goes away: the leader must stop leading within its TTL
    stopped = time.time()
    deadline = time.monotonic() + WAIT
    while second.is_leader() and time.monotonic() < deadline:
        time.sleep(0.05)
    lost = [e for e in second.events() if e["event"] == "lost-lock"]
    assert lost and lost[-1]["reason"] == "ttl-expired", cluster.describe()
    assert parse_time(lost[-1]["time"]) - stopped <= TTL + 0.5
    assert cluster.leaders() == []  # nobody leads without the lock service
    etcd.start()  # the old lease comes back with the data and runs out: then one healthy agent leads
    leader = cluster.wait_for_leader(WAIT)
    assert leader is not first
    time.sleep(0.5)
    assert cluster.leaders() == [leader]
    assert_no_split_brain(cluster)


def test_a_paused_stale_leader_does_not_write_after_it_resumes(etcd, cluster_on, world, moto_server):
    cluster = cluster_on(etcd.lock_url)
    first = cluster.wait_for_leader(WAIT)
    first.signal(signal.SIGSTOP)
    try:
        second = cluster.wait_for_leader(WAIT, exclude=(first,))  # first still "leads" in its own log
        time.sleep(0.5)
        moto_server.start_recording()
        first.signal(signal.SIGCONT)
        deadline = time.monotonic() + WAIT
        while first.is_leader() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)  # what the stale agent would do next, if anything
    finally:
        first.signal(signal.SIGCONT)
    moto_server.api("recorder/stop-recording")
    recording = moto_server.api("recorder/download-recording", data=None).decode()
    writes = writes_by_key(recording)
    assert writes.get(first.access_key) is None, writes
    lost = [e for e in first.events() if e["event"] == "lost-lock"]
    assert lost, cluster.describe()
    assert world.routes_point_to(second.instance)
    assert second.is_leader() and not first.is_leader()


def test_consul_backend_kill_9_and_sigterm_hand_over(consul, cluster_on, world):
    cluster = cluster_on(consul.lock_url("service/nat-ha/leader", lock_delay="500ms"))
    first = cluster.wait_for_leader(WAIT)
    first.signal(signal.SIGKILL)
    second = cluster.wait_for_leader(WAIT, exclude=(first,))
    second.signal(signal.SIGTERM)
    assert second.process.wait(timeout=10) == 0
    third = cluster.wait_for_leader(WAIT, exclude=(first, second))
    assert world.address_owner() == third.instance
    assert_no_split_brain(cluster)
