"""What the agent does on AWS: become the NAT (fenced writes), find its peers, learn its id.

Every call here is one the nat_ha template's instance role grants (and nothing else):
ec2:ModifyInstanceAttribute, ec2:DescribeRouteTables, ec2:ReplaceRoute, ec2:CreateRoute,
ec2:AssociateAddress, ec2:DescribeInstances, autoscaling:DescribeAutoScalingInstances and
autoscaling:DescribeAutoScalingGroups. boto3 is imported when a client is first made.
"""

from __future__ import annotations

import os
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sparkleform.nat.errors import Fenced, NatAgentError

DEFAULT_ROUTE = "0.0.0.0/0"
IMDS = "http://169.254.169.254"


def instance_id_from_metadata(timeout: float = 2.0) -> str:
    """This instance's id from the instance metadata service (IMDSv2: token first).
    AWS_EC2_METADATA_SERVICE_ENDPOINT overrides the address, as for botocore."""
    base = os.environ.get("AWS_EC2_METADATA_SERVICE_ENDPOINT", IMDS).rstrip("/")
    try:
        token_request = urllib.request.Request(
            f"{base}/latest/api/token", method="PUT", headers={"X-aws-ec2-metadata-token-ttl-seconds": "60"})
        with urllib.request.urlopen(token_request, timeout=timeout) as response:
            token = response.read().decode()
        id_request = urllib.request.Request(
            f"{base}/latest/meta-data/instance-id", headers={"X-aws-ec2-metadata-token": token})
        with urllib.request.urlopen(id_request, timeout=timeout) as response:
            return response.read().decode().strip()
    except OSError as exc:
        raise NatAgentError(f"no --instance-id and the instance metadata service did not answer ({exc})",
                            hint="run on the NAT instance, or pass --instance-id") from None


def clients(region: str | None, endpoint_url: str | None, *, timeout: float = 3.0) -> tuple[Any, Any]:
    """(ec2, autoscaling) clients with botocore's standard retries and short timeouts (a
    leader whose call hangs must not outlive its lease)."""
    import boto3
    from botocore.config import Config

    config = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=timeout,
                    read_timeout=timeout)
    session = boto3.session.Session(region_name=region)
    kwargs = {"endpoint_url": endpoint_url, "config": config}
    return session.client("ec2", **kwargs), session.client("autoscaling", **kwargs)


@dataclass
class Takeover:
    """What becoming the NAT changed."""

    route_tables: list[str] = field(default_factory=list)  # tables whose default route was written
    address: bool = False  # the Elastic IP was (re)associated


class NatWriter:
    """Points the private route tables' default route at this instance. `fence()` is called
    before every write; when it says False, Fenced is raised and nothing more is written."""

    def __init__(self, ec2: Any, instance_id: str, route_tables: list[str], fence: Callable[[], bool],
                 allocation_id: str | None = None) -> None:
        self.ec2 = ec2
        self.instance_id = instance_id
        self.route_tables = route_tables
        self.fence = fence
        self.allocation_id = allocation_id

    def _write(self, operation: str, **params: Any) -> Any:
        if not self.fence():
            raise Fenced(f"{operation} refused: this agent no longer holds the lock")
        return getattr(self.ec2, operation)(**params)

    def take_over(self) -> Takeover:
        """Everything a new NAT does once: source/dest check off, routes, Elastic IP."""
        self._write("modify_instance_attribute", InstanceId=self.instance_id, SourceDestCheck={"Value": False})
        result = Takeover(route_tables=self.reconcile())
        if self.allocation_id:
            self._write("associate_address", AllocationId=self.allocation_id, InstanceId=self.instance_id,
                        AllowReassociation=True)
            result.address = True
        return result

    def check(self) -> None:
        """A first read at start: the route tables exist (NatAgentError if not), and botocore
        has loaded what it loads on a first call before a takeover has to wait for it."""
        from botocore.exceptions import ClientError

        try:
            self.stale_tables()
        except ClientError as exc:
            if exc.response["Error"]["Code"].startswith("InvalidRouteTableID"):
                raise NatAgentError(f"route table not found: {exc.response['Error'].get('Message', exc)}") from None
            raise

    def stale_tables(self) -> list[str]:
        """The route tables whose default route does not (actively) go to this instance."""
        if not self.route_tables:
            return []
        tables = self.ec2.describe_route_tables(RouteTableIds=self.route_tables)["RouteTables"]
        stale = []
        for table in tables:
            route = next((r for r in table.get("Routes", []) if r.get("DestinationCidrBlock") == DEFAULT_ROUTE), None)
            if not route or route.get("InstanceId") != self.instance_id or route.get("State") != "active":
                stale.append(table["RouteTableId"])
        return sorted(stale)

    def reconcile(self) -> list[str]:
        """Rewrite the default route of every stale table; the tables written."""
        from botocore.exceptions import ClientError

        written = []
        for table in self.stale_tables():
            params = {"RouteTableId": table, "DestinationCidrBlock": DEFAULT_ROUTE, "InstanceId": self.instance_id}
            try:
                self._write("replace_route", **params)
            except ClientError as exc:
                if exc.response["Error"]["Code"] not in ("InvalidRoute.NotFound", "InvalidParameterValue"):
                    raise
                try:
                    self._write("create_route", **params)
                except ClientError as again:  # a route appeared in between: replace it
                    if again.response["Error"]["Code"] != "RouteAlreadyExists":
                        raise
                    self._write("replace_route", **params)
            written.append(table)
        return written


@dataclass
class Peer:
    instance_id: str
    state: str
    private_ip: str | None
    lifecycle: str
    health: str


def peers(ec2: Any, autoscaling: Any, instance_id: str) -> tuple[str, list[Peer]]:
    """The auto scaling group of this instance and its members (this one included)."""
    found = autoscaling.describe_auto_scaling_instances(InstanceIds=[instance_id])["AutoScalingInstances"]
    if not found:
        raise NatAgentError(f"instance {instance_id} is not in an auto scaling group")
    group_name = found[0]["AutoScalingGroupName"]
    groups = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[group_name])["AutoScalingGroups"]
    members = {m["InstanceId"]: m for g in groups for m in g.get("Instances", [])}
    described: dict[str, dict] = {}
    if members:
        for reservation in ec2.describe_instances(InstanceIds=sorted(members))["Reservations"]:
            for instance in reservation["Instances"]:
                described[instance["InstanceId"]] = instance
    return group_name, [
        Peer(iid, described.get(iid, {}).get("State", {}).get("Name", "unknown"),
             described.get(iid, {}).get("PrivateIpAddress"), m.get("LifecycleState", ""), m.get("HealthStatus", ""))
        for iid, m in sorted(members.items())
    ]
