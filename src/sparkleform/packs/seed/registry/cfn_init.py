"""Registry entries that bootstrap EC2 machines with cfn-init and Chef.

The same entries write into an `AWS::EC2::Instance`, an `AWS::EC2::LaunchTemplate` or an
`AWS::AutoScaling::LaunchConfiguration`, so a single machine and an auto scaling group
converge the same way.
"""

from sparkleform import base64, join, ref, registry, sub
from sparkleform.errors import TemplateError

CHEF_INSTALLER = "https://omnitruck.chef.io/install.sh"
CFN_BIN = "/opt/aws/bin"


@registry
def cfn_init(node, *, run_list=(), chef_version="18", chef_server_url=None, attributes=None):
    """cfn-init metadata that installs Chef and runs chef-client with `run_list`.

    `run_list` may be an intrinsic giving a list (a CommaDelimitedList parameter); its
    items and the `attributes` values may be intrinsics too. With `chef_server_url` the
    node registers with that Chef server (its validation key must be in the image at
    /etc/chef/validation.pem); without it chef-client runs in local mode on the cookbooks
    baked into the image (/var/chef/cookbooks).
    """
    client_rb = ['chef_license "accept-silent"\n', 'log_location STDOUT\n']
    if chef_server_url is None:
        client_rb += ["local_mode true\n", 'cookbook_path ["/var/chef/cookbooks"]\n']
    else:
        client_rb += ['chef_server_url "', chef_server_url, '"\n']
    first_boot = dict(attributes or {})
    first_boot["run_list"] = run_list if isinstance(run_list, dict) else list(run_list)

    config = node.metadata["AWS::CloudFormation::Init"].config
    literal = all(isinstance(part, str) for part in client_rb)
    content = "".join(client_rb) if literal else join("", client_rb)
    config.files["/etc/chef/client.rb"] = {"content": content, "mode": "000644"}
    config.files["/etc/chef/first-boot.json"] = {"content": first_boot, "mode": "000644"}
    config.commands["01_install_chef"] = {
        "command": f"curl -fsSL {CHEF_INSTALLER} | bash -s -- -v {chef_version}",
        "test": "! command -v chef-client",
    }
    config.commands["02_converge"] = {"command": "chef-client -j /etc/chef/first-boot.json"}
    return node


@registry
def cfn_init_user_data(node, *, signal=None, extra=""):
    """User data that runs cfn-init on this resource's metadata at first boot.

    `signal` names a resource (an auto scaling group or the instance itself) that is sent
    cfn-signal with cfn-init's exit code; `extra` is shell appended after cfn-init (it goes through Fn::Sub too:
    `${Param}` is substituted, `${!x}` is a literal `${x}`).
    """
    kind = node._get("Type")
    if kind == "AWS::EC2::LaunchTemplate":
        target = node.properties.launch_template_data
    elif kind in ("AWS::EC2::Instance", "AWS::AutoScaling::LaunchConfiguration"):
        target = node.properties
    else:
        raise TemplateError(f"cfn_init_user_data: {node._name} is a {kind}, not an instance or launch template")
    script = (
        "#!/bin/bash -x\n"
        f"{CFN_BIN}/cfn-init -v --stack ${{AWS::StackName}} --resource {node._name} --region ${{AWS::Region}}\n"
    )
    if signal is not None:
        name = ref(signal)["Ref"]  # a node or a snake/exact name, spelled as the template spells it
        script += f"{CFN_BIN}/cfn-signal -e $? --stack ${{AWS::StackName}} --resource {name} --region ${{AWS::Region}}\n"
    target.user_data = base64(sub(script + extra))
    return node
