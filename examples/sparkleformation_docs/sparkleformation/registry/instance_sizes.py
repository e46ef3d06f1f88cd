"""Building Blocks > Registry: the instance sizes of the infrastructure, in one place.

SparkleFormation's registry entries return values; here an entry is given the node it is
inserted at and may return a value too.
"""

from sparkleform import registry


@registry
def instance_sizes(node):
    return ["m3.large", "m3.medium", "t2.medium"]


@registry
def instance_size_default(node, *, size_class=None, size=None):
    if size_class and size:
        return f"{size_class}.{size}"
    return "m3.medium"
