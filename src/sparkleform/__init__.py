"""sparkleform: write AWS CloudFormation in Python, check it, run it as stacks.

The public API. Everything not re-exported here is internal and may change.
"""

from sparkleform.dsl import (
    AWS,
    Compiled,
    Node,
    Template,
    and_,
    base64,
    cidr,
    component,
    condition,
    dynamic,
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
    registry,
    select,
    split,
    sub,
    template,
    to_json_string,
    transform,
)
from sparkleform.errors import SparkleformError
from sparkleform.targets import compile, load_target

__version__ = "0.1.0"

__all__ = [
    "AWS",
    "Compiled",
    "Node",
    "SparkleformError",
    "Template",
    "and_",
    "base64",
    "cidr",
    "compile",
    "component",
    "condition",
    "dynamic",
    "equals",
    "find_in_map",
    "get_att",
    "get_azs",
    "if_",
    "import_value",
    "join",
    "length",
    "load_target",
    "not_",
    "or_",
    "ref",
    "registry",
    "select",
    "split",
    "sub",
    "template",
    "to_json_string",
    "transform",
]
