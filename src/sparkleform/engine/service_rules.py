"""Where AWS's services refuse a request CloudFormation passes on: the rules, as data and
small functions, in one place. A broken rule fails the resource (CREATE_FAILED, with the
service's text from engine.messages) and the stack rolls back, as on AWS; the template
limits (`check_template_limits`) refuse the request itself, up front (ValidationError).

`RULES` maps a resource type to its checks, `check(run, res)` runs them (and the tag rules,
for every type with Tags) before the handler; `check_unique(cx, run, res)` runs after it,
when the physical id is known: a name another live resource of the type already has.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from typing import Any

from sparkleform.engine import messages
from sparkleform.engine.errors import ResourceFailure, ValidationError
from sparkleform.engine.model import ResourceRow, Run

# -- template limits (CloudFormation quotas) --------------------------------------------------
TEMPLATE_MAX_BYTES = 1_000_000  # "Template may not exceed 1000000 bytes in size." (via S3)
TEMPLATE_BODY_MAX_BYTES = 51_200  # TemplateBody without S3 (the AWS provider's concern)
SECTION_LIMITS = {"Resources": 500, "Parameters": 200, "Outputs": 200, "Mappings": 200}
NAME_LIMITS = {"Resources": 255, "Parameters": 255, "Outputs": 255, "Mappings": 255}

# -- networks ---------------------------------------------------------------------------------
CIDR_PREFIX = (16, 28)  # a VPC's and a subnet's IPv4 block: /16 to /28

# -- names: (property, low, high, pattern or None, message template, field) -------------------
_IAM_NAME = r"[\w+=,.@-]+"
NAMES: dict[str, tuple[str, int, int, str | None, str, str]] = {
    "AWS::IAM::Role": ("RoleName", 1, 64, _IAM_NAME, messages.IAM_NAME_PATTERN, "roleName"),
    "AWS::IAM::User": ("UserName", 1, 64, _IAM_NAME, messages.IAM_NAME_PATTERN, "userName"),
    "AWS::IAM::Group": ("GroupName", 1, 128, _IAM_NAME, messages.IAM_NAME_PATTERN, "groupName"),
    "AWS::IAM::ManagedPolicy": ("ManagedPolicyName", 1, 128, _IAM_NAME, messages.IAM_NAME_PATTERN, "policyName"),
    "AWS::IAM::InstanceProfile": ("InstanceProfileName", 1, 128, _IAM_NAME, messages.IAM_NAME_PATTERN, "instanceProfileName"),
    "AWS::IAM::Policy": ("PolicyName", 1, 128, _IAM_NAME, messages.IAM_NAME_PATTERN, "policyName"),
    "AWS::DynamoDB::Table": ("TableName", 3, 255, r"[a-zA-Z0-9_.-]+", messages.TABLE_NAME, "tableName"),
}
UNIQUE_NAMES = {  # type -> the name property whose physical resource must not exist yet
    "AWS::S3::Bucket": "BucketName",  # global: one bucket name in every account and region
    "AWS::IAM::Role": "RoleName",
    "AWS::IAM::User": "UserName",
    "AWS::IAM::Group": "GroupName",
    "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
    "AWS::IAM::InstanceProfile": "InstanceProfileName",
    "AWS::SQS::Queue": "QueueName",
    "AWS::SNS::Topic": "TopicName",
    "AWS::DynamoDB::Table": "TableName",
    "AWS::Lambda::Function": "FunctionName",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::CloudWatch::Alarm": "AlarmName",
    "AWS::Events::Rule": "Name",
    "AWS::RDS::DBInstance": "DBInstanceIdentifier",
    "AWS::ElasticLoadBalancingV2::LoadBalancer": "Name",
    "AWS::ElasticLoadBalancingV2::TargetGroup": "Name",
    "AWS::AutoScaling::AutoScalingGroup": "AutoScalingGroupName",
    "AWS::Config::ConfigRule": "ConfigRuleName",
}
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_QUEUE = re.compile(r"[A-Za-z0-9_-]{1,80}")
_TOPIC = re.compile(r"[A-Za-z0-9_-]{1,256}")

# -- tags ---------------------------------------------------------------------------------------
TAG_LIMITS = {"count": 50, "key": 128, "value": 256}
SERVICE_NAMES = {"DynamoDB": "DynamoDb", "Logs": "CloudWatchLogs"}  # the rest: EC2 -> Ec2, Lambda -> Lambda

# -- security group rules -------------------------------------------------------------------------
_PORTED = {"tcp", "udp", "6", "17"}
_PROTOCOLS = {"tcp", "udp", "icmp", "icmpv6", "-1", "all"}
_SOURCES = ("CidrIp", "CidrIpv6", "SourceSecurityGroupId", "SourceSecurityGroupName", "SourcePrefixListId")
_DESTINATIONS = ("CidrIp", "CidrIpv6", "DestinationSecurityGroupId", "DestinationPrefixListId")

Rule = Callable[[Run, ResourceRow, dict], None]


def _fail(service: str, code: str, message: str) -> None:
    raise ResourceFailure(
        messages.SERVICE_ERROR.format(message=message, service=service, request_id="00000000-0000-0000-0000-000000000000",
                                      handler_code=code)
    )


def _text(props: dict, key: str) -> str | None:
    """A string property the service would see as it is (None: absent, or a dynamic reference
    resolved only by the service)."""
    value = props.get(key)
    return value if isinstance(value, str) and "{{resolve:" not in value else None


def _network(cidr: Any) -> ipaddress.IPv4Network | None:
    if not isinstance(cidr, str):
        return None
    try:
        return ipaddress.IPv4Network(cidr, strict=False)
    except ValueError:
        return None


def _vpc(run: Run, res: ResourceRow, props: dict) -> None:
    cidr = props.get("CidrBlock")
    if cidr is None:
        return
    net = _network(cidr)
    if net is None:
        _fail("Ec2", "InvalidRequest", messages.CIDR_MALFORMED.format(cidr=cidr))
    elif not CIDR_PREFIX[0] <= net.prefixlen <= CIDR_PREFIX[1]:
        _fail("Ec2", "InvalidRequest", messages.VPC_RANGE.format(cidr=cidr))


def _vpc_cidrs(run: Run, vpc_id: Any) -> list[ipaddress.IPv4Network]:
    """The IPv4 blocks of the VPC `vpc_id` when it is a resource of this stack (its CidrBlock and
    any AWS::EC2::VPCCidrBlock added to it); [] when the VPC is not known here."""
    blocks = []
    for row in run.resources.values():
        if (row.physical_id == vpc_id and row.type == "AWS::EC2::VPC") or (row.type == "AWS::EC2::VPCCidrBlock" and row.properties.get("VpcId") == vpc_id and row.physical_id):
            blocks.append(_network(row.properties.get("CidrBlock")))
    return [b for b in blocks if b is not None]


def _subnet(run: Run, res: ResourceRow, props: dict) -> None:
    cidr = props.get("CidrBlock")
    if cidr is None:
        return
    net = _network(cidr)
    if net is None:
        _fail("Ec2", "InvalidRequest", messages.CIDR_MALFORMED.format(cidr=cidr))
        return
    if not CIDR_PREFIX[0] <= net.prefixlen <= CIDR_PREFIX[1]:
        _fail("Ec2", "InvalidRequest", messages.SUBNET_RANGE.format(cidr=cidr))
    vpc_id = props.get("VpcId")
    blocks = _vpc_cidrs(run, vpc_id)
    if blocks and not any(net.subnet_of(b) for b in blocks):
        _fail("Ec2", "InvalidRequest", messages.SUBNET_RANGE.format(cidr=cidr))
    for other in run.resources.values():
        if (other.logical_id != res.logical_id and other.type == "AWS::EC2::Subnet" and other.physical_id
                and other.properties.get("VpcId") == vpc_id and other.status != "DELETE_COMPLETE"):
            theirs = _network(other.properties.get("CidrBlock"))
            if theirs is not None and net.overlaps(theirs):
                _fail("Ec2", "AlreadyExists", messages.SUBNET_CONFLICT.format(cidr=cidr))


def _bucket(run: Run, res: ResourceRow, props: dict) -> None:
    name = _text(props, "BucketName")
    if name is None:
        return
    if any(c.isupper() for c in name):
        _fail("S3", "InvalidRequest", messages.BUCKET_NAME)
    if (not _BUCKET.fullmatch(name) or ".." in name or ".-" in name or "-." in name
            or re.fullmatch(r"\d+\.\d+\.\d+\.\d+", name) or name.startswith("xn--")):
        _fail("S3", "InvalidRequest", messages.BUCKET_NAME_INVALID)


def _queue(run: Run, res: ResourceRow, props: dict) -> None:
    name = _text(props, "QueueName")
    if name is None:
        return
    fifo = str(props.get("FifoQueue", "")).lower() == "true"
    base = name[:-5] if fifo and name.endswith(".fifo") else name
    if not _QUEUE.fullmatch(base) or len(name) > 80:
        _fail("Sqs", "InvalidRequest", messages.QUEUE_NAME)


def _topic(run: Run, res: ResourceRow, props: dict) -> None:
    name = _text(props, "TopicName")
    if name is None:
        return
    fifo = str(props.get("FifoTopic", "")).lower() == "true"
    base = name[:-5] if fifo and name.endswith(".fifo") else name
    if not _TOPIC.fullmatch(base) or len(name) > 256:
        _fail("Sns", "InvalidRequest", messages.TOPIC_NAME)


_DB_IDENTIFIER = re.compile(r"[A-Za-z](?!.*--)[A-Za-z0-9-]{0,62}(?<!-)")


def _db_instance(run: Run, res: ResourceRow, props: dict) -> None:
    name = _text(props, "DBInstanceIdentifier")
    if name is not None and not _DB_IDENTIFIER.fullmatch(name):
        _fail("Rds", "InvalidRequest", messages.DB_IDENTIFIER)


def _named(run: Run, res: ResourceRow, props: dict) -> None:
    prop, low, high, pattern, template, field = NAMES[res.type]
    name = _text(props, prop)
    if name is None:
        return
    service = "Iam" if res.type.startswith("AWS::IAM::") else "DynamoDb"
    if res.type == "AWS::DynamoDB::Table" and not low <= len(name) <= high:
        _fail(service, "InvalidRequest", messages.TABLE_NAME_LENGTH)
    if len(name) > high:
        _fail(service, "InvalidRequest", messages.IAM_NAME.format(name=name, field=field, limit=high))
    if pattern and not re.fullmatch(pattern, name):
        _fail(service, "InvalidRequest", template.format(name=name, field=field, pattern=pattern))


def _policies(run: Run, res: ResourceRow, props: dict) -> None:
    """IAM policy grammar (MalformedPolicyDocument), with the policy model of sparkleform.iam."""
    from sparkleform.iam.errors import PolicyError
    from sparkleform.iam.policy import IDENTITY, TRUST, compile_policy

    documents: list[tuple[Any, str]] = []
    if "PolicyDocument" in props:
        documents.append((props["PolicyDocument"], IDENTITY))
    if "AssumeRolePolicyDocument" in props:
        documents.append((props["AssumeRolePolicyDocument"], TRUST))
    for item in props.get("Policies") or ():
        if isinstance(item, dict) and "PolicyDocument" in item:
            documents.append((item["PolicyDocument"], IDENTITY))
    for document, kind in documents:
        if isinstance(document, str) and document.startswith("{{resolve:"):
            continue
        try:
            compile_policy(document, kind, name=res.logical_id)
        except PolicyError as exc:
            _fail("Iam", "InvalidRequest", messages.MALFORMED_POLICY.format(message=exc.message))


def _sg_rules(run: Run, res: ResourceRow, props: dict) -> None:
    for key, ends in (("SecurityGroupIngress", _SOURCES), ("SecurityGroupEgress", _DESTINATIONS)):
        for rule in props.get(key) or ():
            if isinstance(rule, dict):
                _sg_rule(rule, ends, ingress=key == "SecurityGroupIngress")


def _sg_rule_resource(run: Run, res: ResourceRow, props: dict) -> None:
    ingress = res.type == "AWS::EC2::SecurityGroupIngress"
    _sg_rule(props, _SOURCES if ingress else _DESTINATIONS, ingress=ingress)


def _sg_rule(rule: dict, ends: tuple[str, ...], *, ingress: bool) -> None:
    protocol = str(rule.get("IpProtocol", "")).lower()
    if protocol not in _PROTOCOLS and not (protocol.isdigit() and 0 <= int(protocol) <= 255):
        _fail("Ec2", "InvalidRequest", messages.SG_PROTOCOL.format(value=rule.get("IpProtocol")))
    if protocol in _PORTED and (rule.get("FromPort") is None or rule.get("ToPort") is None):
        _fail("Ec2", "InvalidRequest", messages.SG_PORTS)
    if ingress and not any(rule.get(k) not in (None, "") for k in ends):
        _fail("Ec2", "InvalidRequest", messages.SG_NO_SOURCE)


def _service(rtype: str) -> tuple[str, str]:
    """The namespace of a resource type (AWS::EC2::Subnet -> EC2) and the service name its
    handler's errors carry ("(Service: Ec2, ...)")."""
    namespace = rtype.split("::")[1] if rtype.count("::") >= 2 else rtype
    return namespace, SERVICE_NAMES.get(namespace) or (namespace.capitalize() if namespace.isupper() else namespace)


def _tags(run: Run, res: ResourceRow, props: dict) -> None:
    tags = props.get("Tags")
    if isinstance(tags, dict):  # the map form some types use
        pairs = list(tags.items())
    elif isinstance(tags, list):
        pairs = [(t.get("Key"), t.get("Value")) for t in tags if isinstance(t, dict)]
    else:
        return
    namespace, service = _service(res.type)
    texts = {**messages.TAGS_DEFAULT, **messages.TAGS.get(namespace, {})}
    if len(pairs) > TAG_LIMITS["count"]:
        _fail(service, "InvalidRequest", texts["count"].format(count=len(pairs)))
    for i, (key, value) in enumerate(pairs, 1):
        key = "" if key is None else str(key)
        value = "" if value is None else str(value)
        if "{{resolve:" in key or "{{resolve:" in value:
            continue
        if len(key) > TAG_LIMITS["key"]:
            _fail(service, "InvalidRequest", texts["key"].format(key=key, index=i))
        if len(value) > TAG_LIMITS["value"]:
            _fail(service, "InvalidRequest", texts["value"].format(value=value, index=i))
        if key.lower().startswith("aws:"):
            _fail(service, "InvalidRequest", texts["aws"])


RULES: dict[str, tuple[Rule, ...]] = {
    "AWS::EC2::VPC": (_vpc,),
    "AWS::EC2::Subnet": (_subnet,),
    "AWS::S3::Bucket": (_bucket,),
    "AWS::SQS::Queue": (_queue,),
    "AWS::SNS::Topic": (_topic,),
    "AWS::IAM::Role": (_named, _policies),
    "AWS::IAM::User": (_named, _policies),
    "AWS::IAM::Group": (_named, _policies),
    "AWS::IAM::ManagedPolicy": (_named, _policies),
    "AWS::IAM::InstanceProfile": (_named,),
    "AWS::IAM::Policy": (_named, _policies),
    "AWS::DynamoDB::Table": (_named,),
    "AWS::RDS::DBInstance": (_db_instance,),
    "AWS::EC2::SecurityGroup": (_sg_rules,),
    "AWS::EC2::SecurityGroupIngress": (_sg_rule_resource,),
    "AWS::EC2::SecurityGroupEgress": (_sg_rule_resource,),
}


def check(run: Run, res: ResourceRow) -> None:
    """The service rules of `res` (its resolved properties); raises ResourceFailure."""
    props = res.properties
    for rule in RULES.get(res.type, ()):
        rule(run, res, props)
    if "Tags" in props:
        _tags(run, res, props)


def check_unique(cx: Any, run: Run, res: ResourceRow) -> None:
    """A named resource whose physical id another live resource of its type has: AlreadyExists."""
    prop = UNIQUE_NAMES.get(res.type)
    if prop is None or not isinstance(res.properties.get(prop), str) or not res.physical_id:
        return
    taken = run.names_taken
    if taken is None:  # the run's resources as they stand, then each one checked here
        taken = run.names_taken = {
            (other.type, other.physical_id): other.logical_id
            for other in run.resources.values()
            if other.physical_id and other.type in UNIQUE_NAMES and other.logical_id != res.logical_id
        }
    key = (res.type, res.physical_id)
    holder = taken.get(key)
    owner = run.stack_id if holder is not None and holder != res.logical_id else None
    owner = owner or cx.store.physical_id_owner(res.type, res.physical_id, run.stack_id, UNIQUE_NAMES)
    if owner is None:
        taken[key] = res.logical_id
    else:
        raise ResourceFailure(messages.ALREADY_EXISTS.format(name=res.properties[prop], stack_id=owner))


def check_template_limits(template: dict, size: int) -> None:
    """CloudFormation's template quotas, refused before anything is created (ValidationError)."""
    if size > TEMPLATE_MAX_BYTES:
        raise ValidationError(messages.TEMPLATE_TOO_LARGE)
    for section, limit in SECTION_LIMITS.items():
        body = template.get(section)
        if isinstance(body, dict):
            if len(body) > limit:
                raise ValidationError(messages.TOO_MANY[section].format(count=len(body), limit=limit))
            high = NAME_LIMITS[section]
            for name in body:
                if isinstance(name, str) and len(name) > high:
                    raise ValidationError(messages.NAME_TOO_LONG.format(what=section[:-1], name=name, limit=high))

