"""Benchmark: YAML->JSON and JSON->YAML of a generated 500-resource template, sparkleform vs cfn-flip.

Run: python benchmarks/bench_formats.py [--resources 500] [--repeat 9]
Prints the best-of-N time of each side and the ratio (cfn-flip time / ours; > 1 means faster).
The two sides are timed alternately, the same number of times, so other load hits both alike.
Both sides start from text and end at text, and both outputs are checked to read back to the
same template before anything is timed.

Then the same conversions as whole processes, as a user runs them: `python -m
sparkleform.cli.main convert FILE --to json` against `python -m cfn_flip -j FILE`, each
best of N, in wall time and in CPU time (user + system of the child: steadier when other
processes load the machine). PYTHONDONTWRITEBYTECODE is removed from the children's
environment and each command runs once untimed first, so both sides read cached bytecode
as an installed tool does. `--processes 0` skips this part.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sparkleform.formats import dump_json, dump_yaml, loads_document, loads_template

TYPES = [
    ("AWS::EC2::Instance", lambda i: {
        "ImageId": {"Fn::FindInMap": ["AmiByRegion", {"Ref": "AWS::Region"}, "Ami"]},
        "InstanceType": {"Ref": "InstanceType"},
        "SubnetId": {"Fn::Select": [i % 3, {"Ref": "Subnets"}]},
        "SecurityGroupIds": [{"Fn::GetAtt": [f"Sg{i}", "GroupId"]}],
        "UserData": {"Fn::Base64": {"Fn::Sub": "#!/bin/bash\nyum -y update\n"
                                              "/opt/aws/bin/cfn-init -s ${AWS::StackName} -r Web"
                                              f"{i} --region ${{AWS::Region}}\necho done {i}\n"}},
        "Tags": [{"Key": "Name", "Value": {"Fn::Join": ["-", [{"Ref": "AWS::StackName"}, f"web{i}"]]}},
                 {"Key": "Index", "Value": str(i)}],
    }),
    ("AWS::EC2::SecurityGroup", lambda i: {
        "GroupDescription": f"security group {i}",
        "VpcId": {"Ref": "VpcId"},
        "SecurityGroupIngress": [
            {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "10.0.0.0/8"},
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0"},
        ],
    }),
    ("AWS::S3::Bucket", lambda i: {
        "BucketName": {"Fn::Sub": f"${{AWS::StackName}}-bucket-{i}"},
        "VersioningConfiguration": {"Status": "Enabled"},
        "BucketEncryption": {"ServerSideEncryptionConfiguration": [
            {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]},
    }),
    ("AWS::IAM::Role", lambda i: {
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": ["ec2.amazonaws.com"]}, "Action": ["sts:AssumeRole"]}]},
        "Policies": [{"PolicyName": f"p{i}", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["s3:GetObject"],
             "Resource": {"Fn::Sub": f"arn:${{AWS::Partition}}:s3:::bucket-{i}/*"}}]}}],
    }),
    ("AWS::SQS::Queue", lambda i: {
        "VisibilityTimeout": 60, "MessageRetentionPeriod": 345600, "FifoQueue": False,
        "QueueName": {"Fn::If": ["IsProd", f"queue-{i}", {"Ref": "AWS::NoValue"}]},
    }),
]  # fmt: skip


def make_template(count: int) -> dict:
    resources: dict = {}
    for i in range(count):
        kind, props = TYPES[i % len(TYPES)]
        name = {"AWS::EC2::SecurityGroup": "Sg"}.get(kind, kind.split("::")[-1]) + str(i)
        resource: dict = {"Type": kind, "Properties": props(i)}
        if i % 7 == 0:
            resource["DependsOn"] = [f"Sg{i + 1}"] if kind == "AWS::EC2::Instance" else "Sg1"
        resources[name] = resource
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"Generated benchmark template with {count} resources",
        "Parameters": {
            "InstanceType": {"Type": "String", "Default": "t3.micro", "AllowedValues": ["t3.micro", "t3.small"]},
            "VpcId": {"Type": "AWS::EC2::VPC::Id"},
            "Subnets": {"Type": "List<AWS::EC2::Subnet::Id>"},
            "Env": {"Type": "String", "AllowedValues": ["prod", "dev"]},
        },
        "Mappings": {"AmiByRegion": {"us-east-1": {"Ami": "ami-1"}, "eu-west-1": {"Ami": "ami-2"}}},
        "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]}},
        "Resources": resources,
        "Outputs": {f"Out{i}": {"Value": {"Fn::GetAtt": [f"Instance{i}", "PublicIp"]}}
                    for i in range(0, count, len(TYPES))},
    }  # fmt: skip


def plain_yaml_load(text: str) -> object:
    """The naive reader for comparison: PyYAML's C loader plus a generic tag constructor,
    with no line numbers, no duplicate-key check and YAML 1.1 dates as datetime.date."""
    import yaml

    class Loader(yaml.CSafeLoader):
        pass

    def tagged(loader: yaml.CSafeLoader, suffix: str, node: yaml.Node) -> dict:
        if isinstance(node, yaml.ScalarNode):
            return {suffix: loader.construct_scalar(node)}
        if isinstance(node, yaml.SequenceNode):
            return {suffix: loader.construct_sequence(node, deep=True)}
        return {suffix: loader.construct_mapping(node, deep=True)}

    Loader.add_multi_constructor("!", tagged)
    return yaml.load(text, Loader=Loader)  # a SafeLoader subclass: safe


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def best(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    times = [timed(fn) for _ in range(repeat)]
    return min(times), statistics.median(times)


def paired(ours: Callable[[], object], theirs: Callable[[], object], repeat: int) -> tuple[list[float], list[float]]:
    """Alternate the two sides, so load from other processes falls on both alike."""
    our_times: list[float] = []
    their_times: list[float] = []
    for _ in range(repeat):
        our_times.append(timed(ours))
        their_times.append(timed(theirs))
    return our_times, their_times


def run_process(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child) of one whole process; its output is discarded."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed: {proc.stderr.read().decode() if proc.stderr else ''}")
    if proc.stderr:
        proc.stderr.close()
    return wall, usage.ru_utime + usage.ru_stime


def whole_processes(yaml_text: str, json_text: str, repeat: int) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    src = str(Path(__file__).resolve().parents[1] / "src")
    env["PYTHONPATH"] = src + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    with tempfile.TemporaryDirectory() as tmp:
        yaml_file, json_file = Path(tmp) / "t.yaml", Path(tmp) / "t.json"
        yaml_file.write_text(yaml_text)
        json_file.write_text(json_text)
        py = sys.executable
        cases = [
            ("YAML -> JSON", [py, "-m", "sparkleform.cli.main", "convert", str(yaml_file), "--to", "json"],
             [py, "-m", "cfn_flip", "-j", str(yaml_file)]),
            ("JSON -> YAML", [py, "-m", "sparkleform.cli.main", "convert", str(json_file), "--to", "yaml"],
             [py, "-m", "cfn_flip", "-y", str(json_file)]),
        ]
        floor = [py, "-c", "pass"]
        print(f"\nwhole processes, best of {repeat} (python -c pass: ", end="")
        run_process(floor, env)
        floor_times = [run_process(floor, env) for _ in range(repeat)]
        print(f"{min(t[0] for t in floor_times) * 1000:.0f} ms wall, "
              f"{min(t[1] for t in floor_times) * 1000:.0f} ms CPU)")  # fmt: skip
        print(f"{'case':<36}{'sparkleform':>16}{'cfn-flip':>14}{'ratio':>9}")
        for name, ours, theirs in cases:
            run_process(ours, env)
            run_process(theirs, env)
            our_runs, their_runs = [], []
            for _ in range(repeat):
                our_runs.append(run_process(ours, env))
                their_runs.append(run_process(theirs, env))
            for label, index in (("wall", 0), ("CPU", 1)):
                a = min(r[index] for r in our_runs)
                b = min(r[index] for r in their_runs)
                print(f"{name + ', ' + label:<36}{a * 1000:>12.0f} ms{b * 1000:>11.0f} ms{b / a:>8.1f}x")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--processes", type=int, default=7, help="Repeats of the whole-process runs (0: skip).")
    args = parser.parse_args(argv)

    import cfn_flip

    doc = make_template(args.resources)
    yaml_text = dump_yaml(doc)
    json_text = dump_json(doc)
    flip_yaml = cfn_flip.to_yaml(json_text)
    print(f"template: {args.resources} resources; YAML {len(yaml_text) / 1024:.0f} KiB, "
          f"JSON {len(json_text) / 1024:.0f} KiB; best of {args.repeat} (median in brackets)")  # fmt: skip

    # Both sides must produce the same template before their speed means anything.
    assert loads_template(dump_json(loads_document(yaml_text)))[0] == doc
    assert loads_template(dump_yaml(loads_document(json_text)))[0] == doc
    assert json.loads(cfn_flip.to_json(yaml_text)) == doc
    assert loads_template(cfn_flip.to_yaml(json_text))[0] == doc

    cases = [
        ("YAML -> JSON", lambda: dump_json(loads_document(yaml_text)), lambda: cfn_flip.to_json(yaml_text)),
        ("YAML -> JSON (cfn-flip's YAML in)", lambda: dump_json(loads_document(flip_yaml)),
         lambda: cfn_flip.to_json(flip_yaml)),
        ("JSON -> YAML", lambda: dump_yaml(loads_document(json_text)), lambda: cfn_flip.to_yaml(json_text)),
        ("YAML read (line map lazy)", lambda: loads_template(yaml_text), None),
        ("YAML read, line map built", lambda: len(loads_template(yaml_text)[1]), None),
        ("  (plain yaml.load, CSafeLoader)", lambda: plain_yaml_load(yaml_text), None),
        ("JSON read with line map", lambda: loads_template(json_text), None),
    ]  # fmt: skip
    print(f"{'case':<36}{'sparkleform':>16}{'cfn-flip':>18}{'ratio':>9}")
    worst = None
    for name, ours, theirs in cases:
        if theirs is None:
            our_best, our_median = best(ours, args.repeat)
            print(f"{name:<36}{our_best * 1000:>9.1f} ms ({our_median * 1000:.0f})")
            continue
        our_times, their_times = paired(ours, theirs, args.repeat)
        our_best, our_median = min(our_times), statistics.median(our_times)
        their_best, their_median = min(their_times), statistics.median(their_times)
        ratio = their_best / our_best
        worst = ratio if worst is None else min(worst, ratio)
        print(f"{name:<36}{our_best * 1000:>9.1f} ms ({our_median * 1000:.0f}){their_best * 1000:>10.1f} ms "
              f"({their_median * 1000:.0f}){ratio:>8.1f}x")  # fmt: skip
    print(f"slowest ratio: {worst:.1f}x (goal >= 4x)")
    if args.processes:
        whole_processes(yaml_text, json_text, args.processes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
