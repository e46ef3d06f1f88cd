"""Fixtures for the NAT agent's tests: a real etcd on 127.0.0.1, the Consul stand-in,
moto_server for EC2/Auto Scaling, and a small VPC with a NAT auto scaling group in it."""

from __future__ import annotations

import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "providers"))

import _motoserver  # noqa: E402
from _consul import ConsulStandIn  # noqa: E402
from _etcd import EtcdServer, etcd_binary  # noqa: E402


@pytest.fixture(autouse=True)
def _aws_env(monkeypatch):
    _motoserver.set_dummy_credentials(monkeypatch)


@pytest.fixture(scope="session")
def moto_server():
    server = _motoserver.acquire()
    yield server
    _motoserver.release()


@pytest.fixture
def etcd():
    """A fresh etcd server (its own data dir and ports) for one test."""
    binary = etcd_binary()
    if binary is None:
        pytest.skip("etcd is not installed (.ci/install-nat.sh installs it)")
    server = EtcdServer(binary)
    server.start()
    yield server
    server.close()


@pytest.fixture
def consul():
    server = ConsulStandIn().start()
    yield server
    server.stop()


@dataclass
class World:
    """A VPC on moto: three NAT instances in an auto scaling group, two private route
    tables (fresh for each test) and an Elastic IP allocation."""

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

    def address_owner(self) -> str | None:
        (address,) = self.ec2.describe_addresses(AllocationIds=[self.allocation])["Addresses"]
        return address.get("InstanceId")

    def source_dest_check(self, instance: str) -> bool:
        answer = self.ec2.describe_instance_attribute(InstanceId=instance, Attribute="sourceDestCheck")
        return answer["SourceDestCheck"]["Value"]


_GROUP: dict = {}


def _clients(endpoint: str):
    import boto3

    kwargs = {"endpoint_url": endpoint, "region_name": "us-east-1"}
    return boto3.client("ec2", **kwargs), boto3.client("autoscaling", **kwargs)


@pytest.fixture
def world(moto_server) -> World:
    ec2, autoscaling = _clients(moto_server.endpoint)
    if not _GROUP:
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
        _GROUP.update(vpc=vpc, name=name, gateway=gateway,
                      instances=sorted(i["InstanceId"] for i in group["Instances"]))
    tables = [ec2.create_route_table(VpcId=_GROUP["vpc"])["RouteTable"]["RouteTableId"] for _ in range(2)]
    # one table starts with a default route elsewhere (ReplaceRoute), one without (CreateRoute)
    ec2.create_route(RouteTableId=tables[0], DestinationCidrBlock="0.0.0.0/0", GatewayId=_GROUP["gateway"])
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    return World(moto_server.endpoint, _GROUP["name"], list(_GROUP["instances"]), tables, allocation, ec2,
                 autoscaling)
