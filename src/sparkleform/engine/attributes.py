"""Simulated resources: the physical id (what Ref returns) and GetAtt values of a resource.

Values are invented in the shape AWS returns: ARNs in the stack's partition, region and
account, ids with the service prefix (i-, vpc-, subnet-, sg-, ...), DNS names, URLs, and
IP addresses inside the subnet's CIDR when the subnet is known. The primary identifier
in the type's schema decides what Ref returns; `REF_OVERRIDES` lists the types where AWS
returns something else.
"""

from __future__ import annotations

import functools
import ipaddress
import os
import random
import string
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sparkleform.engine.intrinsics import partition_of, url_suffix
from sparkleform.spec import get_schema

_rng: random.Random | _LazyRandom = random.Random()  # ids need to be unique-looking, not secret
os.register_at_fork(after_in_child=_rng.seed)  # a forked child must not repeat its parent's ids

EC2_PREFIX = {
    "AWS::EC2::Instance": "i-",
    "AWS::EC2::VPC": "vpc-",
    "AWS::EC2::Subnet": "subnet-",
    "AWS::EC2::SecurityGroup": "sg-",
    "AWS::EC2::InternetGateway": "igw-",
    "AWS::EC2::EgressOnlyInternetGateway": "eigw-",
    "AWS::EC2::RouteTable": "rtb-",
    "AWS::EC2::NatGateway": "nat-",
    "AWS::EC2::NetworkInterface": "eni-",
    "AWS::EC2::Volume": "vol-",
    "AWS::EC2::LaunchTemplate": "lt-",
    "AWS::EC2::NetworkAcl": "acl-",
    "AWS::EC2::TransitGateway": "tgw-",
    "AWS::EC2::TransitGatewayAttachment": "tgw-attach-",
    "AWS::EC2::TransitGatewayRouteTable": "tgw-rtb-",
    "AWS::EC2::VPCEndpoint": "vpce-",
    "AWS::EC2::DHCPOptions": "dopt-",
    "AWS::EC2::CustomerGateway": "cgw-",
    "AWS::EC2::VPNGateway": "vgw-",
    "AWS::EC2::VPNConnection": "vpn-",
    "AWS::EC2::VPCPeeringConnection": "pcx-",
    "AWS::EC2::FlowLog": "fl-",
    "AWS::EC2::PrefixList": "pl-",
    "AWS::EC2::SubnetRouteTableAssociation": "rtbassoc-",
    "AWS::EC2::SubnetNetworkAclAssociation": "aclassoc-",
    "AWS::EC2::SecurityGroupIngress": "sgr-",
    "AWS::EC2::SecurityGroupEgress": "sgr-",
    "AWS::EC2::KeyPair": "key-",
    "AWS::EC2::SpotFleet": "sfr-",
    "AWS::EC2::CarrierGateway": "cagw-",
    "AWS::EC2::Host": "h-",
    "AWS::EC2::CapacityReservation": "cr-",
    "AWS::EC2::EC2Fleet": "fleet-",
    "AWS::EC2::PlacementGroup": "pg-",
    "AWS::EC2::VPCCidrBlock": "vpc-cidr-assoc-",
    "AWS::EC2::NetworkAclEntry": "acle-",
    "AWS::EC2::IPAM": "ipam-",
    # ids of other services with the same shape (a prefix and 17 hex digits)
    "AWS::SSM::MaintenanceWindow": "mw-",
    "AWS::SSM::PatchBaseline": "pb-",
}

ATTR_PREFIX = {
    "VpcId": "vpc-",
    "GroupId": "sg-",
    "DefaultSecurityGroup": "sg-",
    "DefaultNetworkAcl": "acl-",
    "AllocationId": "eipalloc-",
    "NetworkInterfaceId": "eni-",
    "PrimaryNetworkInterfaceId": "eni-",
    "RouteTableId": "rtb-",
    "SubnetId": "subnet-",
    "InstanceId": "i-",
    "ImageId": "ami-",
    "NetworkAclAssociationId": "aclassoc-",
    "LaunchTemplateId": "lt-",
    "TransitGatewayId": "tgw-",
}

# Types whose Ref is not (just) the schema's primary identifier: which attribute/kind it is.
REF_OVERRIDES = {
    "AWS::EC2::EIP": "PublicIp",
    "AWS::ApiGateway::Resource": "ResourceId",
    "AWS::ApiGateway::Deployment": "DeploymentId",
    "AWS::ApiGateway::Stage": "StageName",
    "AWS::ApiGateway::Authorizer": "AuthorizerId",
    "AWS::ApiGateway::Model": "Name",
    "AWS::Events::Rule": "Name",
    "AWS::SecretsManager::Secret": "Arn",
    "AWS::CloudFormation::WaitConditionHandle": "Url",
    "AWS::ECS::Service": "ServiceArn",
}

SERVICE_NAMES = {
    "ElasticLoadBalancingV2": "elasticloadbalancing",
    "ElasticLoadBalancing": "elasticloadbalancing",
    "StepFunctions": "states",
    "Logs": "logs",
    "CloudWatch": "cloudwatch",
    "CertificateManager": "acm",
    "Cognito": "cognito-idp",
    "ElastiCache": "elasticache",
    "OpenSearchService": "es",
    "Elasticsearch": "es",
    "KinesisFirehose": "firehose",
    "ApiGatewayV2": "apigateway",
    "EventSchemas": "schemas",
    "ServiceDiscovery": "servicediscovery",
}

GLOBAL_SERVICES = {"iam", "s3", "cloudfront", "route53", "waf", "organizations"}

DEFAULT_PORTS = {"mysql": "3306", "mariadb": "3306", "aurora": "3306", "postgres": "5432", "redis": "6379"}


def token(n: int, alphabet: str = string.ascii_uppercase + string.digits) -> str:
    return "".join(_rng.choices(alphabet, k=n))


_TOKEN_TABLE = bytes((string.ascii_uppercase + string.digits).encode()[i % 36] for i in range(256))


def _new_token(n: int) -> str:
    """Like `token(n)` (upper-case letters and digits) for names generated at creation, in one
    call instead of n draws. `token` itself stays as it is: the attributes derived from a
    resource's seed (`attribute_value`) must keep the values they had in earlier versions."""
    return _rng.randbytes(n).translate(_TOKEN_TABLE).decode()


def hex_id(n: int = 17) -> str:
    return f"{_rng.getrandbits(4 * n):0{n}x}"


def _new_hex(n: int = 17) -> str:
    """Like `hex_id(n)` for ids made at creation, from random bytes (half its cost). `hex_id`
    stays as it is for the values derived from a resource's seed (`attribute_value`)."""
    return _rng.randbytes((n + 1) // 2).hex()[:n]


@dataclass(slots=True)
class SimContext:
    """What the simulator needs to know about the stack a resource is created in."""

    stack_name: str
    region: str
    account_id: str
    cidr_of: Callable[[str], str | None] = lambda _physical: None

    @property
    def partition(self) -> str:
        return partition_of(self.region)


@functools.lru_cache(maxsize=2048)
def service_of(rtype: str) -> tuple[str, str]:
    parts = rtype.split("::")
    service = parts[1] if len(parts) > 1 else "custom"
    kind = parts[2] if len(parts) > 2 else "resource"
    return SERVICE_NAMES.get(service, service.lower()), kind


def generated_name(ctx: SimContext, logical_id: str, *, lower: bool = False, limit: int = 128) -> str:
    name = f"{ctx.stack_name}-{logical_id}-{_new_token(12)}"
    if len(name) > limit:
        name = f"{ctx.stack_name[: limit // 3]}-{logical_id[: limit // 3]}-{_new_token(12)}"[:limit]
    return name.lower() if lower else name


def make_arn(ctx: SimContext, rtype: str, name: str) -> str:
    service, kind = service_of(rtype)
    p = ctx.partition
    if service == "s3":
        return f"arn:{p}:s3:::{name}"
    if service == "sqs" or service == "sns":
        return f"arn:{p}:{service}:{ctx.region}:{ctx.account_id}:{name}"
    if service == "iam":
        return f"arn:{p}:iam::{ctx.account_id}:{kind.lower()}/{name}"
    if service == "logs":
        return f"arn:{p}:logs:{ctx.region}:{ctx.account_id}:log-group:{name}:*"
    if service == "secretsmanager":
        return f"arn:{p}:secretsmanager:{ctx.region}:{ctx.account_id}:secret:{name}"
    if service == "lambda":
        return f"arn:{p}:lambda:{ctx.region}:{ctx.account_id}:function:{name}"
    region = "" if service in GLOBAL_SERVICES else ctx.region
    return f"arn:{p}:{service}:{region}:{ctx.account_id}:{kind.lower()}/{name}"


def _base_name(physical: str) -> str:
    """The name inside a physical id (the last part of an ARN, the last segment of a URL)."""
    if physical.startswith("arn:"):
        return physical.rsplit(":", 1)[-1].rsplit("/", 1)[-1] or physical
    if physical.startswith("https://"):
        return physical.rstrip("/").rsplit("/", 1)[-1]
    return physical


def _dns(ctx: SimContext, rtype: str, name: str) -> str:
    service, _ = service_of(rtype)
    base = name.lower().replace("_", "-").replace(":", "-").replace("/", "-")[:63]
    return f"{base}.{service}.{ctx.region}.{url_suffix(ctx.region)}"


def _private_ip(ctx: SimContext, props: dict) -> str:
    subnet = props.get("SubnetId")
    if not subnet:
        ifaces = props.get("NetworkInterfaces")
        if isinstance(ifaces, list) and ifaces and isinstance(ifaces[0], dict):
            subnet = ifaces[0].get("SubnetId")
    block = ctx.cidr_of(subnet) if isinstance(subnet, str) else None
    try:
        net = ipaddress.ip_network(block or "10.0.0.0/16", strict=False)
    except ValueError:
        net = ipaddress.ip_network("10.0.0.0/16")
    size = net.num_addresses
    if size <= 8:
        return str(net.network_address)
    return str(net.network_address + _rng.randint(4, size - 2))


def _public_ip() -> str:
    return f"{_rng.choice((3, 18, 34, 52, 54))}.{_rng.randint(0, 255)}.{_rng.randint(0, 255)}.{_rng.randint(1, 254)}"


def _leaf_value(
    ctx: SimContext, rtype: str, logical_id: str, attr: str, sub: dict, props: dict, physical: str
) -> Any:
    leaf = attr.split(".")[-1]
    kind = sub.get("type")
    if isinstance(kind, list):
        kind = kind[0]
    if leaf in props and not isinstance(props[leaf], (dict, list)) and "." not in attr:
        return props[leaf]
    if leaf in ATTR_PREFIX:
        if leaf in props:
            return props[leaf]
        return ATTR_PREFIX[leaf] + hex_id()
    lower = leaf.lower()
    name = _base_name(physical)
    if rtype == "AWS::CloudFormation::WaitCondition" and leaf == "Data":
        return '{"1":"signaled locally"}'  # the JSON of the signals received (one, at once)
    if lower == "streamarn":
        return make_arn(ctx, rtype, name) + "/stream/2026-01-01T00:00:00.000"
    if lower.endswith("arn") or lower.endswith("arns"):
        value = physical if physical.startswith("arn:") and lower in ("arn", rtype.split("::")[-1].lower() + "arn") else make_arn(ctx, rtype, name)
        return [value] if kind == "array" else value
    if lower.endswith("availabilityzone") or lower.endswith("availabilityzones"):
        value = props.get("AvailabilityZone") or f"{ctx.region}a"
        return [value] if kind == "array" else value
    if "ipv6cidr" in lower:
        return [f"2600:1f18:{_rng.randint(0x1000, 0xFFFF):x}:{_rng.randint(0x10, 0xFF):x}00::/56"]
    if lower in ("cidrblock", "cidrblockassociations"):
        value = props.get("CidrBlock", "10.0.0.0/16") if lower == "cidrblock" else f"vpc-cidr-assoc-{hex_id()}"
        return [value] if kind == "array" else value
    if lower.endswith(("ip", "ips", "ipaddress", "ipaddresses")):
        make = _public_ip if "public" in lower else (lambda: _private_ip(ctx, props))
        if kind != "array":
            return make()
        count = props.get("SecondaryPrivateIpAddressCount", 2)
        return [make() for _ in range(max(int(count) if str(count).isdigit() else 2, 1))]
    service = service_of(rtype)[0]
    if service == "cloudfront" and ("domainname" in lower or "dnsname" in lower):
        return f"d{token(13).lower()}.cloudfront.net"
    if rtype == "AWS::S3::Bucket" and lower == "websiteurl":
        return f"http://{name}.s3-website-{ctx.region}.{url_suffix(ctx.region)}"
    if "dnsname" in lower or "domainname" in lower or lower in ("address", "hostname", "endpoint"):
        return _dns(ctx, rtype, name)
    if lower.endswith("url"):
        return f"https://{_dns(ctx, rtype, name)}/"
    if lower == "port":
        engine = str(props.get("Engine", "")).lower()
        return next((p for k, p in DEFAULT_PORTS.items() if k in engine), "443")
    if lower.endswith("hostedzoneid") or lower.endswith("hostedzonenameid"):
        return "Z" + token(13)
    if lower.endswith("id") or lower.endswith("ids"):
        value = token(10).lower() if not rtype.startswith("AWS::EC2::") else hex_id()
        return [value] if kind == "array" else value
    if lower.endswith("name"):
        return name
    if kind in ("integer", "number"):
        return "1"
    if kind == "boolean":
        return "false"
    if kind == "array":
        return [token(12).lower(), token(12).lower()]
    if lower.endswith("time") or lower.endswith("date"):
        return "2026-01-01T00:00:00Z"
    return token(16).lower()


@functools.lru_cache(maxsize=2048)
def _name_keys(rtype: str) -> tuple[str, str]:
    return ("Name", rtype.split("::")[-1] + "Name")


def _name_for(ctx: SimContext, rtype: str, logical_id: str, props: dict) -> str:
    if props:
        for key in _name_keys(rtype):
            if isinstance(props.get(key), str):
                return props[key]
    lower = rtype in ("AWS::S3::Bucket", "AWS::ElasticLoadBalancingV2::TargetGroup")
    return generated_name(ctx, logical_id, lower=lower, limit=63 if lower else 128)


def _identifier_value(ctx: SimContext, rtype: str, logical_id: str, ident: str, props: dict) -> str:
    """The value of one primary-identifier component for a new resource."""
    if ident in props and isinstance(props[ident], (str, int, float)) and not isinstance(props[ident], bool):
        return str(props[ident])
    lower = ident.lower()
    name = _name_for(ctx, rtype, logical_id, props)
    if rtype == "AWS::SQS::Queue" and lower == "queueurl":
        return f"https://sqs.{ctx.region}.{url_suffix(ctx.region)}/{ctx.account_id}/{name}"
    if lower.endswith("arn"):
        return make_arn(ctx, rtype, name)
    if rtype == "AWS::EC2::VPCGatewayAttachment" and lower == "attachmenttype":
        return "IGW" if props.get("InternetGatewayId") else "VGW"
    if rtype == "AWS::CloudFront::Distribution" and lower == "id":
        return "E" + token(13)
    if rtype == "AWS::KMS::Key" and lower == "keyid":
        h = _new_hex(32)
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
    if rtype in EC2_PREFIX and lower.endswith("id"):
        return EC2_PREFIX[rtype] + _new_hex()
    if ident in ATTR_PREFIX:
        return ATTR_PREFIX[ident] + _new_hex()
    if lower.endswith("url"):
        return f"https://{_dns(ctx, rtype, name)}/"
    if lower in ("publicip",):
        return _public_ip()
    if lower.endswith("id") and lower != "id":
        return token(10).lower()
    return name


def simulate(ctx: SimContext, rtype: str, logical_id: str, props: dict) -> tuple[str, dict[str, Any]]:
    """-> (physical id = Ref value, identifier attributes + the seed of the others) for a new resource."""
    schema = get_schema(rtype)
    if schema is None:
        physical = generated_name(ctx, logical_id)
        return physical, {}
    idents = schema.primary_identifier or ["Id"]
    override = REF_OVERRIDES.get(rtype)
    if override is None and len(idents) == 1:  # most types: Ref is the one identifier (what the general path below gives)
        physical = _identifier_value(ctx, rtype, logical_id, idents[0], props)
        return physical, {idents[0]: physical, SEED: _new_hex(16)}
    values = {i: _identifier_value(ctx, rtype, logical_id, i, props) for i in idents}
    attrs: dict[str, Any] = {}
    if override == "Url":
        physical = f"https://cloudformation-waitcondition-{ctx.region}.s3.{url_suffix(ctx.region)}/{token(24).lower()}"
    elif override == "Arn":
        physical = make_arn(ctx, rtype, _name_for(ctx, rtype, logical_id, props) + "-" + token(6))
    elif override and override in values:
        physical = values[override]
    elif override:
        if override in props:
            physical = str(props[override])
        elif override.endswith("Name"):
            physical = _name_for(ctx, rtype, logical_id, props)
        else:
            physical = token(10).lower()
        attrs[override] = physical
    elif len(idents) == 1:
        physical = values[idents[0]]
    else:
        generated = [i for i in idents if i in schema.read_only and i not in props]
        physical = values[generated[0]] if len(generated) == 1 else "|".join(values[i] for i in idents)
    if rtype == "AWS::EC2::VPCGatewayAttachment":  # AWS's Ref: "IGW|vpc-…" (or "VGW|vpc-…")
        physical = "|".join(values[i] for i in idents)
    elif rtype == "AWS::Events::Rule":
        bus = props.get("EventBusName")
        if isinstance(bus, str) and bus and bus != "default":  # a rule on a custom bus: "bus|rule"
            bus = bus.rsplit("/", 1)[-1]
            attrs["Arn"] = make_arn(ctx, rtype, f"{bus}/{physical}")
            physical = f"{bus}|{physical}"
    for ident, value in values.items():
        attrs.setdefault(ident, value)
    if override == "PublicIp":
        attrs["PublicIp"] = physical
    if len(idents) == 1 and idents[0] in attrs and override is None:
        attrs[idents[0]] = physical
    # the other read-only attributes are derived on demand from this seed (attribute_value)
    attrs[SEED] = _new_hex(16)
    return physical, attrs


SEED = "@seed"


def attribute_value(
    ctx: SimContext, rtype: str, logical_id: str, attr: str, props: dict, physical: str, seed: str | None = None
) -> Any:
    """A GetAtt value not stored with the resource: derived from the resource's seed, so the
    same attribute always has the same value."""
    global _rng
    if attr in props:
        return props[attr]
    head, _, rest = attr.partition(".")
    if rest and isinstance(props.get(head), dict):  # a member of an object property the template gave
        node: Any = props[head]
        for part in rest.split("."):
            node = node.get(part, _ABSENT) if isinstance(node, dict) else _ABSENT
        if node is not _ABSENT:
            return node
    schema = get_schema(rtype)
    sub = _attribute_schema(rtype, schema, attr) if schema else {}
    members = sub.get("properties") if sub.get("type") == "object" else None
    if isinstance(members, dict) and members:
        # an object attribute (a subnet's BlockPublicAccessStates): its members, each the value
        # a GetAtt of the member gives
        return {key: attribute_value(ctx, rtype, logical_id, f"{attr}.{key}", props, physical, seed) for key in members}
    saved = _rng
    _rng = _LazyRandom(f"{seed or physical}|{attr}")
    try:
        return _leaf_value(ctx, rtype, logical_id, attr, sub, props, physical)
    finally:
        _rng = saved


_ABSENT = object()


class _LazyRandom:
    """random.Random(seed), created on first use: seeding from a string hashes it (most of
    a GetAtt's cost) and most attributes (ARNs, names, DNS names) draw nothing. The draws,
    when there are any, are those of random.Random(seed)."""

    __slots__ = ("_real", "_seed")

    def __init__(self, seed: str) -> None:
        self._seed = seed
        self._real: random.Random | None = None

    def __getattr__(self, name: str) -> Any:
        if self._real is None:
            self._real = random.Random(self._seed)
        return getattr(self._real, name)


_attr_schema_cache: dict[tuple[str, str], dict] = {}


def _attribute_schema(rtype: str, schema: Any, attr: str) -> dict:
    key = (rtype, attr)
    found = _attr_schema_cache.get(key)
    if found is None:
        found = _attr_schema_cache[key] = schema.attribute_schema(attr)
    return found


def allowed_attribute(rtype: str, attr: str) -> bool | None:
    """True if GetAtt may name `attr` on `rtype`; None when the type has no schema."""
    schema = get_schema(rtype)
    if schema is None:
        return None
    if attr in schema.read_only:
        return True
    # AWS also answers GetAtt for some writable top-level properties (VPC.CidrBlock,
    # SSM::Parameter.Value, Subnet.AvailabilityZone): accept declared top-level properties.
    if attr in schema.properties:
        return True
    # and for the members of an object property, read-only or not
    # (Subnet.BlockPublicAccessStates.InternetGatewayBlockMode, as cfn-lint lists them)
    head, *members = attr.split(".")
    sub: Any = schema.properties.get(head)
    if sub is None or not members:
        return False
    for member in members:
        sub = schema.resolve(sub)
        if sub.get("type") != "object" or member not in (sub.get("properties") or {}):
            return False
        sub = sub["properties"][member]
    return True
