"""Building Blocks > Dynamic Return Context: return the resource, not the last thing made,
so a caller's changes land in the resource."""

from sparkleform import dynamic, get_att


@dynamic
def good_dynamic(t, name):
    resource = t.dynamic("ec2_instance", name)
    t.outputs.address.value = get_att(f"{name}_ec2_instance", "public_ip")
    return resource
