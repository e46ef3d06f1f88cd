"""AWS provider vs. a plain boto3 script doing the same change-set flow, against moto_server.

The peer is what `aws cloudformation deploy` does by hand: CreateChangeSet, the
change_set_create_complete waiter, ExecuteChangeSet, the stack_*_complete waiter. sparkleform
does more per operation (the plan merged with a local diff, events fed to the display in
order, NoEcho masking, resources read back), so the figures are its cost over the bare
minimum, in wall time and in API calls (what counts against AWS's throttling).

    python benchmarks/bench_aws.py [--rounds N]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "providers"))

import _motoserver  # starts moto_server on 127.0.0.1

TEMPLATE = {
    "Parameters": {"Env": {"Type": "String", "Default": "dev"}},
    "Resources": {f"Topic{i}": {"Type": "AWS::SNS::Topic"} for i in range(10)},
    "Outputs": {"Env": {"Value": {"Ref": "Env"}}},
}
UPDATED = {**TEMPLATE, "Resources": {**TEMPLATE["Resources"], "Queue": {"Type": "AWS::SQS::Queue"}}}


def count_calls(client) -> list[str]:
    calls: list[str] = []
    client.meta.events.register("before-call.cloudformation", lambda model, **_: calls.append(model.name))
    return calls


def peer_round(cf, name: str) -> None:
    import json

    fast = {"Delay": 1, "MaxAttempts": 120}
    for kind, tpl, waiter in (
        ("CREATE", TEMPLATE, "stack_create_complete"),
        ("UPDATE", UPDATED, "stack_update_complete"),
    ):
        cf.create_change_set(StackName=name, ChangeSetName=f"cs-{kind.lower()}", ChangeSetType=kind,
                             TemplateBody=json.dumps(tpl))
        cf.get_waiter("change_set_create_complete").wait(StackName=name, ChangeSetName=f"cs-{kind.lower()}",
                                                         WaiterConfig=fast)
        cf.execute_change_set(StackName=name, ChangeSetName=f"cs-{kind.lower()}")
        cf.get_waiter(waiter).wait(StackName=name, WaiterConfig=fast)
        cf.describe_stacks(StackName=name)
    stack_id = cf.describe_stacks(StackName=name)["Stacks"][0]["StackId"]
    cf.delete_stack(StackName=name)
    cf.get_waiter("stack_delete_complete").wait(StackName=stack_id, WaiterConfig=fast)


def ours_round(provider, name: str) -> None:
    provider.create_stack(name, TEMPLATE, {}, on_event=lambda e: None)
    provider.update_stack(name, UPDATED, {}, on_event=lambda e: None)
    provider.delete_stack(name, on_event=lambda e: None)


def timed(fn: Callable[[int], None], rounds: int) -> float:
    start = time.perf_counter()
    for i in range(rounds):
        fn(i)
    return (time.perf_counter() - start) / rounds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    os.environ.update(_motoserver.DUMMY_ENV)
    server = _motoserver.acquire()
    try:
        import boto3

        from sparkleform.providers import get_provider

        cf = boto3.client("cloudformation", endpoint_url=server.endpoint, region_name="us-east-1")
        peer_calls = count_calls(cf)
        provider = get_provider("aws", region="us-east-1", endpoint_url=server.endpoint)
        ours_calls = count_calls(provider.cf)
        peer_round(cf, "warm-peer")
        ours_round(provider, "warm-ours")
        peer_calls.clear()
        ours_calls.clear()
        peer = timed(lambda i: peer_round(cf, f"peer-{i}"), args.rounds)
        ours = timed(lambda i: ours_round(provider, f"ours-{i}"), args.rounds)
        n_peer, n_ours = len(peer_calls) / args.rounds, len(ours_calls) / args.rounds
        print(f"create + update + delete of an 11-resource stack on moto_server, mean of {args.rounds} rounds")
        print(f"{'':28}{'wall ms':>10}{'API calls':>12}")
        print(f"{'boto3 change sets + waiters':28}{peer * 1000:10.1f}{n_peer:12.1f}")
        print(f"{'sparkleform AwsProvider':28}{ours * 1000:10.1f}{n_ours:12.1f}")
        print(f"ratio (sparkleform / boto3): time {ours / peer:.2f}x, calls {n_ours / n_peer:.2f}x")
    finally:
        _motoserver.release()


if __name__ == "__main__":
    main()
