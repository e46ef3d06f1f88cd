"""The nat_ha template's instance role grants exactly the AWS calls the agent makes: the
calls are recorded on moto while an agent takes over and lists its peers, then each is run
through the IAM policy simulator against the compiled role."""

from __future__ import annotations

import base64
import json
import re
import sys
from pathlib import Path

from _nat_cluster import make_world

import sparkleform as sf
from sparkleform.iam import ALLOWED, IMPLICIT_DENY, simulate
from sparkleform.nat.agent import Agent
from sparkleform.nat.aws import NatWriter, clients, peers
from sparkleform.nat.lock import open_lock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "packs"))
from seed_resolve import resolve

VPC_ARN = "arn:aws:ec2:us-east-1:123456789012:vpc/{}"


def _recorded_actions(text: str) -> set[str]:
    """`service:Action` of every request in a moto recording (service from the signature's scope)."""
    from urllib.parse import parse_qs

    actions = set()
    for line in text.splitlines():
        if not line.strip():
            continue
        entry = json.loads(line)
        headers = {k.lower(): v for k, v in (entry.get("headers") or {}).items()}
        scope = re.search(r"Credential=[^/]+/\d+/[^/]+/([^/]+)/", headers.get("authorization", ""))
        body = entry.get("body") or ""
        if entry.get("body_encoded"):
            body = base64.b64decode(body).decode("utf-8", "replace")
        action = (parse_qs(body).get("Action") or [""])[0]
        if scope and action:
            actions.add(f"{scope.group(1)}:{action}")
    return actions


def test_the_role_grants_exactly_the_calls_the_agent_makes(moto_server, consul):
    world = make_world(moto_server.endpoint)
    me = world.instances[0]
    ec2, autoscaling = clients("us-east-1", world.endpoint)
    lock = open_lock(consul.lock_url("nat/iam"), 2, name=me)
    writer = NatWriter(ec2, me, world.route_tables, fence=lambda: False, allocation_id=world.allocation)
    agent = Agent(lock, writer, lambda: True, instance_id=me, tick=0.2, emit=lambda *a, **k: None)

    moto_server.start_recording()
    agent.step()  # takes the lock and takes over (one table has a default route, one has none)
    world.ec2.replace_route(RouteTableId=world.route_tables[0], DestinationCidrBlock="0.0.0.0/0",
                            InstanceId=world.instances[1])  # someone moved a route: the leader puts it back
    agent.step()
    peers(ec2, autoscaling, me)
    moto_server.api("recorder/stop-recording")
    recording = moto_server.api("recorder/download-recording", data=None).decode()
    lock.close()
    assert world.routes_point_to(me)

    # (the test's own ReplaceRoute is recorded too: the agent makes that call as well, at takeover)
    called = _recorded_actions(recording)
    assert {"ec2:ReplaceRoute", "ec2:CreateRoute", "ec2:AssociateAddress", "ec2:ModifyInstanceAttribute",
            "autoscaling:DescribeAutoScalingInstances", "ec2:DescribeInstances"} <= called

    template = sf.load_target("nat_ha").template
    (role,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::IAM::Role"]
    (policy,) = [resolve(p["PolicyDocument"], {"VpcId": "vpc-1"}) for p in role["Properties"]["Policies"]]
    granted = {a for s in policy["Statement"] for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}
    assert granted == called

    in_vpc = {"ec2:Vpc": VPC_ARN.format("vpc-1")}
    for action in sorted(called):
        assert simulate([policy], action, "*", in_vpc).decision == ALLOWED, action
    other_vpc = {"ec2:Vpc": VPC_ARN.format("vpc-2")}
    assert simulate([policy], "ec2:ReplaceRoute", "*", other_vpc).decision == IMPLICIT_DENY
