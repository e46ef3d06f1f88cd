"""Components for stacks that run EC2 compute: the machine image, size and SSH key."""

from sparkleform import component, equals, not_, ref


@component
def compute_parameters(t):
    """Parameters ImageId, InstanceType and an optional KeyName (condition HasKeyName).

    Resources take the key with `if_("has_key_name", ref("key_name"), AWS.no_value)`,
    so an empty KeyName leaves the property out instead of failing.
    """
    t.parameter("image_id", type="AWS::EC2::Image::Id", description="AMI the instances boot from")
    t.parameter(
        "instance_type",
        default="t3.micro",
        allowed_values=["t3.micro", "t3.small", "t3.medium", "t3.large", "m6i.large", "m6i.xlarge"],
        description="EC2 instance type",
    )
    t.parameter("key_name", default="", description="EC2 key pair for SSH (empty: no SSH key)")
    t.condition("has_key_name", not_(equals(ref("key_name"), "")))

