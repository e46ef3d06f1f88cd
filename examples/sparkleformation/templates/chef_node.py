"""A single Chef-managed instance sharing the launch configurations' cfn-init registry entry."""

from sparkleform import ref, template


@template(description="One Chef-bootstrapped instance", load=["base"])
def chef_node(t, *, run_list: tuple[str, ...] = ("role[base]",)):
    with t.resources.node as r:
        r.type = "AWS::EC2::Instance"
        with r.properties as p:
            p.image_id = ref("ami_id")
            p.subnet_id = ref("subnet_id")
            p.security_group_ids = [ref("security_group_id")]
            p.key_name = ref("key_name")
        t.registry("chef_metadata", r, run_list=run_list)
    t.output("node_id", ref("node"))
    t.output("vpc_id", ref("vpc_id"), description="The VPC the node runs in")
