"""Compile Time Parameters: `number_of_nodes` drives how many instances a template makes."""

from typing import Annotated

from sparkleform import Param, template


@template
def test(t, *, number_of_nodes: Annotated[int, Param(min_value=1)] = 1):
    t.aws_template_format_version = None
    for i in range(number_of_nodes):
        t.dynamic("ec2_instance", f"node_{i}")


@template
def node_generator(t, *, number_of_nodes: int):
    """No default: prompted for on a terminal when compiled on its own; given by the parent
    when nested (prompt_when_nested false)."""
    t.aws_template_format_version = None
    for i in range(number_of_nodes):
        t.dynamic("ec2_instance", f"node_{i}")


@template
def root(t):
    t.aws_template_format_version = None
    t.nest("node_generator", "node_generator", number_of_nodes=5)
