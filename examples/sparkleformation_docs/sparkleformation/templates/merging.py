"""Inheritance and Merging, the root pack's side: merge onto core_pack's `simple`, its
`creator` component and its `worker` dynamic."""

from sparkleform import component, dynamic, template


@template(layering="merge")
def simple(t):
    t.root.modifier = "spox"


@component(layering="merge")
def creator(t):
    t.outputs.creator.description = "Stack creator"


@dynamic(layering="merge")
def worker(t, name, *, previous_layer_result=None, **config):
    t.root.new.things.added = "here"
    return previous_layer_result


@template(load=["creator"])
def workers(t):
    t.aws_template_format_version = None
    t.dynamic("worker", "fubar").properties.visibility_timeout = 60
