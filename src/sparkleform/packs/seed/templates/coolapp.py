"""The coolapp layer cake (SparkleFormation article): an ELB stack, then an ASG stack on top.

The ASG stack's parameters are named as the ELB stack's outputs (and the VPC stack's), so
`sparkleform create seed-asg seed_coolapp_asg --apply-stack seed-vpc --apply-stack seed-elb`
fills them; no copying of ids between stacks.
"""

from sparkleform import get_att, ref, sub, template


@template(description="coolapp layer 1: a public load balancer and its security group")
def seed_coolapp_elb(t):
    """coolapp layer 1: a classic ELB on port 80 in the public subnets, and its security group.

    The load balancer forwards HTTP to AppPort on the instances.

    Parameters VpcId and PublicSubnetIds are outputs of seed_vpc. Outputs ElbName,
    ElbSecurityGroup, ElbDns and AppPort are the parameters of seed_coolapp_asg.
    """
    t.parameter("vpc_id", type="AWS::EC2::VPC::Id", description="VPC of the load balancer")
    t.parameter("public_subnet_ids", type="List<AWS::EC2::Subnet::Id>", description="subnets it listens in")
    t.parameter("app_port", type="Number", default=8080, min_value=1, max_value=65535,
                description="port the application instances listen on")

    group = t.dynamic(
        "ingress_group", "elb", description="coolapp load balancer: HTTP from anywhere",
        vpc=ref("vpc_id"), ingress=[(80, "0.0.0.0/0")],
    )
    elb = t.resource(
        "elb",
        "AWS::ElasticLoadBalancing::LoadBalancer",
        subnets=ref("public_subnet_ids"),
        security_groups=[get_att(group, "GroupId")],
        cross_zone=True,
        listeners=[{"LoadBalancerPort": "80", "InstancePort": ref("app_port"), "Protocol": "HTTP"}],
        health_check={
            "Target": sub("HTTP:${AppPort}/"),
            "HealthyThreshold": "3",
            "UnhealthyThreshold": "5",
            "Interval": "30",
            "Timeout": "5",
        },
    )

    t.output("ElbName", ref(elb), description="name of the load balancer")
    t.output("ElbSecurityGroup", get_att(group, "GroupId"), description="security group of the load balancer")
    t.output("ElbDns", get_att(elb, "dns_name"), description="public DNS name of the load balancer")
    t.output("AppPort", ref("app_port"), description="port the instances must listen on")


@template(description="coolapp layer 2: application servers behind the coolapp ELB")
def seed_coolapp_asg(t):
    """coolapp layer 2: Chef-converged app servers in an auto scaling group behind the ELB.

    The servers run in the private subnets, register with the ELB of seed_coolapp_elb and
    are reachable from it only.

    Parameters ElbName, ElbSecurityGroup and AppPort are outputs of seed_coolapp_elb;
    VpcId and PrivateSubnetIds outputs of seed_vpc: deploy with --apply-stack for both.
    """
    t.load("compute_parameters")  # first: the dynamics below read its parameters and KeyName
    t.parameter("elb_name", description="load balancer to register with (ElbName output)")
    t.parameter("elb_security_group", type="AWS::EC2::SecurityGroup::Id",
                description="security group of the load balancer (ElbSecurityGroup output)")
    t.parameter("app_port", type="Number", default=8080, min_value=1, max_value=65535,
                description="port the application listens on (AppPort output)")
    t.parameter("vpc_id", type="AWS::EC2::VPC::Id", description="VPC of the instances")
    t.parameter("private_subnet_ids", type="List<AWS::EC2::Subnet::Id>", description="subnets of the instances")
    t.parameter("run_list", type="CommaDelimitedList", default="recipe[coolapp]",
                description="Chef run list of the app servers")
    t.parameter("min_size", type="Number", default=2, min_value=1)
    t.parameter("max_size", type="Number", default=4, min_value=1)

    group = t.dynamic(
        "ingress_group", "app", description="coolapp servers: the app port from the load balancer only",
        vpc=ref("vpc_id"), ingress=[(ref("app_port"), ref("elb_security_group"))],
    )
    servers = t.dynamic(
        "chef_launch_template", "app", security_group_ids=[get_att(group, "GroupId")], run_list=ref("run_list"),
    )
    asg = t.dynamic(
        "scaling_group", "app", launch_template=servers, subnets=ref("private_subnet_ids"),
        min_size=ref("min_size"), max_size=ref("max_size"), load_balancer_names=[ref("elb_name")],
    )
    asg.properties.health_check_type = "ELB"
    asg.properties.health_check_grace_period = 300

    t.output("AsgName", ref(asg), description="the app servers' auto scaling group")
