"""Dynamics for VPC networking: subnets with their route table association, security groups."""

from typing import Any

from sparkleform import dynamic, get_att, ref, sub

SOURCE_KEYS = {"CidrIp", "CidrIpv6", "SourceSecurityGroupId", "SourcePrefixListId"}


@dynamic
def routed_subnet(t, name, *, vpc, cidr_block, availability_zone, route_table=None, public=False, tags=None):
    """A subnet `{name}_subnet` in `vpc`, associated with `route_table` when one is given.

    `vpc` and `route_table` are nodes, names or intrinsics; `cidr_block` and `availability_zone` may be
    intrinsics (`select(0, get_azs())`). `public=True` gives instances public IPs.
    Returns the subnet node.
    """
    net = t.resource(
        f"{name}_subnet",
        "AWS::EC2::Subnet",
        vpc_id=_ref(vpc),
        cidr_block=cidr_block,
        availability_zone=availability_zone,
        map_public_ip_on_launch=public,
    )
    net.properties.tags = [{"Key": "Name", "Value": _name_tag(name)}, *(tags or [])]
    if route_table is not None:
        t.resource(
            f"{name}_subnet_route_table_association",
            "AWS::EC2::SubnetRouteTableAssociation",
            subnet_id=ref(net),
            route_table_id=_ref(route_table),
        )
    return net


@dynamic
def ingress_group(t, name, *, description, vpc, ingress=(), tags=None):
    """A security group `{name}_security_group` in `vpc` with `ingress` rules.

    `vpc` is a node, a name or an intrinsic.

    Each rule is `(ports, source)` or `(ports, source, protocol)`: `ports` is a port, a
    `(from, to)` range or -1 for all; `source` is a CIDR string, another security group
    (node, name or intrinsic giving its id), a dict naming the kind of source
    (`{"CidrIp": ref("vpc_cidr")}`), or "self" for members of this group (written as a
    separate AWS::EC2::SecurityGroupIngress, since a group cannot name itself). Protocol
    defaults to "tcp". All egress is allowed, as in the EC2 default. Returns the group node.
    """
    group = t.resource(
        f"{name}_security_group", "AWS::EC2::SecurityGroup", group_description=description, vpc_id=_ref(vpc)
    )
    rules = []
    for number, rule in enumerate(ingress, start=1):
        ports, source, protocol = (*rule, "tcp") if len(rule) == 2 else rule
        if ports == -1:
            entry: dict[str, Any] = {"IpProtocol": "-1"}  # every protocol and port
        else:
            low, high = ports if isinstance(ports, tuple) else (ports, ports)
            entry = {"IpProtocol": protocol, "FromPort": low, "ToPort": high}
        if source == "self":
            t.resource(
                f"{name}_security_group_ingress{number}",
                "AWS::EC2::SecurityGroupIngress",
                group_id=get_att(group, "GroupId"),
                source_security_group_id=get_att(group, "GroupId"),
                **entry,  # CloudFormation spellings are taken as written
            )
            continue
        if isinstance(source, str) and "/" in source:
            entry["CidrIp"] = source
        elif isinstance(source, dict) and set(source) & SOURCE_KEYS:
            entry.update(source)
        elif isinstance(source, dict):
            entry["SourceSecurityGroupId"] = source
        else:
            entry["SourceSecurityGroupId"] = get_att(source, "GroupId")
        rules.append(entry)
    if rules:
        group.properties.security_group_ingress = rules
    group.properties.tags = [{"Key": "Name", "Value": _name_tag(name)}, *(tags or [])]
    return group



def _ref(target):
    """Ref of a node or a name; an intrinsic (`ref("vpc_id")`, `import_value(...)`) as given."""
    return target if isinstance(target, dict) else ref(target)


def _name_tag(name):
    """The Name tag: the stack's name and the part's, `seed-vpc-public1`."""
    return sub("${AWS::StackName}-" + name.replace("_", "-"))
