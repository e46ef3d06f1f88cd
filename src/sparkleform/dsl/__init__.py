"""The template language: nodes, names, intrinsic functions, templates, collections."""

from sparkleform.dsl.fn import (
    AWS,
    and_,
    base64,
    cidr,
    condition,
    equals,
    find_in_map,
    get_att,
    get_azs,
    if_,
    import_value,
    join,
    length,
    not_,
    or_,
    ref,
    select,
    split,
    sub,
    to_json_string,
    transform,
)
from sparkleform.dsl.node import Node
from sparkleform.dsl.params import Param
from sparkleform.dsl.parts import component, dynamic, registry, template
from sparkleform.dsl.tags import is_taggable, tags
from sparkleform.dsl.templates import Compiled, Template

__all__ = [
    "AWS",
    "Compiled",
    "Node",
    "Param",
    "Template",
    "and_",
    "base64",
    "cidr",
    "component",
    "condition",
    "dynamic",
    "equals",
    "find_in_map",
    "get_att",
    "get_azs",
    "if_",
    "import_value",
    "is_taggable",
    "join",
    "length",
    "not_",
    "or_",
    "ref",
    "registry",
    "select",
    "split",
    "sub",
    "tags",
    "template",
    "to_json_string",
    "transform",
]
