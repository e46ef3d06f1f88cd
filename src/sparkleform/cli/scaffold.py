"""The starter collection `sparkleform new` writes: a small, working example of every part.

It validates with no error and no warning (a test holds it to that): every parameter is
used, and nothing is opened to the world but the web port.
"""

from __future__ import annotations

from pathlib import Path

from sparkleform.errors import SparkleformError

FILES: dict[str, str] = {
    "sparkleform.toml": '''# sparkleform project settings (see the README for every key)
collection = "sparkleformation"
provider = "local"
''',
    ".gitignore": """# sparkleform's local state (the embedded engine's stacks) stays on this machine
.sparkleform/
__pycache__/
""",
    "sparkleformation/components/base.py": '''"""Parameters every compute template needs."""

from sparkleform import component, equals, not_, ref


@component
def base(t):
    """The key pair (optional: none when left empty) and instance type every compute stack takes."""
    t.parameter("key_name", type="String", default="", description="EC2 key pair name (empty: none)")
    t.condition("has_key_name", not_(equals(ref("key_name"), "")))
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
def security_group(t, name, *, ports=(443,), cidr="10.0.0.0/8", vpc_id=None):
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

from sparkleform import AWS, get_att, if_, ref, template


@template(description="A web server and its security group", load=["base"])
def web_server(t, *, ports: tuple[int, ...] = (80, 443)):
    # The web ports are open to everyone; SSH is not (use SSM Session Manager, or add a
    # security group for your own address range).
    sg = t.dynamic("security_group", "web", ports=ports, cidr="0.0.0.0/0")
    with t.resources.web_server as r:
        r.type = "AWS::EC2::Instance"
        with r.properties as p:
            p.image_id = "ami-12345678"
            p.instance_type = ref("instance_type")
            p.key_name = if_("has_key_name", ref("key_name"), AWS.no_value)
            p.security_group_ids = [get_att(sg, "group_id")]
        t.registry("standard_tags", r, role="web")
    t.output("instance_id", ref("web_server"), description="The web server")
    t.output("public_ip", get_att("web_server", "public_ip"))
''',
}


def write_starter(directory: Path, *, force: bool = False) -> list[Path]:
    existing = [directory / rel for rel in FILES if (directory / rel).exists()]
    if existing and not force:
        names = ", ".join(str(p) for p in existing)
        raise SparkleformError(f"{names} already exist(s); use --force to overwrite")
    written = []
    for rel, text in FILES.items():
        path = directory / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
