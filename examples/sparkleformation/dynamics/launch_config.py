"""A launch configuration whose user data runs Chef with a run list."""

from sparkleform import base64, dynamic, join, ref


@dynamic
def launch_config(t, name, *, run_list=(), image_id=None, instance_type=None, security_groups=()):
    """A LaunchConfiguration named NAME; user data runs chef-client with RUN_LIST (via Fn::Join)."""
    with t.resources[f"{name}_launch_config"] as lc:
        lc.type = "AWS::AutoScaling::LaunchConfiguration"
        with lc.properties as p:
            p.image_id = image_id if image_id is not None else ref("ami_id")
            p.instance_type = instance_type if instance_type is not None else "t3.micro"
            if security_groups:
                p.security_groups = list(security_groups)
            p.user_data = base64(
                join(
                    "",
                    [
                        "#!/bin/bash\n",
                        "/opt/aws/bin/cfn-init -s ",
                        ref("AWS::StackName"),
                        f" -r {lc._name} --region ",
                        ref("AWS::Region"),
                        "\n",
                        "chef-client -o '",
                        ",".join(run_list),
                        "'\n",
                    ],
                )
            )
        t.registry("chef_metadata", lc, run_list=run_list)
    return lc
