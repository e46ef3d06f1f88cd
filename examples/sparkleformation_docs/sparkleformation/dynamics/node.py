"""Building Blocks > Dynamics: `node`, an EC2 instance with its own SSH key parameter unless
one is given."""

from sparkleform import dynamic, ref


@dynamic
def node(t, name, *, ssh_key=None):
    if not ssh_key:
        t.parameters[f"{name}_ssh_key"].type = "String"
    instance = t.dynamic("ec2_instance", name)
    instance.properties.key_name = ssh_key if ssh_key else ref(f"{name}_ssh_key")
    return instance
