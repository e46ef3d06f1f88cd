"""Building Blocks: dynamics (with builtins), the registry, and a template's three stages."""

from sparkleform import template


@template
def node_stack(t):
    t.aws_template_format_version = None
    t.dynamic("node", "fubar")
    t.dynamic("node", "foobar", ssh_key="default")


@template
def with_dynamic(t):
    t.aws_template_format_version = None
    t.dynamic("ec2_instance", "fubar").properties.key_name = "default"


@template
def without_dynamic(t):
    t.aws_template_format_version = None
    with t.resources.fubar_ec2_instance as r:
        r.type = "AWS::EC2::Instance"
        r.properties.key_name = "default"


@template
def with_namespace(t):
    t.aws_template_format_version = None
    t.dynamic("opsworks_instance", "foobar")


@template
def with_aws_namespace(t):
    t.aws_template_format_version = None
    t.dynamic("aws_opsworks_instance", "foobar")


@template
def with_suffix(t):
    t.aws_template_format_version = None
    t.dynamic("aws_opsworks_instance", "foobar", resource_name_suffix="instance")


@template
def class_only(t):
    """`instance` alone is ambiguous: compiling this is an error listing the candidates."""
    t.dynamic("instance", "foobar")


@template
def successful_template(t):
    t.aws_template_format_version = None
    t.dynamic("good_dynamic", "foobar").properties.key_name = "default"


@template
def instance_stack(t):
    t.aws_template_format_version = None
    with t.parameters.instance_size as p:
        p.type = "String"
        p.allowed_values = t.registry("instance_sizes", p)
        p.default = t.registry("instance_size_default", p)


@template
def instance_stack_sized(t):
    t.aws_template_format_version = None
    with t.parameters.instance_size as p:
        p.type = "String"
        p.allowed_values = t.registry("instance_sizes", p)
        p.default = t.registry("instance_size_default", p, size_class="m3", size="large")


@template(load=["common", "special"])
def my_template(t):
    """SparkleFormation.new(:my_template) { dynamic!(:ec2_instance, :foobar) }
    .load(:common, :special).overrides { resources.foobar_ec2_instance.properties.key_name 'default' }"""
    t.dynamic("ec2_instance", "foobar")

    @t.overrides
    def key_name(t):
        t.resources.foobar_ec2_instance.properties.key_name = "default"
