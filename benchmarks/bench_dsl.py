"""Build + compile of a 500-resource template: sparkleform's DSL vs troposphere, in one run.

    python benchmarks/bench_dsl.py [--repeat N] [--resources N]

Both sides build the same template (parameters, VPC + subnets, security groups, instances
with Refs/GetAtts/Fn::Join user data, queues, topics, buckets and outputs) from nothing and
serialise it to JSON text; the best of N runs is compared. Also times `sparkleform --help`
and `sparkleform compile` of the shipped example as whole processes (median of N).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def build_sparkleform(n: int) -> str:
    import sparkleform as sf
    from sparkleform.formats import dump_json

    t = sf.Template("bench", description="benchmark")
    t.parameter("instance_type", default="t3.micro", allowed_values=["t3.micro", "t3.small"])
    t.parameter("ami_id", type="AWS::EC2::Image::Id")
    t.resource("vpc", "AWS::EC2::VPC", cidr_block="10.0.0.0/16")
    groups = (n - 1) // 5
    for i in range(groups):
        with t.resources[f"subnet{i}"] as s:
            s.type = "AWS::EC2::Subnet"
            s.properties.vpc_id = sf.ref("vpc")
            s.properties.cidr_block = f"10.0.{i % 250}.0/24"
            s.properties.availability_zone = sf.select(i % 3, sf.get_azs(""))
        with t.resources[f"sg{i}"] as g:
            g.type = "AWS::EC2::SecurityGroup"
            g.properties.group_description = f"group {i}"
            g.properties.vpc_id = sf.ref("vpc")
            g.properties.security_group_ingress = [
                {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "CidrIp": "0.0.0.0/0"}
            ]
        with t.resources[f"web{i}"] as w:
            w.type = "AWS::EC2::Instance"
            with w.properties as p:
                p.image_id = sf.ref("ami_id")
                p.instance_type = sf.ref("instance_type")
                p.subnet_id = sf.ref(f"subnet{i}")
                p.security_group_ids = [sf.get_att(f"sg{i}", "GroupId")]
                p.user_data = sf.base64(sf.join("", ["#!/bin/bash\n", "echo ", sf.ref("AWS::StackName"), "\n"]))
                p.tags = [{"Key": "Name", "Value": f"web{i}"}]
        t.resources[f"queue{i}"].type = "AWS::SQS::Queue"
        t.resources[f"queue{i}"].properties.visibility_timeout = 60
        with t.resources[f"topic{i}"] as topic:
            topic.type = "AWS::SNS::Topic"
            topic.properties.subscription = [{"Endpoint": sf.get_att(f"queue{i}", "Arn"), "Protocol": "sqs"}]
        t.output(f"web{i}_ip", sf.get_att(f"web{i}", "PrivateIp"))
    return dump_json(t.compile())


def build_troposphere(n: int) -> str:
    from troposphere import (
        Base64,
        GetAtt,
        GetAZs,
        Join,
        Output,
        Parameter,
        Ref,
        Select,
        Tags,
        Template,
        ec2,
        sns,
        sqs,
    )

    t = Template(Description="benchmark")
    instance_type = t.add_parameter(
        Parameter("InstanceType", Type="String", Default="t3.micro", AllowedValues=["t3.micro", "t3.small"])
    )
    ami = t.add_parameter(Parameter("AmiId", Type="AWS::EC2::Image::Id"))
    vpc = t.add_resource(ec2.VPC("Vpc", CidrBlock="10.0.0.0/16"))
    for i in range((n - 1) // 5):
        subnet = t.add_resource(
            ec2.Subnet(
                f"Subnet{i}",
                VpcId=Ref(vpc),
                CidrBlock=f"10.0.{i % 250}.0/24",
                AvailabilityZone=Select(i % 3, GetAZs("")),
            )
        )
        sg = t.add_resource(
            ec2.SecurityGroup(
                f"Sg{i}",
                GroupDescription=f"group {i}",
                VpcId=Ref(vpc),
                SecurityGroupIngress=[
                    ec2.SecurityGroupRule(IpProtocol="tcp", FromPort=80, ToPort=80, CidrIp="0.0.0.0/0")
                ],
            )
        )
        web = t.add_resource(
            ec2.Instance(
                f"Web{i}",
                ImageId=Ref(ami),
                InstanceType=Ref(instance_type),
                SubnetId=Ref(subnet),
                SecurityGroupIds=[GetAtt(sg, "GroupId")],
                UserData=Base64(Join("", ["#!/bin/bash\n", "echo ", Ref("AWS::StackName"), "\n"])),
                Tags=Tags(Name=f"web{i}"),
            )
        )
        queue = t.add_resource(sqs.Queue(f"Queue{i}", VisibilityTimeout=60))
        t.add_resource(
            sns.Topic(f"Topic{i}", Subscription=[sns.Subscription(Endpoint=GetAtt(queue, "Arn"), Protocol="sqs")])
        )
        t.add_output(Output(f"Web{i}Ip", Value=GetAtt(web, "PrivateIp")))
    return t.to_json()


def best_of(fn, repeat: int, *args) -> tuple[float, str]:
    times = []
    out = ""
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn(*args)
        times.append(time.perf_counter() - start)
    return min(times), out


def process_time(args: list[str], repeat: int, cwd: Path) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(args, cwd=cwd, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--resources", type=int, default=500)
    args = parser.parse_args()
    n = args.resources

    # warm both (imports, schema cache) so the comparison is of building, not importing
    build_sparkleform(10)
    build_troposphere(10)
    ours, ours_json = best_of(build_sparkleform, args.repeat, n)
    theirs, theirs_json = best_of(build_troposphere, args.repeat, n)
    a, b = json.loads(ours_json), json.loads(theirs_json)
    a.pop("AWSTemplateFormatVersion", None)
    same = a == b
    print(f"{n}-resource template, build + serialise to JSON (best of {args.repeat}):")
    print(f"  sparkleform  {ours * 1000:8.1f} ms")
    print(f"  troposphere  {theirs * 1000:8.1f} ms")
    print(f"  ratio troposphere/sparkleform = {theirs / ours:.2f}x  (same template: {same})")

    exe = [sys.executable, "-m", "sparkleform.cli.main"]
    help_t = process_time([*exe, "--help"], args.repeat, ROOT)
    compile_t = process_time([*exe, "compile", "ec2_example", "--no-check"], args.repeat, ROOT / "examples")
    baseline = process_time([sys.executable, "-c", "pass"], args.repeat, ROOT)
    print(f"whole process (median of {args.repeat}):")
    print(f"  python -c pass                      {baseline * 1000:7.1f} ms")
    print(f"  sparkleform --help                  {help_t * 1000:7.1f} ms")
    print(f"  sparkleform compile ec2_example     {compile_t * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
