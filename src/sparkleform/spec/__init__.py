"""The CloudFormation resource schemas as data (types, properties, attributes, identifiers).

Public entry points: `get_schema(type_name)`, `resource_types()`, `use_schema_dir(path)`.
"""

from sparkleform.spec.schemas import (
    ResourceSchema,
    get_schema,
    norm,
    resource_types,
    schema_source,
    use_schema_dir,
)

__all__ = ["ResourceSchema", "get_schema", "norm", "resource_types", "schema_source", "use_schema_dir"]
