"""Template version and the parameters every compute stack needs."""

from sparkleform import component


@component
def base(t):
    """AWSTemplateFormatVersion and the parameters shared by EC2 templates."""
    t.aws_template_format_version = "2010-09-09"
    t.parameter("key_name", description="Name of an existing EC2 KeyPair to enable SSH access to the instance")
    t.parameter("vpc_id", description="VpcId of your existing Virtual Private Cloud (VPC)")
    t.parameter(
        "subnet_id",
        description="SubnetId of an existing subnet (for the primary network) in your Virtual Private Cloud (VPC)",
    )
    t.parameter("ami_id", description="AMI to use")
    t.parameter("security_group_id", description="SecurityGroup to use")
