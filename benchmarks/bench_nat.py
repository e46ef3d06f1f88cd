"""Benchmark: NAT failover time. Three agents (`sparkleform nat-agent run`, real processes)
for three moto instances and two route tables; kill -9 of the leader, then time until every
route points to a new live leader. Repeated --kills times (the killed agent is restarted
between kills, so three agents always compete), for each configuration:

    python benchmarks/bench_nat.py [--kills 20] [--configs etcd-ttl2,etcd-default,...]

- etcd-ttl2 / etcd-default: our agent on a real etcd, `--ttl 2` and the default TTL 10
  (interval TTL/3, the default);
- consul-ttl2: our agent on the Consul stand-in (tests/nat/_nat_consul.py), lock-delay 1 s;
- consul-article: the article's pattern on the stand-in: Consul's minimum session TTL 10 s
  and its default 15 s lock-delay.

The Consul figures come from the in-test stand-in of Consul's HTTP API (no Consul package
here): they model Consul's documented session/lock-delay rules, not a real cluster's gossip.
"Two leaders" counts overlapping leaderships in the agents' own logs (must stay 0).
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests" / "nat"), str(ROOT / "tests" / "providers")]
os.environ.setdefault("PYTHONPATH", str(ROOT / "src"))

import _motoserver  # noqa: E402
from _nat_cluster import Cluster, make_world  # noqa: E402
from _nat_consul import ConsulStandIn  # noqa: E402
from _nat_etcd import EtcdServer, etcd_binary  # noqa: E402

CONFIGS = {
    "etcd-ttl2": ("etcd", 2, None),
    "etcd-default": ("etcd", 10, None),
    "consul-ttl2": ("consul", 2, "1s"),
    "consul-article": ("consul", 10, "15s"),
}


def measure(name: str, kills: int, endpoint: str) -> dict:
    backend, ttl, lock_delay = CONFIGS[name]
    world = make_world(endpoint)
    server = None
    if backend == "etcd":
        server = EtcdServer(etcd_binary())
        server.start()
        url = server.lock_url
    else:
        server = ConsulStandIn().start()
        url = server.lock_url(f"bench/{name}", lock_delay=lock_delay)
    cluster = Cluster(world, url, ttl=ttl, interval=ttl / 3).start()
    times: list[float] = []
    try:
        for _ in range(kills):
            while not all(a.events() for a in cluster.agents):  # every agent up (logged "follower")
                time.sleep(0.05)
            time.sleep(ttl / 3)  # the followers have polled at least once
            leader = cluster.wait_for_leader(ttl * 3 + 30)  # the leader now, with every route on it
            killed_at = time.monotonic()
            leader.signal(signal.SIGKILL)
            leader.process.wait()
            live = [a.instance for a in cluster.agents if a is not leader]
            while True:
                routes = set(world.default_routes().values())
                if len(routes) == 1 and routes <= set(live):
                    break
                if time.monotonic() - killed_at > ttl * 3 + 60:
                    raise RuntimeError(f"{name}: no failover\n{cluster.describe()}")
                time.sleep(0.02)
            times.append(time.monotonic() - killed_at)
            cluster.restart(leader)
            print(f"  {name}: kill {len(times)}/{kills}: {times[-1]:.2f} s", flush=True)
        overlaps = cluster.overlaps()
    finally:
        cluster.stop()
        if backend == "etcd":
            server.close()
        else:
            server.stop()
    return {"name": name, "ttl": ttl, "lock_delay": lock_delay, "kills": kills, "median": statistics.median(times),
            "max": max(times), "min": min(times), "two_leaders": len(overlaps)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--configs", default=",".join(CONFIGS))
    args = parser.parse_args()
    names = [n.strip() for n in args.configs.split(",") if n.strip()]
    unknown = [n for n in names if n not in CONFIGS]
    if unknown:
        print(f"unknown config(s) {', '.join(unknown)}; choose from {', '.join(CONFIGS)}", file=sys.stderr)
        return 2
    if any(CONFIGS[n][0] == "etcd" for n in names) and etcd_binary() is None:
        print("etcd is not installed: bash .ci/install-nat.sh", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # stop: clean up agents and servers
    signal.signal(signal.SIGINT, signal.default_int_handler)
    os.environ.update(_motoserver.DUMMY_ENV)
    for key in _motoserver.UNSET_ENV:
        os.environ.pop(key, None)
    moto = _motoserver.acquire()
    try:
        rows = [measure(name, args.kills, moto.endpoint) for name in names]
    finally:
        _motoserver.release()
    print(f"\nNAT failover, kill -9 of the leader -> every route on a new leader ({args.kills} kills each, "
          f"load average {os.getloadavg()[0]:.1f})")
    print("| config | TTL | lock-delay | median | max | min | median <= TTL + lock-delay + 1 s | two leaders |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        delay = float(r["lock_delay"].rstrip("s")) if r["lock_delay"] else 0.0
        goal = "yes" if r["median"] <= r["ttl"] + delay + 1 else "no"
        print(f"| {r['name']} | {r['ttl']} s | {r['lock_delay'] or '-'} | {r['median']:.2f} s | {r['max']:.2f} s | "
              f"{r['min']:.2f} s | {goal} | {r['two_leaders']} |")
    return 1 if any(r["two_leaders"] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
