"""cfn-init metadata that bootstraps Chef, shared by launch configurations and instances."""

from sparkleform import registry


@registry
def chef_metadata(node, *, run_list=()):
    """Write a first-boot.json with RUN_LIST and a chef-client command into NODE's cfn-init."""
    with node.metadata["AWS::CloudFormation::Init"].config as config:
        config.files["/etc/chef/first-boot.json"].content = {"run_list": list(run_list)}
        config.files["/etc/chef/first-boot.json"].mode = "000644"
        config.commands.chef_client.command = "chef-client -j /etc/chef/first-boot.json"
