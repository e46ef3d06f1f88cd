"""Inheritance and Merging, the core pack's side."""

from sparkleform import template


@template
def simple(t):
    t.aws_template_format_version = None
    t.root.simple_template = True


@template(inherit="simple")
def advanced(t):
    t.root.advanced.item = "added"
