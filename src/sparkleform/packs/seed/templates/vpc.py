"""The seed VPC: public and private subnets across N availability zones (SparkleFormation article)."""

from sparkleform import AWS, cidr, get_azs, join, ref, select, sub, template
from sparkleform.errors import ParameterError


@template(description="VPC with a public and a private subnet in each of N availability zones")
def seed_vpc(t, *, azs: int = 3):
    """A VPC with a public and a private subnet in each of N availability zones.

    An internet gateway; per availability zone a public subnet (routed to the gateway) and
    a private subnet with its own route table (for a NAT, such as nat_ha, to route later).

    Compile-time parameter `azs` (1-6) is how many availability zones to span. Subnets are
    carved from the VpcCidr parameter with Fn::Cidr (a /20 each out of a /16). The outputs
    are named as the parameters of the stacks built on top of it (nat_ha, seed_coolapp_elb,
    sqlserver_rds ...), so `--apply-stack` wires the layers.
    """
    if not 1 <= azs <= 6:
        raise ParameterError(f"seed_vpc: azs must be between 1 and 6, not {azs}")

    t.parameter(
        "vpc_cidr",
        default="10.0.0.0/16",
        allowed_pattern=r"^(\d{1,3}\.){3}\d{1,3}/16$",
        constraint_description="a /16 CIDR block such as 10.0.0.0/16",
        description="CIDR block of the VPC",
    )

    vpc = t.resource(
        "vpc",
        "AWS::EC2::VPC",
        cidr_block=ref("vpc_cidr"),
        enable_dns_support=True,
        enable_dns_hostnames=True,
        tags=[{"Key": "Name", "Value": AWS.stack_name}],
    )
    gateway = t.resource("internet_gateway", "AWS::EC2::InternetGateway")
    attachment = t.resource(
        "gateway_attachment", "AWS::EC2::VPCGatewayAttachment", vpc_id=ref(vpc), internet_gateway_id=ref(gateway)
    )

    public_routes = t.resource("public_route_table", "AWS::EC2::RouteTable", vpc_id=ref(vpc))
    t.resource(
        "public_default_route",
        "AWS::EC2::Route",
        depends_on=[attachment],  # the route needs the gateway attached first
        route_table_id=ref(public_routes),
        destination_cidr_block="0.0.0.0/0",
        gateway_id=ref(gateway),
    )

    blocks = cidr(ref("vpc_cidr"), 2 * azs, 12)  # 2**12 addresses: /20s of the /16
    public, private, private_routes = [], [], []
    for n in range(azs):
        zone = select(n, get_azs())
        public.append(
            t.dynamic(
                "routed_subnet", f"public{n + 1}", vpc=vpc, cidr_block=select(n, blocks),
                availability_zone=zone, route_table=public_routes, public=True,
            )
        )
        routes = t.resource(f"private{n + 1}_route_table", "AWS::EC2::RouteTable", vpc_id=ref(vpc))
        private_routes.append(routes)
        private.append(
            t.dynamic(
                "routed_subnet", f"private{n + 1}", vpc=vpc, cidr_block=select(azs + n, blocks),
                availability_zone=zone, route_table=routes,
            )
        )

    def output(name, value, description):
        t.output(name, value, description=description, export=sub(f"${{AWS::StackName}}-{name}"))

    output("VpcId", ref(vpc), "VPC id")
    output("VpcCidr", ref("vpc_cidr"), "CIDR block of the VPC")
    output("PublicSubnetIds", join(",", [ref(s) for s in public]), "public subnets, one per AZ")
    output("PrivateSubnetIds", join(",", [ref(s) for s in private]), "private subnets, one per AZ")
    output("PublicRouteTableId", ref(public_routes), "route table of the public subnets")
    output("PrivateRouteTableIds", join(",", [ref(r) for r in private_routes]), "one route table per private subnet")
    for n, (pub, priv) in enumerate(zip(public, private, strict=True), start=1):
        t.output(f"PublicSubnet{n}Id", ref(pub), description=f"public subnet in AZ {n}")
        t.output(f"PrivateSubnet{n}Id", ref(priv), description=f"private subnet in AZ {n}")
