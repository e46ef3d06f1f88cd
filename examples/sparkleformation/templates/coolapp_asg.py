"""The app layer of coolapp, deployed on top of the ELB layer with --apply-stack."""

from sparkleform import ref, template


@template(description="coolapp app servers behind the coolapp ELB")
def coolapp_asg(t, *, run_list: tuple[str, ...] = ("role[coolapp]",), size: int = 2):
    # Named like the coolapp-elb stack's outputs, so --apply-stack coolapp-elb fills them.
    t.parameter("elb_name", description="The load balancer to register with")
    t.parameter("elb_security_group", type="AWS::EC2::SecurityGroup::Id", description="The ELB's security group")
    t.parameter("vpc_id", type="AWS::EC2::VPC::Id", description="VPC (from the vpc stack)")
    t.parameter("subnet_id", type="AWS::EC2::Subnet::Id", description="Subnet (from the vpc stack)")
    t.parameter("ami_id", type="AWS::EC2::Image::Id", default="ami-0abcdef1234567890", description="AMI to run")
    with t.resources.app_security_group as sg:
        sg.type = "AWS::EC2::SecurityGroup"
        sg.properties.group_description = "coolapp app servers: HTTP from the ELB only"
        sg.properties.vpc_id = ref("vpc_id")
        sg.properties.security_group_ingress = [
            {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "SourceSecurityGroupId": ref("elb_security_group")}
        ]
    lc = t.dynamic("launch_config", "app", run_list=run_list, security_groups=[ref("app_security_group")])
    with t.resources.app_group as asg:
        asg.type = "AWS::AutoScaling::AutoScalingGroup"
        with asg.properties as p:
            p.launch_configuration_name = ref(lc)
            p.min_size = str(size)
            p.max_size = str(size * 2)
            p.vpc_zone_identifier = [ref("subnet_id")]
            p.load_balancer_names = [ref("elb_name")]
    t.output("app_group", ref("app_group"), description="The app servers' auto scaling group")
