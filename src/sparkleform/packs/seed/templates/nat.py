"""NAT high availability (Consul article): NAT instances in an auto scaling group whose
failover agent moves the private subnets' default routes to a healthy member.
"""

from sparkleform import base64, get_att, join, ref, sub, template

# Exactly what the failover agent (sparkleform.nat.aws) calls: find its group and peers, look
# at and rewrite the private route tables, turn off source/dest check on itself, take over
# the Elastic IP. tests/nat/test_nat_iam.py checks this list against the calls it really makes.
AGENT_ACTIONS_ANY_RESOURCE = [
    "ec2:DescribeInstances",
    "ec2:DescribeRouteTables",
    "ec2:ModifyInstanceAttribute",
    "ec2:AssociateAddress",
    "autoscaling:DescribeAutoScalingGroups",
    "autoscaling:DescribeAutoScalingInstances",
]
AGENT_ROUTE_ACTIONS = ["ec2:CreateRoute", "ec2:ReplaceRoute"]
VPC_ARN = "arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:vpc/${VpcId}"

USER_DATA = """#!/bin/bash -xe
# Forward and masquerade the VPC's outbound traffic.
sysctl -w net.ipv4.ip_forward=1
echo net.ipv4.ip_forward=1 > /etc/sysctl.d/90-nat.conf
OUT_IF=$(ip route show default | awk '{print $5; exit}')
iptables -t nat -A POSTROUTING -o "$OUT_IF" -s ${VpcCidr} -j MASQUERADE
# A NAT forwards packets that are not addressed to it: turn the source/dest check off.
TOKEN=$(curl -fsX PUT http://169.254.169.254/latest/api/token -H "X-aws-ec2-metadata-token-ttl-seconds: 300")
INSTANCE_ID=$(curl -fs -H "X-aws-ec2-metadata-token: $TOKEN" http://169.254.169.254/latest/meta-data/instance-id)
aws ec2 modify-instance-attribute --region ${AWS::Region} --instance-id "$INSTANCE_ID" --no-source-dest-check
# Install the failover agent (`sparkleform nat-agent run`, docs/nat-agent.md) in its own
# virtualenv, configure it and run it as a systemd unit; SIGTERM hands the lock over at once.
python3 -m venv /opt/nat-ha
/opt/nat-ha/bin/pip install --quiet "${AgentPackage}"
mkdir -p /etc/nat-ha
cat > /etc/nat-ha/config.json <<CONFIG
{"region": "${AWS::Region}", "route_tables": "${RouteTables}",
 "elastic_ip_allocation": "${NatEip.AllocationId}", "health_check_host": "${HealthCheckHost}",
 "lock": "${LockUrl}", "ttl": ${LockTtl}}
CONFIG
cat > /etc/systemd/system/${AgentService}.service <<UNIT
[Unit]
Description=NAT high-availability agent (leader election, route takeover)
Wants=network-online.target
After=network-online.target

[Service]
ExecStart=/opt/nat-ha/bin/sparkleform nat-agent run --config /etc/nat-ha/config.json
Restart=always
RestartSec=2
KillSignal=SIGTERM
TimeoutStopSec=10

[Install]
WantedBy=multi-user.target
UNIT
systemctl daemon-reload
systemctl enable --now ${AgentService}
"""


@template(description="Highly available NAT: an auto scaling group of NAT instances with a failover agent")
def nat_ha(t):
    """NAT instances (two or more) in an auto scaling group, failing over between them.

    The instances run in the public subnets. Each forwards and masquerades the VPC's
    traffic with its source/dest check off, installs the failover agent (`sparkleform
    nat-agent`, AgentPackage) and runs it as the systemd unit AgentService. The agents elect
    one member through LockUrl (a Consul session lock as in the article, or an etcd lease),
    which points the default route of every private route table at itself and takes the
    Elastic IP. The instance role allows exactly the calls the agent makes. VpcId, VpcCidr,
    PublicSubnetIds and PrivateRouteTableIds are outputs of seed_vpc.
    """
    t.load("compute_parameters")  # first: the dynamics below read its parameters and KeyName
    t.parameter("vpc_id", type="AWS::EC2::VPC::Id", description="VPC to provide NAT for")
    t.parameter("vpc_cidr", default="10.0.0.0/16", description="CIDR block of the VPC (traffic it NATs)")
    t.parameter("public_subnet_ids", type="List<AWS::EC2::Subnet::Id>", description="subnets of the NAT instances")
    t.parameter("private_route_table_ids", type="CommaDelimitedList",
                description="route tables whose default route the agent points at the active NAT")
    t.parameter("nat_instance_count", type="Number", default=3, min_value=2, max_value=5,
                description="NAT instances (at least two, so one can take over)")
    t.parameter("agent_service", default="nat-ha-agent", description="systemd unit the failover agent runs as")
    t.parameter("agent_package", default="sparkleform[nat]",
                description="pip requirement that installs the agent (sparkleform with the nat extra)")
    t.parameter("lock_url", default="consul://127.0.0.1:8500/service/nat-ha/leader",
                description="the agents' lock: consul://HOST:PORT[/KEY] or etcd://HOST:PORT[/PREFIX]")
    t.parameter("lock_ttl", type="Number", default=10, min_value=2, max_value=60,
                description="seconds a dead leader keeps the lock (failover takes about this long)")
    t.parameter("health_check_host", default="8.8.8.8", description="host the agent pings to test Internet access")

    profile = t.dynamic("instance_role", "nat", statements=[
        {"Effect": "Allow", "Action": AGENT_ACTIONS_ANY_RESOURCE, "Resource": "*"},
        {
            "Effect": "Allow",
            "Action": AGENT_ROUTE_ACTIONS,
            "Resource": "*",
            "Condition": {"StringEquals": {"ec2:Vpc": sub(VPC_ARN)}},  # route tables of this VPC only
        },
    ])

    group = t.dynamic(
        "ingress_group", "nat", description="NAT instances: all traffic from the VPC, Consul among members",
        vpc=ref("vpc_id"),
        ingress=[
            (-1, {"CidrIp": ref("vpc_cidr")}),
            ((8300, 8302), "self"),
            ((8301, 8302), "self", "udp"),
        ],
    )
    eip = t.resource("nat_eip", "AWS::EC2::EIP", domain="vpc")

    servers = t.dynamic(
        "chef_launch_template", "nat",
        security_group_ids=[get_att(group, "GroupId")],
        instance_profile=profile,
        user_data=base64(sub(USER_DATA, {"RouteTables": join(",", ref("private_route_table_ids"))})),
    )
    asg = t.dynamic(
        "scaling_group", "nat", launch_template=servers, subnets=ref("public_subnet_ids"),
        min_size=ref("nat_instance_count"), max_size=ref("nat_instance_count"),
        desired_capacity=ref("nat_instance_count"),
    )

    t.output("NatAutoScalingGroup", ref(asg), description="the NAT instances' group")
    t.output("NatSecurityGroup", get_att(group, "GroupId"), description="security group of the NAT instances")
    t.output("NatElasticIp", ref(eip), description="public address of the active NAT")
