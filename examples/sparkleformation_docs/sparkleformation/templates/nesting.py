"""Nested Stacks, shallow nesting: parameter bubbling and output mapping."""

from sparkleform import ref, template


@template
def template_a(t):
    t.aws_template_format_version = None
    with t.parameters.fubar as p:
        p.type = "String"
        p.default = "FOOBAR"
    t.resources.thing.type = "AWS::SQS::Queue"
    with t.outputs.address as o:
        o.description = "Address of thing"
        o.value = ref("thing")


@template
def template_b(t):
    t.aws_template_format_version = None
    t.parameters.address.type = "String"
    t.resources.consumer.type = "AWS::SQS::Queue"
    t.resources.consumer.properties.queue_name = ref("address")


@template
def nest_root(t):
    """SparkleFormation.new(:root) { nest!(:template_a) }"""
    t.aws_template_format_version = None
    t.nest("template_a", "template_a")


@template
def root_template(t):
    t.aws_template_format_version = None
    t.nest("template_a", "template_a")
    t.nest("template_b", "template_b")
