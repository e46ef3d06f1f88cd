"""Benchmark: the local engine vs moto's in-process CloudFormation, side by side.

Create, update (10% of the resources changed) and delete of a 500-resource template
(SQS queues, SNS topics, S3 buckets, SSM parameters wired to the queues by GetAtt, log
groups). Ours runs with its SQLite state on disk and collects every event through the
callback; moto keeps everything in memory. Prints seconds, the ratio moto/ours and the
peak Python memory (tracemalloc) of each side.

    python benchmarks/bench_engine.py [--resources 500] [--repeat 3]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import tempfile
import time
import tracemalloc
from collections.abc import Callable


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


def main() -> None:
    global MEASURE_MEMORY
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    # warm both sides once (imports, schema reads) so the figures measure the operations
    with tempfile.TemporaryDirectory() as folder:
        run_ours(10, folder, 999)
    run_moto(10, 999)
    ours: dict[str, list] = {"create": [], "update": [], "delete": []}
    moto: dict[str, list] = {"create": [], "update": [], "delete": []}
    with tempfile.TemporaryDirectory() as folder:
        for i in range(args.repeat):
            for k, v in run_ours(args.resources, folder, i).items():
                ours[k].append(v)
            for k, v in run_moto(args.resources, i).items():
                moto[k].append(v)
        MEASURE_MEMORY = True
        mem_ours = run_ours(args.resources, folder, 100)
        mem_moto = run_moto(args.resources, 100)
    print(f"engine benchmark: {args.resources} resources, best of {args.repeat}; load average {os.getloadavg()[0]:.1f}")
    print(
        f"{'operation':<10}{'ours wall':>11}{'moto wall':>11}{'ratio':>8}"
        f"{'ours cpu':>11}{'moto cpu':>11}{'ratio':>8}{'peak ours':>12}{'peak moto':>12}"
    )
    for op in ("create", "update", "delete"):
        ow = min(t[0] for t in ours[op])
        mw = min(t[0] for t in moto[op])
        oc = min(t[1] for t in ours[op])
        mc = min(t[1] for t in moto[op])
        po = mem_ours[op][2] / 2**20
        pm = mem_moto[op][2] / 2**20
        print(
            f"{op:<10}{ow:>10.3f}s{mw:>10.3f}s{mw / ow:>7.1f}x"
            f"{oc:>10.3f}s{mc:>10.3f}s{mc / oc:>7.1f}x{po:>10.1f}MB{pm:>10.1f}MB"
        )
    print("ratio = moto / sparkleform (higher is faster for sparkleform); ours keeps state on disk and every event")


if __name__ == "__main__":
    main()
