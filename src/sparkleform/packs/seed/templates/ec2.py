"""A single EC2 instance in an existing subnet (the "ghost of AWS Advent past" example)."""

from sparkleform import get_att, ref, template


@template(description="One Chef-converged EC2 instance in an existing subnet and security group")
def seed_ec2_instance(t):
    """One Chef-converged EC2 instance in an existing subnet (the first article's example).

    Its parameters come from the compute_parameters component; cfn-init runs Chef with
    RunList at first boot.
    """
    t.load("compute_parameters")  # first: the dynamics below read its parameters and KeyName
    t.parameter("subnet_id", type="AWS::EC2::Subnet::Id", description="subnet to launch into")
    t.parameter("security_group_id", type="AWS::EC2::SecurityGroup::Id", description="security group of the instance")
    t.parameter("run_list", type="CommaDelimitedList", default="recipe[base]", description="Chef run list")

    server = t.dynamic(
        "chef_instance", "web", subnet_id=ref("subnet_id"),
        security_group_ids=[ref("security_group_id")], run_list=ref("run_list"),
    )

    t.output("InstanceId", ref(server), description="id of the instance")
    t.output("PrivateIp", get_att(server, "private_ip"), description="private IP address of the instance")
