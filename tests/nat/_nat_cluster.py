"""Agents as real processes (`sparkleform nat-agent run`) for the tests and the benchmark:
each with its own instance id, access key (to tell its AWS calls apart) and TCP health
endpoint; their JSON log lines read back as events."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

WRITES = ("ModifyInstanceAttribute", "ReplaceRoute", "CreateRoute", "AssociateAddress")
STATE_EVENTS = ("follower", "leader", "lost-lock", "released")


@dataclass
class World:
    """A VPC on moto: NAT instances in an auto scaling group, private route tables, an EIP."""

    endpoint: str
    group: str
    instances: list[str]
    route_tables: list[str]
    allocation: str
    ec2: object
    autoscaling: object

    def default_routes(self) -> dict[str, str | None]:
        tables = self.ec2.describe_route_tables(RouteTableIds=self.route_tables)["RouteTables"]
        out = {}
        for table in tables:
            route = next((r for r in table["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0"), {})
            out[table["RouteTableId"]] = route.get("InstanceId")
        return out

    def routes_point_to(self, instance: str) -> bool:
        return set(self.default_routes().values()) == {instance}

    def address_owner(self) -> str | None:
        (address,) = self.ec2.describe_addresses(AllocationIds=[self.allocation])["Addresses"]
        return address.get("InstanceId")

    def source_dest_check(self, instance: str) -> bool:
        answer = self.ec2.describe_instance_attribute(InstanceId=instance, Attribute="sourceDestCheck")
        return answer["SourceDestCheck"]["Value"]


_GROUP: dict = {}


def make_world(endpoint: str) -> World:
    """Three instances in a group (made once per moto server), two fresh route tables: one
    with a default route to an internet gateway (ReplaceRoute), one without (CreateRoute)."""
    import boto3

    kwargs = {"endpoint_url": endpoint, "region_name": "us-east-1"}
    ec2, autoscaling = boto3.client("ec2", **kwargs), boto3.client("autoscaling", **kwargs)
    if _GROUP.get("endpoint") != endpoint:
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.0.0/24")["Subnet"]["SubnetId"]
        name = f"nat-{uuid.uuid4().hex[:8]}"
        ec2.create_launch_template(LaunchTemplateName=name,
                                   LaunchTemplateData={"ImageId": "ami-12c6146b", "InstanceType": "t3.micro"})
        autoscaling.create_auto_scaling_group(
            AutoScalingGroupName=name, LaunchTemplate={"LaunchTemplateName": name},
            MinSize=3, MaxSize=3, DesiredCapacity=3, VPCZoneIdentifier=subnet)
        (group,) = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[name])["AutoScalingGroups"]
        gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc)
        _GROUP.clear()
        _GROUP.update(endpoint=endpoint, vpc=vpc, name=name, gateway=gateway,
                      instances=sorted(i["InstanceId"] for i in group["Instances"]))
    tables = [ec2.create_route_table(VpcId=_GROUP["vpc"])["RouteTable"]["RouteTableId"] for _ in range(2)]
    ec2.create_route(RouteTableId=tables[0], DestinationCidrBlock="0.0.0.0/0", GatewayId=_GROUP["gateway"])
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    return World(endpoint, _GROUP["name"], list(_GROUP["instances"]), tables, allocation, ec2, autoscaling)


class HealthEndpoint:
    """A TCP port that accepts connections while healthy; `fail()` closes it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.target = f"127.0.0.1:{self.sock.getsockname()[1]}"
        self.open = True
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while self.open:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            conn.close()

    def fail(self) -> None:
        self.open = False
        self.sock.close()


def parse_time(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


class AgentProcess:
    def __init__(self, index: int, instance: str, command: list[str], env: dict, workdir: Path) -> None:
        self.index = index
        self.instance = instance
        self.access_key = f"AKIANAT{index}{uuid.uuid4().hex[:8].upper()}"
        self.log_path = workdir / f"agent-{index}-{instance}.log"
        self.err_path = workdir / f"agent-{index}-{instance}.err"
        self.health = HealthEndpoint()
        with open(self.log_path, "wb") as out, open(self.err_path, "wb") as err:
            self.process = subprocess.Popen(
                [*command, "--health-check", self.health.target],
                stdout=out, stderr=err, env={**env, "AWS_ACCESS_KEY_ID": self.access_key},
            )
        self.killed_at: float | None = None

    def events(self) -> list[dict]:
        lines = self.log_path.read_text(encoding="utf-8").splitlines()
        out = []
        for line in lines:
            try:
                out.append(json.loads(line))
            except ValueError:
                break  # a line still being written
        return out

    def is_leader(self) -> bool:
        states = [e["event"] for e in self.events() if e["event"] in STATE_EVENTS]
        return bool(states) and states[-1] == "leader"

    def took_over(self) -> bool:
        """Leader, and done taking over (routes, source/dest check, EIP: routes-updated logged)."""
        events = [e["event"] for e in self.events() if e["event"] in (*STATE_EVENTS, "routes-updated")]
        return "leader" in events and events[-1] == "routes-updated" and self.is_leader()

    def signal(self, sig: int) -> None:
        if sig == signal.SIGKILL:
            self.killed_at = time.time()
        self.process.send_signal(sig)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.health.fail() if self.health.open else None

    def leadership(self, now: float) -> list[tuple[float, float]]:
        """When this agent believed it was the leader, as (start, end) wall-clock times."""
        spans, start = [], None
        for event in self.events():
            if event["event"] == "leader":
                start = parse_time(event["time"])
            elif event["event"] in ("lost-lock", "released") and start is not None:
                spans.append((start, parse_time(event["time"])))
                start = None
        if start is not None:
            spans.append((start, self.killed_at or now))
        return spans


class Cluster:
    def __init__(self, world: World, lock_url: str, *, ttl: float, interval: float, count: int = 3) -> None:
        self.world = world
        self.lock_url = lock_url
        self.ttl = ttl
        self.interval = interval
        self.workdir = Path(tempfile.mkdtemp(prefix="sparkleform-nat-agents-"))
        self.agents: list[AgentProcess] = []
        self.count = count

    def command(self, instance: str) -> list[str]:
        command = [sys.executable, "-m", "sparkleform.cli.main", "nat-agent", "run", "--lock", self.lock_url,
                   "--region", "us-east-1", "--endpoint-url", self.world.endpoint, "--instance-id", instance,
                   "--ttl", str(self.ttl), "--interval", str(self.interval),
                   "--elastic-ip-allocation", self.world.allocation]
        for table in self.world.route_tables:
            command += ["--route-table", table]
        return command

    def start(self) -> Cluster:
        env = dict(os.environ)
        for index, instance in enumerate(self.world.instances[: self.count]):
            self.agents.append(AgentProcess(index, instance, self.command(instance), env, self.workdir))
        return self

    def restart(self, agent: AgentProcess) -> AgentProcess:
        fresh = AgentProcess(agent.index, agent.instance, self.command(agent.instance), dict(os.environ),
                             self.workdir)
        self.agents[self.agents.index(agent)] = fresh
        return fresh

    def leaders(self) -> list[AgentProcess]:
        return [a for a in self.agents if a.process.poll() is None and a.is_leader()]

    def wait_for_leader(self, timeout: float, exclude: tuple[AgentProcess, ...] = ()) -> AgentProcess:
        """The one leader (not among `exclude`) once it has taken over and every route points to it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            leaders = [a for a in self.leaders() if a not in exclude]
            if len(leaders) == 1 and leaders[0].took_over() and self.world.routes_point_to(leaders[0].instance):
                return leaders[0]
            time.sleep(0.05)
        raise AssertionError(f"no single leader with the routes within {timeout} s:\n{self.describe()}")

    def overlaps(self) -> list[tuple[str, str]]:
        """Pairs of agents whose leaderships overlapped in time (split brain)."""
        now = time.time()
        spans = [(a.instance, s) for a in self.agents for s in a.leadership(now)]
        bad = []
        for i, (one, (s1, e1)) in enumerate(spans):
            for two, (s2, e2) in spans[i + 1:]:
                if one != two and s1 < e2 and s2 < e1:
                    bad.append((one, two))
        return bad

    def describe(self) -> str:
        parts = []
        for a in self.agents:
            parts.append(f"--- agent {a.index} {a.instance} rc={a.process.poll()}")
            parts.append(a.log_path.read_text(encoding="utf-8")[-3000:])
            parts.append(a.err_path.read_text(encoding="utf-8")[-2000:])
        return "\n".join(parts)

    def stop(self) -> None:
        for agent in self.agents:
            agent.stop()


def writes_by_key(recording_text: str) -> dict[str, list[str]]:
    """The write actions in a moto recording, by the caller's access key id."""
    from urllib.parse import parse_qs

    out: dict[str, list[str]] = {}
    for line in recording_text.splitlines():
        if not line.strip():
            continue
        entry = json.loads(line)
        headers = {k.lower(): v for k, v in (entry.get("headers") or {}).items()}
        body = entry.get("body") or ""
        if entry.get("body_encoded"):
            import base64

            body = base64.b64decode(body).decode("utf-8", "replace")
        action = (parse_qs(body).get("Action") or [""])[0]
        if action not in WRITES:
            continue
        credential = headers.get("authorization", "").partition("Credential=")[2].split("/", 1)[0]
        out.setdefault(credential, []).append(action)
    return out
