"""The ELB layer of coolapp: a load balancer and its security group."""

from sparkleform import get_att, ref, template


@template(description="coolapp load balancer")
def coolapp_elb(t):
    t.parameter("vpc_id", type="AWS::EC2::VPC::Id", description="VPC (from the vpc stack's outputs)")
    t.parameter("subnet_id", type="AWS::EC2::Subnet::Id", description="Subnet (from the vpc stack's outputs)")
    with t.resources.elb_security_group as sg:
        sg.type = "AWS::EC2::SecurityGroup"
        sg.properties.group_description = "coolapp ELB: HTTP from anywhere"
        sg.properties.vpc_id = ref("vpc_id")
        sg.properties.security_group_ingress = [
            {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "CidrIp": "0.0.0.0/0"}
        ]
    with t.resources.elb as elb:
        elb.type = "AWS::ElasticLoadBalancing::LoadBalancer"
        with elb.properties as p:
            p.subnets = [ref("subnet_id")]
            p.security_groups = [ref("elb_security_group")]
            p.listeners = [{"LoadBalancerPort": "80", "InstancePort": "80", "Protocol": "HTTP"}]
            p.health_check = {
                "Target": "HTTP:80/",
                "HealthyThreshold": "3",
                "UnhealthyThreshold": "5",
                "Interval": "30",
                "Timeout": "5",
            }
    t.output("elb_name", ref("elb"), description="The load balancer's name")
    t.output("elb_security_group", ref("elb_security_group"), description="Its security group")
    t.output("elb_dns", get_att("elb", "dns_name"), description="Its DNS name")
