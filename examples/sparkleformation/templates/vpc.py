"""The bottom layer of the cake: a VPC with one public subnet and its route table."""

import ipaddress

from sparkleform import ref, template


@template(description="A VPC with a public subnet, internet gateway and route table", load=["environment"])
def vpc(t, *, cidr: str = "10.0.0.0/16"):
    network = ipaddress.ip_network(cidr)
    subnet_cidr = str(next(network.subnets(new_prefix=24)))
    t.resource("vpc", "AWS::EC2::VPC", cidr_block=cidr, enable_dns_hostnames=True, enable_dns_support=True,
               tags=[{"Key": "Environment", "Value": ref("environment")}])
    t.resource("internet_gateway", "AWS::EC2::InternetGateway")
    t.resource("gateway_attachment", "AWS::EC2::VPCGatewayAttachment",
               vpc_id=ref("vpc"), internet_gateway_id=ref("internet_gateway"))
    t.resource("route_table", "AWS::EC2::RouteTable", vpc_id=ref("vpc"))
    t.resource("default_route", "AWS::EC2::Route", depends_on=["gateway_attachment"],
               route_table_id=ref("route_table"), destination_cidr_block="0.0.0.0/0",
               gateway_id=ref("internet_gateway"))
    t.dynamic("subnet", "public", vpc_id=ref("vpc"), cidr_block=subnet_cidr, route_table=ref("route_table"))
    t.output("vpc_id", ref("vpc"), description="The VPC")
    t.output("subnet_id", ref("public_subnet"), description="The public subnet")
    t.output("route_table_id", ref("route_table"), description="The public route table")
