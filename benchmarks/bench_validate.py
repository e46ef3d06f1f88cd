"""Benchmark `sparkleform validate` against the cfn-lint CLI, whole process, in one run.

    python benchmarks/bench_validate.py [--repeat N]

1. A generated 500-resource template (VPC, subnets, security groups, queues, topics,
   buckets, roles, functions; Ref / GetAtt / Sub between them): ours vs `cfn-lint`.
2. A template with 40 conditions used in Fn::If across 200 resources: ours must stay
   under a second (cfn-lint is timed too, with a cap, since it may take very long).
Prints wall times (best of N) and the ratio.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def template_500() -> dict:
    res: dict = {
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
    }
    kinds = 7
    per = (500 - 1) // kinds
    for i in range(per):
        res[f"Subnet{i}"] = {
            "Type": "AWS::EC2::Subnet",
            "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": {"Fn::Select": [i % 200, {"Fn::Cidr": [{"Fn::GetAtt": ["Vpc", "CidrBlock"]}, 256, 8]}]}},
        }
        res[f"Sg{i}"] = {
            "Type": "AWS::EC2::SecurityGroup",
            "Properties": {
                "GroupDescription": f"group {i}",
                "VpcId": {"Ref": "Vpc"},
                "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "10.0.0.0/8"}],
            },
        }
        res[f"Queue{i}"] = {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 60, "Tags": [{"Key": "n", "Value": str(i)}]}}
        res[f"Topic{i}"] = {
            "Type": "AWS::SNS::Topic",
            "Properties": {"Subscription": [{"Protocol": "sqs", "Endpoint": {"Fn::GetAtt": [f"Queue{i}", "Arn"]}}]},
        }
        res[f"Bucket{i}"] = {
            "Type": "AWS::S3::Bucket",
            "Properties": {"BucketName": {"Fn::Sub": f"bench-{i}-${{AWS::AccountId}}"}, "VersioningConfiguration": {"Status": "Enabled"}},
        }
        res[f"Role{i}"] = {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
                },
                "Policies": [
                    {
                        "PolicyName": "q",
                        "PolicyDocument": {
                            "Version": "2012-10-17",
                            "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": {"Fn::GetAtt": [f"Queue{i}", "Arn"]}}],
                        },
                    }
                ],
            },
        }
        res[f"Fn{i}"] = {
            "Type": "AWS::Lambda::Function",
            "Properties": {
                "Runtime": "python3.12",
                "Handler": "index.handler",
                "Role": {"Fn::GetAtt": [f"Role{i}", "Arn"]},
                "Code": {"ZipFile": "def handler(e, c):\n    return e\n"},
                "Environment": {"Variables": {"QUEUE": {"Ref": f"Queue{i}"}, "BUCKET": {"Ref": f"Bucket{i}"}}},
            },
        }
    i = per
    while len(res) < 500:
        res[f"Extra{i}"] = {"Type": "AWS::SQS::Queue"}
        i += 1
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "500 resources",
        "Resources": res,
        "Outputs": {"VpcId": {"Value": {"Ref": "Vpc"}}},
    }


def template_conditions(n_conditions: int = 40, n_resources: int = 200) -> dict:
    params = {f"Flag{i}": {"Type": "String", "AllowedValues": ["yes", "no"], "Default": "no"} for i in range(n_conditions)}
    conds = {f"On{i}": {"Fn::Equals": [{"Ref": f"Flag{i}"}, "yes"]} for i in range(n_conditions)}
    res = {}
    for r in range(n_resources):
        c1, c2 = f"On{r % n_conditions}", f"On{(r * 7 + 3) % n_conditions}"
        res[f"Queue{r}"] = {
            "Type": "AWS::SQS::Queue",
            "Properties": {
                "DelaySeconds": {"Fn::If": [c1, 10, 0]},
                "VisibilityTimeout": {"Fn::If": [c2, 120, {"Fn::If": [c1, 60, 30]}]},
                "FifoQueue": {"Fn::If": [c2, True, {"Ref": "AWS::NoValue"}]},
                "RedrivePolicy": {
                    "Fn::If": [c1, {"deadLetterTargetArn": {"Fn::GetAtt": [f"Queue{(r + 1) % n_resources}", "Arn"]}, "maxReceiveCount": 5}, {"Ref": "AWS::NoValue"}]
                }
                if r < n_resources - 1
                else {"Ref": "AWS::NoValue"},
            },
        }
    return {"AWSTemplateFormatVersion": "2010-09-09", "Parameters": params, "Conditions": conds, "Resources": res}


def _env(cache: str) -> dict:
    """Children write bytecode caches (as an installed tool would have), outside the tree."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = cache
    return env


def run(cmd: list[str], timeout: float, env: dict) -> tuple[float, float, int | None]:
    """(wall seconds, child CPU seconds, exit code or None on timeout)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
        code: int | None = proc.returncode
    except subprocess.TimeoutExpired:
        code = None
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, code


def best(cmd: list[str], repeat: int, timeout: float, env: dict) -> tuple[float, float, int | None]:
    run(cmd, timeout, env)  # warm-up: bytecode caches, file cache
    walls, cpus = [], []
    code = None
    for _ in range(repeat):
        wall, cpu, code = run(cmd, timeout, env)
        walls.append(wall)
        cpus.append(cpu)
        if code is None:
            break
    return min(walls), min(cpus), code


def main() -> None:
    repeat = int(sys.argv[sys.argv.index("--repeat") + 1]) if "--repeat" in sys.argv else 3
    ours_cmd = [shutil.which("sparkleform") or "sparkleform", "validate"]
    lint = shutil.which("cfn-lint")
    with tempfile.TemporaryDirectory() as tmp:
        env = _env(str(Path(tmp) / "pycache"))
        big = Path(tmp) / "big500.json"
        big.write_text(json.dumps(template_500(), indent=1))
        cond = Path(tmp) / "conditions40x200.json"
        cond.write_text(json.dumps(template_conditions(), indent=1))
        print(f"best of {repeat} (cfn-lint: best of {min(repeat, 2)}), after one warm-up run each; wall and CPU seconds")
        print(f"{'template':<26}{'sparkleform wall/cpu':>22}{'cfn-lint wall/cpu':>22}{'ratio wall/cpu':>18}")
        for name, path, lint_cap in (("500 resources", big, 300.0), ("40 conditions x 200 res", cond, 300.0)):
            ours, ours_cpu, ours_code = best([*ours_cmd, str(path)], repeat, 60, env)
            if lint:
                theirs, theirs_cpu, lint_code = best([lint, "--regions", "us-east-1", "--", str(path)], min(repeat, 2), lint_cap, env)
                if lint_code is None:
                    lint_text, ratio = f">{lint_cap:.0f} s (timeout)", "-"
                else:
                    lint_text = f"{theirs:.2f} / {theirs_cpu:.2f} s"
                    ratio = f"{theirs / ours:.1f}x / {theirs_cpu / max(ours_cpu, 1e-9):.1f}x"
            else:
                lint_text, ratio = "(cfn-lint absent)", "-"
            mine = f"{ours:.3f} / {ours_cpu:.3f} s"
            print(f"{name:<26}{mine:>22}{lint_text:>22}{ratio:>18}   (sparkleform exit {ours_code})")


if __name__ == "__main__":
    main()
