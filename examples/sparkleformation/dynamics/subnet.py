"""A subnet and its route table association."""

from sparkleform import dynamic, get_azs, ref, select


@dynamic
def subnet(t, name, *, vpc_id, cidr_block, az_index=0, route_table=None):
    """Subnet NAME with CIDR_BLOCK in the AZ_INDEX-th availability zone, associated with ROUTE_TABLE."""
    with t.resources[f"{name}_subnet"] as s:
        s.type = "AWS::EC2::Subnet"
        s.properties.vpc_id = vpc_id
        s.properties.cidr_block = cidr_block
        s.properties.availability_zone = select(az_index, get_azs(""))
    if route_table is not None:
        with t.resources[f"{name}_route_table_association"] as a:
            a.type = "AWS::EC2::SubnetRouteTableAssociation"
            a.properties.subnet_id = ref(s)
            a.properties.route_table_id = route_table
    return s
