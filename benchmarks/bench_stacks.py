"""Benchmark: the layer cake with --apply-stack wiring, ours vs moto, side by side.

One round = create the ELB layer, read its outputs and create the ASG layer with its
parameters filled from them, update the ASG layer to a template with a new parameter
(filled from the ELB outputs too, the rest kept from before), then delete both.

- ours: sparkleform.stacks (apply-stack reading, parameter resolution with previous values)
  on the local provider, SQLite state on disk, every event collected.
- moto: boto3 against moto's in-process CloudFormation (`mock_aws`), the same wiring done by
  hand (DescribeStacks outputs -> Parameters, previous values copied on update).

Also times the same round through the real CLI (`sparkleform create ... --apply-stack`, one
process per command), which is what a user waits for.

    python benchmarks/bench_stacks.py [--rounds 20] [--cli-rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "tests" / "e2e" / "data"


def templates() -> tuple[dict, dict, dict]:
    load = lambda name: json.loads((DATA / name).read_text())  # noqa: E731
    return load("coolapp_elb.json"), load("coolapp_asg.json"), load("coolapp_asg_v2.json")


def ours(rounds: int) -> float:
    from sparkleform.providers import get_provider
    from sparkleform.stacks.apply import read_applied_stacks
    from sparkleform.stacks.parameters import ParameterInputs, previous_from_stack, resolve_parameters

    elb_t, asg_t, asg_v2 = templates()
    with tempfile.TemporaryDirectory() as tmp:
        provider = get_provider("local", state=os.path.join(tmp, "state.db"))
        events: list = []

        def one(i: int) -> None:
            elb, asg = f"elb-{i}", f"asg-{i}"
            provider.create_stack(elb, elb_t, {}, on_event=events.append)
            applied = read_applied_stacks([elb], lambda p, r: provider)
            res = resolve_parameters(asg_t, ParameterInputs(applied=applied))
            provider.create_stack(asg, asg_t, res.values, on_event=events.append)
            current = provider.describe_stack(asg)
            prev = previous_from_stack(current.parameters, provider.template_of(asg))
            applied = read_applied_stacks([elb], lambda p, r: provider)
            res = resolve_parameters(asg_v2, ParameterInputs(applied=applied, previous=prev))
            provider.update_stack(asg, asg_v2, res.values, on_event=events.append)
            assert provider.describe_stack(asg).output_map()["UsedDns"] == applied[0].outputs["ElbDns"]
            provider.delete_stack(asg, on_event=events.append)
            provider.delete_stack(elb, on_event=events.append)

        one(-1)  # warm-up: imports, schema loading
        start = time.perf_counter()
        for i in range(rounds):
            one(i)
        elapsed = time.perf_counter() - start
        provider.close()
    return elapsed


def moto(rounds: int) -> float:
    import boto3
    from moto import mock_aws

    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    elb_t, asg_t, asg_v2 = (json.dumps(t) for t in templates())
    with mock_aws():
        cf = boto3.client("cloudformation", region_name="us-east-1")

        def outputs(name: str) -> dict[str, str]:
            stack = cf.describe_stacks(StackName=name)["Stacks"][0]
            return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}

        def one(i: int) -> None:
            elb, asg = f"elb-{i}", f"asg-{i}"
            cf.create_stack(StackName=elb, TemplateBody=elb_t)
            out = outputs(elb)
            declared = json.loads(asg_t)["Parameters"]
            params = [{"ParameterKey": k, "ParameterValue": out[k]} for k in declared if k in out]
            cf.create_stack(StackName=asg, TemplateBody=asg_t, Parameters=params)
            out = outputs(elb)
            declared_v2 = json.loads(asg_v2)["Parameters"]
            params = [{"ParameterKey": k, "ParameterValue": out[k]} for k in declared_v2 if k in out]
            given = {p["ParameterKey"] for p in params}
            # previous values copied by hand (moto's UsePreviousValue fails on defaulted ones)
            before = cf.describe_stacks(StackName=asg)["Stacks"][0]["Parameters"]
            params += [{"ParameterKey": p["ParameterKey"], "ParameterValue": p["ParameterValue"]}
                       for p in before if p["ParameterKey"] not in given]
            cf.update_stack(StackName=asg, TemplateBody=asg_v2, Parameters=params)
            assert outputs(asg)["UsedDns"] == out["ElbDns"]
            cf.delete_stack(StackName=asg)
            cf.delete_stack(StackName=elb)

        one(-1)
        start = time.perf_counter()
        for i in range(rounds):
            one(i)
        return time.perf_counter() - start


def cli(rounds: int) -> float:
    """The same round through the CLI, one process per command (ours only: moto has no CLI)."""
    with tempfile.TemporaryDirectory() as tmp:
        base = [sys.executable, "-m", "sparkleform.cli.main", "--state", os.path.join(tmp, "s.db")]

        def run(*args: str) -> None:
            subprocess.run([*base, *args], check=True, capture_output=True, stdin=subprocess.DEVNULL)

        start = time.perf_counter()
        for i in range(rounds):
            run("create", f"elb-{i}", str(DATA / "coolapp_elb.json"))
            run("create", f"asg-{i}", str(DATA / "coolapp_asg.json"), "--apply-stack", f"elb-{i}")
            run("update", f"asg-{i}", str(DATA / "coolapp_asg_v2.json"), "--apply-stack", f"elb-{i}", "--yes")
            run("destroy", f"asg-{i}", "--yes")
            run("destroy", f"elb-{i}", "--yes")
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--cli-rounds", type=int, default=3)
    args = parser.parse_args()
    t_ours = ours(args.rounds)
    t_moto = moto(args.rounds)
    print(f"layer cake rounds (create elb, create asg --apply-stack, update with new param, delete both): "
          f"{args.rounds}")
    print(f"  {'':<28}{'total s':>10}{'per round ms':>15}")
    print(f"  {'ours (stacks + local)':<28}{t_ours:>10.3f}{1000 * t_ours / args.rounds:>15.1f}")
    print(f"  {'moto (mock_aws, by hand)':<28}{t_moto:>10.3f}{1000 * t_moto / args.rounds:>15.1f}")
    print(f"  ratio moto/ours: {t_moto / t_ours:.1f}x")
    if args.cli_rounds:
        t_cli = cli(args.cli_rounds)
        print(f"  CLI, 5 processes per round: {1000 * t_cli / args.cli_rounds:.0f} ms per round "
              f"({1000 * t_cli / args.cli_rounds / 5:.0f} ms per command)")


if __name__ == "__main__":
    main()
