"""Subnets in an existing VPC, carved from a CIDR given at compile time.

The seed article read the VPC's /16 from an environment variable; here it is an explicit,
checked compile-time parameter: `sparkleform compile vpc_subnets --set vpc_cidr=10.8.0.0/16`.
"""

import ipaddress

from sparkleform import ref, template


@template(description="Subnets (one per availability zone) in an existing VPC")
def vpc_subnets(t, *, vpc_cidr: str = "10.0.0.0/16", subnets: int = 3):
    network = ipaddress.ip_network(vpc_cidr)
    blocks = network.subnets(new_prefix=24)
    t.parameter("vpc_id", type="AWS::EC2::VPC::Id", description="The VPC to add subnets to")
    t.parameter("route_table_id", description="Route table for the new subnets")
    for index in range(subnets):
        t.dynamic(
            "subnet",
            f"subnet{index}",
            vpc_id=ref("vpc_id"),
            cidr_block=str(next(blocks)),
            az_index=index,
            route_table=ref("route_table_id"),
        )
    t.output("subnet_ids", {"Fn::Join": [",", [ref(f"subnet{i}_subnet") for i in range(subnets)]]})
