"""The starter collection `sparkleform new` writes: a small, working example of every part."""

from __future__ import annotations

from pathlib import Path

from sparkleform.errors import SparkleformError

FILES: dict[str, str] = {
    "sparkleform.toml": '''# sparkleform project settings (see the README for every key)
collection = "sparkleformation"
provider = "local"
''',
    "sparkleformation/components/base.py": '''"""Parameters every compute template needs."""

from sparkleform import component


@component
def base(t):
    """The key pair and instance type every compute stack takes."""
    t.parameter("key_name", type="String", default="", description="EC2 key pair name")
    t.parameter(
        "instance_type",
        default="t3.micro",
        allowed_values=["t3.micro", "t3.small", "t3.medium"],
        description="EC2 instance type",
    )
''',
    "sparkleformation/dynamics/security_group.py": '''"""A security group opening a list of TCP ports."""

from sparkleform import dynamic, ref


@dynamic
def security_group(t, name, *, ports=(22,), cidr="0.0.0.0/0", vpc_id=None):
    """A security group named NAME allowing TCP `ports` from `cidr`."""
    with t.resources[f"{name}_security_group"] as sg:
        sg.type = "AWS::EC2::SecurityGroup"
        sg.properties.group_description = f"{name} access"
        if vpc_id is not None:
            sg.properties.vpc_id = vpc_id
        sg.properties.security_group_ingress = [
            {"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "CidrIp": cidr} for port in ports
        ]
    return sg
''',
    "sparkleformation/registry/tags.py": '''"""Tags shared by every taggable resource."""

from sparkleform import registry, ref


@registry
def standard_tags(node, *, role):
    """Name and Role tags on NODE's properties."""
    node.properties.tags = [
        {"Key": "Name", "Value": ref("AWS::StackName")},
        {"Key": "Role", "Value": role},
    ]
''',
    "sparkleformation/templates/web_server.py": '''"""One web server with its security group."""

from sparkleform import get_att, ref, template


@template(description="A web server and its security group", load=["base"])
def web_server(t, *, ports: tuple[int, ...] = (22, 80)):
    sg = t.dynamic("security_group", "web", ports=ports)
    with t.resources.web_server as r:
        r.type = "AWS::EC2::Instance"
        with r.properties as p:
            p.image_id = "ami-12345678"
            p.instance_type = ref("instance_type")
            p.security_group_ids = [get_att(sg, "group_id")]
        t.registry("standard_tags", r, role="web")
    t.output("instance_id", ref("web_server"), description="The web server")
    t.output("public_ip", get_att("web_server", "public_ip"))
''',
}


def write_starter(directory: Path, *, force: bool = False) -> list[Path]:
    from sparkleform.safewrite import inside, write_text

    existing = [directory / rel for rel in FILES if (directory / rel).exists() or (directory / rel).is_symlink()]
    if existing and not force:
        names = ", ".join(str(p) for p in existing)
        raise SparkleformError(f"{names} already exist(s); use --force to overwrite")
    written = []
    for rel, text in FILES.items():
        written.append(write_text(inside(directory, rel), text, make_parents=True, root=directory))
    return written
