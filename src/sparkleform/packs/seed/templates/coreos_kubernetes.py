"""CoreOS + Kubernetes (CoreOS article): a master and a group of minions, configured entirely
by cloud-config user data: etcd, fleet, the flannel overlay network, the Kubernetes services.
"""

from sparkleform import base64, get_att, ref, sub, template

KUBERNETES_RELEASE = "https://storage.googleapis.com/kubernetes-release/release/${KubernetesVersion}/bin/linux/amd64"
FLANNEL_URL = "https://github.com/coreos/flannel/releases/download/v0.2.0/flannel-0.2.0-linux-amd64.tar.gz"
KUBE_REGISTER_URL = "https://github.com/kelseyhightower/kube-register/releases/download/v0.0.2/kube-register-0.0.2-linux-amd64"
POD_NETWORK = "10.244.0.0/16"


def cloud_config(role: str, units: list[tuple[str, str, str | None]]) -> str:
    """A CoreOS cloud-config (text for Fn::Sub): etcd and fleet, then `units` as
    (name, command, unit file or None). `$private_ipv4` is CoreOS's own substitution;
    `${DiscoveryUrl}` and `${KubernetesVersion}` are CloudFormation's."""
    lines = [
        "#cloud-config",
        "coreos:",
        "  etcd:",
        "    discovery: ${DiscoveryUrl}",
        "    addr: $private_ipv4:4001",
        "    peer-addr: $private_ipv4:7001",
        "  fleet:",
        f"    metadata: role={role}",
        "  update:",
        "    reboot-strategy: off",
        "  units:",
    ]
    for name, command, content in units:
        lines += [f"    - name: {name}", f"      command: {command}"]
        if content is not None:
            lines.append("      content: |")
            lines += [f"        {line}" if line else "" for line in content.strip("\n").splitlines()]
    return "\n".join(lines) + "\n"


def service(description: str, exec_start: str, *, after: str = "download-kubernetes.service", extra: str = "") -> str:
    return f"""
[Unit]
Description={description}
Requires={after}
After={after}

[Service]
{extra}ExecStart={exec_start}
Restart=always
RestartSec=10
"""


BASE_UNITS = [
    ("etcd.service", "start", None),
    ("fleet.service", "start", None),
    ("flannel.service", "start", f"""
[Unit]
Description=flannel: a routable network for the containers of every node
Requires=etcd.service
After=etcd.service

[Service]
ExecStartPre=/usr/bin/mkdir -p /opt/bin
ExecStartPre=/bin/sh -c "test -x /opt/bin/flanneld || curl -fsSL {FLANNEL_URL} | tar -xz --strip-components=1 -C /opt/bin"
ExecStartPre=-/usr/bin/etcdctl mk /coreos.com/network/config '{{"Network": "{POD_NETWORK}"}}'
ExecStart=/opt/bin/flanneld
Restart=always
"""),
    ("docker.service", "restart", """
[Unit]
Description=Docker on the flannel network
Requires=flannel.service
After=flannel.service

[Service]
EnvironmentFile=/run/flannel/subnet.env
ExecStartPre=-/usr/sbin/ip link del docker0
ExecStart=/usr/bin/docker -d -s=btrfs -H fd:// --bip=$FLANNEL_SUBNET --mtu=$FLANNEL_MTU
"""),
]


def download_kubernetes(*binaries: str) -> tuple[str, str, str]:
    fetch = "\n".join(
        f"ExecStart=/usr/bin/curl -fsSL -o /opt/bin/{b} {KUBERNETES_RELEASE}/{b}" for b in binaries
    )
    return ("download-kubernetes.service", "start", f"""
[Unit]
Description=Download the Kubernetes binaries
Requires=network-online.target
After=network-online.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStartPre=/usr/bin/mkdir -p /opt/bin
{fetch}
ExecStart=/usr/bin/chmod +x {" ".join(f"/opt/bin/{b}" for b in binaries)}
""")


ETCD = "--etcd_servers=http://127.0.0.1:4001"

MASTER_UNITS = [
    *BASE_UNITS,
    download_kubernetes("kube-apiserver", "kube-controller-manager", "kube-scheduler", "kube-register"),
    ("kube-apiserver.service", "start", service(
        "Kubernetes API server",
        f"/opt/bin/kube-apiserver --address=0.0.0.0 --port=8080 {ETCD} --portal_net=10.100.0.0/16 --logtostderr=true",
    )),
    ("kube-controller-manager.service", "start", service(
        "Kubernetes controller manager",
        "/opt/bin/kube-controller-manager --master=127.0.0.1:8080 --logtostderr=true",
        after="kube-apiserver.service",
    )),
    ("kube-scheduler.service", "start", service(
        "Kubernetes scheduler",
        "/opt/bin/kube-scheduler --master=127.0.0.1:8080",
        after="kube-apiserver.service",
    )),
    ("kube-register.service", "start", service(
        "kube-register: minions found by fleet become Kubernetes minions",
        "/opt/bin/kube-register --metadata=role=minion --fleet-endpoint=unix:///var/run/fleet.sock "
        "--api-endpoint=http://127.0.0.1:8080",
        after="kube-apiserver.service",
        extra="ExecStartPre=/usr/bin/curl -fsSL -o /opt/bin/kube-register " + KUBE_REGISTER_URL + "\n"
        "ExecStartPre=/usr/bin/chmod +x /opt/bin/kube-register\n",
    )),
]

MINION_UNITS = [
    *BASE_UNITS,
    download_kubernetes("kubelet", "kube-proxy"),
    ("kubelet.service", "start", service(
        "Kubernetes kubelet",
        f"/opt/bin/kubelet --address=0.0.0.0 --port=10250 --hostname_override=$private_ipv4 {ETCD} "
        "--logtostderr=true",
    )),
    ("kube-proxy.service", "start", service(
        "Kubernetes proxy", f"/opt/bin/kube-proxy {ETCD} --logtostderr=true",
    )),
]


@template(description="CoreOS cluster running Kubernetes: a master and an auto scaling group of minions")
def coreos_kubernetes(t):
    """A CoreOS cluster running Kubernetes: a master and an auto scaling group of minions.

    Every node runs etcd, fleet and flannel from its cloud-config; the master runs the
    Kubernetes API server, controller manager, scheduler and kube-register, the minions
    the kubelet and proxy.

    Three security groups (common to all nodes, master, minion), a master auto scaling
    group of one (replaced within minutes if it dies) and a minion group of MinionCount.
    The cloud-config is built in Python and passed through Fn::Base64/Fn::Sub; the same
    template ships as files/coreos_kubernetes.yaml. ImageId is a CoreOS (today: Flatcar)
    image; DiscoveryUrl must be a fresh https://discovery.etcd.io/new for every cluster.
    """
    t.load("compute_parameters")  # first: the dynamics below read its parameters and KeyName
    t.parameter("instance_type", default="m5.large", allowed_values=["t3.medium", "t3.large", "m5.large", "m5.xlarge"],
                description="EC2 instance type of the nodes")
    t.parameter("vpc_id", type="AWS::EC2::VPC::Id", description="VPC of the cluster")
    t.parameter("public_subnet_ids", type="List<AWS::EC2::Subnet::Id>",
                description="subnets of the nodes (they download their binaries from the Internet)")
    t.parameter("discovery_url", allowed_pattern=r"^https://discovery\.etcd\.io/[0-9a-f]+$",
                constraint_description="a new token URL from https://discovery.etcd.io/new",
                description="etcd discovery URL, a new one for every cluster")
    t.parameter("admin_cidr", allowed_pattern=r"^(\d{1,3}\.){3}\d{1,3}/\d{1,2}$",
                description="address range allowed to SSH to the nodes")
    t.parameter("minion_count", type="Number", default=3, min_value=1, max_value=64, description="number of minions")
    t.parameter("kubernetes_version", default="v0.5.4", allowed_pattern=r"^v\d+\.\d+\.\d+$",
                description="Kubernetes release to download")

    vpc = ref("vpc_id")
    common = t.dynamic(
        "ingress_group", "kubernetes_common", vpc=vpc,
        description="every Kubernetes node: SSH from the admins; etcd, fleet and flannel between nodes",
        ingress=[
            (22, {"CidrIp": ref("admin_cidr")}),
            (4001, "self"),  # etcd clients
            (7001, "self"),  # etcd peers
            (8285, "self", "udp"),  # flannel's UDP overlay: all container traffic
        ],
    )
    master_group = t.dynamic(
        "ingress_group", "kubernetes_master", vpc=vpc,
        description="Kubernetes master: the API server for the nodes and the admins",
        ingress=[(8080, common), (8080, {"CidrIp": ref("admin_cidr")})],
    )
    minion_group = t.dynamic(
        "ingress_group", "kubernetes_minion", vpc=vpc,
        description="Kubernetes minions: the kubelet for the master",
        ingress=[(10250, master_group)],
    )

    groups = {}
    for role, group, units, size in (
        ("master", master_group, MASTER_UNITS, 1),
        ("minion", minion_group, MINION_UNITS, ref("minion_count")),
    ):
        nodes = t.dynamic(
            "chef_launch_template", f"kubernetes_{role}",
            security_group_ids=[get_att(common, "GroupId"), get_att(group, "GroupId")],
            user_data=base64(sub(cloud_config(role, units))),
        )
        groups[role] = t.dynamic(
            "scaling_group", f"kubernetes_{role}", launch_template=nodes,
            subnets=ref("public_subnet_ids"), min_size=size, max_size=size, desired_capacity=size,
        )

    t.output("MasterAutoScalingGroup", ref(groups["master"]),
             description="group of the master (ssh to its instance, then use kubecfg or fleetctl)")
    t.output("MinionAutoScalingGroup", ref(groups["minion"]), description="group of the minions")
