"""Benchmark: the local engine vs moto's in-process CloudFormation, side by side.

Create, update (10% of the resources changed) and delete of a 500-resource template
(SQS queues, SNS topics, S3 buckets, SSM parameters wired to the queues by GetAtt, log
groups). Ours runs with its SQLite state on disk and collects every event through the
callback; moto keeps everything in memory. Prints seconds, the ratio moto/ours and the
peak Python memory (tracemalloc) of each side.

    python benchmarks/bench_engine.py [--resources 500] [--repeat 3] [--named]

`--named` gives every queue, topic, bucket and log group a name of its own (QueueName,
TopicName, BucketName, LogGroupName): the engine then checks each name is not taken in the
state, as CloudFormation's services refuse a name that exists.

Each side runs in fresh processes of its own, round by round (see main).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable

NAMED = False  # --named: the resources that take a name get one


def template(n: int, variant: str = "a") -> dict:
    resources: dict[str, dict] = {}
    for i in range(n):
        kind = i % 5
        changed = variant != "a" and i % 10 == 1  # every tenth resource differs in variant "b"
        if kind == 0:
            resources[f"Queue{i}"] = {"Type": "AWS::SQS::Queue", "Properties": {"DelaySeconds": 1}}
        elif kind == 1:
            name = {"Fn::Sub": "${AWS::StackName}-topic-" + ("v2" if changed else "v1")}
            resources[f"Topic{i}"] = {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": name}}
        elif kind == 2:
            resources[f"Bucket{i}"] = {"Type": "AWS::S3::Bucket"}
        elif kind == 3:
            resources[f"Param{i}"] = {
                "Type": "AWS::SSM::Parameter",
                "Properties": {
                    "Name": {"Fn::Sub": "/${AWS::StackName}/param" + str(i)},
                    "Type": "String",
                    "Value": {"Fn::GetAtt": [f"Queue{i - 3}", "Arn"]},
                },
            }
        else:
            days = 14 if changed else 7
            resources[f"Logs{i}"] = {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": days}}
    # ten more changes among the even kinds so that 10% of all resources change
    if variant != "a":
        for i in range(0, n, 50):
            resources[f"Queue{i}"]["Properties"]["DelaySeconds"] = 2
    if NAMED:
        keys = {"AWS::SQS::Queue": "QueueName", "AWS::SNS::Topic": "TopicName", "AWS::S3::Bucket": "BucketName",
                "AWS::Logs::LogGroup": "LogGroupName"}
        for logical, decl in resources.items():
            key = keys.get(decl["Type"])
            if key is not None:
                decl.setdefault("Properties", {})[key] = {"Fn::Sub": "${AWS::StackName}-" + logical.lower()}
    return {"Resources": resources, "Outputs": {"First": {"Value": {"Ref": "Queue0"}}}}


MEASURE_MEMORY = False


def timed(fn: Callable[[], object]) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, peak bytes): timings run without tracemalloc (it slows
    Python down several times); the memory pass runs the operations again under it.
    CPU time is shown too: on a loaded machine wall time mostly measures the scheduler."""
    gc.collect()
    if not MEASURE_MEMORY:
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        return time.perf_counter() - t0, time.process_time() - c0, 0
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return 0.0, 0.0, peak


def run_ours(n: int, folder: str, index: int) -> dict[str, tuple[float, float, int]]:
    from sparkleform.providers.local import LocalProvider

    provider = LocalProvider(state=os.path.join(folder, f"state{index}.db"))
    events: list = []
    name = f"bench{index}"
    a, b = template(n), template(n, "b")
    out = {
        "create": timed(lambda: provider.create_stack(name, a, {}, on_event=events.append)),
        "update": timed(lambda: provider.update_stack(name, b, {}, on_event=events.append)),
        "delete": timed(lambda: provider.delete_stack(name, on_event=events.append)),
    }
    provider.close()
    assert any(e.status == "DELETE_COMPLETE" and e.logical_id == name for e in events)
    return out


def run_moto(n: int, index: int) -> dict[str, tuple[float, float, int]]:
    import boto3
    from moto import mock_aws

    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        cf = boto3.client("cloudformation", region_name="us-east-1")
        name = f"bench{index}"
        a, b = json.dumps(template(n)), json.dumps(template(n, "b"))
        out = {
            "create": timed(lambda: cf.create_stack(StackName=name, TemplateBody=a)),
            "update": timed(lambda: cf.update_stack(StackName=name, TemplateBody=b)),
            "delete": timed(lambda: cf.delete_stack(StackName=name)),
        }
    return out


def worker(side: str, n: int, iterations: int, memory: bool) -> dict:
    """One side in a process of its own: warm up, then `iterations` measured runs (or one
    traced run for memory). -> {operation: [(wall, cpu, peak), ...]}"""
    global MEASURE_MEMORY
    MEASURE_MEMORY = memory
    out: dict[str, list] = {"create": [], "update": [], "delete": []}
    with tempfile.TemporaryDirectory() as folder:
        if side == "ours":
            run_ours(10, folder, 999)  # imports, schema reads
            runs = [run_ours(n, folder, i) for i in range(iterations)]
        else:
            run_moto(10, 999)
            runs = [run_moto(n, i) for i in range(iterations)]
    for result in runs:
        for op, value in result.items():
            out[op].append(value)
    return out


def _spawn(side: str, n: int, iterations: int, memory: bool = False) -> dict:
    cmd = [sys.executable, __file__, "--worker", side, "--resources", str(n), "--iterations", str(iterations)]
    if NAMED:
        cmd.append("--named")
    if memory:
        cmd.append("--memory")
    proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(proc.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3, help="rounds; each starts a fresh process per side")
    parser.add_argument("--worker", choices=["ours", "moto"], help=argparse.SUPPRESS)
    parser.add_argument("--iterations", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--memory", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--named", action="store_true", help="name every queue, topic, bucket and log group")
    args = parser.parse_args()
    global NAMED
    NAMED = args.named
    if args.worker:
        print(json.dumps(worker(args.worker, args.resources, args.iterations, args.memory)))
        return
    # Each side runs in processes of its own, alternating round by round: neither side's
    # timings include collecting or working around the other's heap (moto leaves ~150,000
    # objects behind, which slowed the engine measured after it in the same process by
    # about 0.7 ms), and machine noise falls on both sides alike.
    ours: dict[str, list] = {"create": [], "update": [], "delete": []}
    moto: dict[str, list] = {"create": [], "update": [], "delete": []}
    for _ in range(args.repeat):
        for side, into in (("ours", ours), ("moto", moto)):
            for op, values in _spawn(side, args.resources, 2).items():
                into[op].extend(values)
    mem_ours = _spawn("ours", args.resources, 1, memory=True)
    mem_moto = _spawn("moto", args.resources, 1, memory=True)
    print(
        f"engine benchmark: {args.resources}{' named' if NAMED else ''} resources, best of {args.repeat} rounds x 2 runs, each side in its own"
        f" processes; load average {os.getloadavg()[0]:.1f}"
    )
    print(
        f"{'operation':<10}{'ours wall':>11}{'moto wall':>11}{'ratio':>8}"
        f"{'ours cpu':>11}{'moto cpu':>11}{'ratio':>8}{'peak ours':>12}{'peak moto':>12}"
    )
    for op in ("create", "update", "delete"):
        ow = min(t[0] for t in ours[op])
        mw = min(t[0] for t in moto[op])
        oc = min(t[1] for t in ours[op])
        mc = min(t[1] for t in moto[op])
        po = mem_ours[op][0][2] / 2**20
        pm = mem_moto[op][0][2] / 2**20
        print(
            f"{op:<10}{ow:>10.4f}s{mw:>10.4f}s{mw / ow:>7.1f}x"
            f"{oc:>10.4f}s{mc:>10.4f}s{mc / oc:>7.1f}x{po:>10.1f}MB{pm:>10.1f}MB"
        )
    print("ratio = moto / sparkleform (higher is faster for sparkleform); ours keeps state on disk and every event")


if __name__ == "__main__":
    main()
