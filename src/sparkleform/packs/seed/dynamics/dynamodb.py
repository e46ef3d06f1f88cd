"""The `pynamodb_table` dynamic: an AWS::DynamoDB::Table derived from a PynamoDB model.

PynamoDB is an optional extra (`pip install sparkleform[dynamodb]`); it is imported only
when the dynamic is used, so the rest of the pack works without it.
"""

from sparkleform import AWS, dynamic, if_
from sparkleform.errors import TemplateError

KEY_TYPES = {"S", "N", "B"}  # DynamoDB key attributes are scalars


@dynamic
def pynamodb_table(
    t,
    name,
    *,
    model,
    table_name=None,
    billing_mode=None,
    read_capacity=None,
    write_capacity=None,
    provisioned_if=None,
):
    """An AWS::DynamoDB::Table `{name}_table` with the schema of the PynamoDB `model` class.

    Derived from the model: attribute definitions (key attributes of the table and its
    indexes), key schema (HASH before RANGE), global and local secondary indexes with
    their projections, billing mode (Meta.billing_mode, else provisioned when the Meta has
    capacities), capacities of the table and each GSI, TTL (a TTLAttribute) and streams
    (Meta.stream_view_type). TableName is Meta.table_name unless `table_name` is given
    (False: let CloudFormation name it). `billing_mode`, `read_capacity`, `write_capacity`
    override the model; `provisioned_if` names a condition that chooses PROVISIONED (true)
    or PAY_PER_REQUEST (false) at deploy time. Returns the table node.
    """
    try:
        from pynamodb.attributes import TTLAttribute
        from pynamodb.indexes import GlobalSecondaryIndex, LocalSecondaryIndex
        from pynamodb.models import Model
    except ImportError as exc:  # PynamoDB is an optional extra, not a dependency
        raise TemplateError(
            "pynamodb_table needs PynamoDB: pip install 'sparkleform[dynamodb]'"
        ) from exc
    if not (isinstance(model, type) and issubclass(model, Model)):
        raise TemplateError(f"pynamodb_table({name!r}): model must be a PynamoDB Model class, not {model!r}")

    meta = model.Meta
    definitions: dict[str, str] = {}

    def key_schema(attributes, owner):
        keys = sorted(
            (a for a in attributes.values() if a.is_hash_key or a.is_range_key),
            key=lambda a: 0 if a.is_hash_key else 1,
        )
        if not keys or not keys[0].is_hash_key:
            raise TemplateError(f"pynamodb_table({name!r}): {owner} has no hash key")
        for attr in keys:
            if attr.attr_type not in KEY_TYPES:
                raise TemplateError(
                    f"pynamodb_table({name!r}): key attribute {attr.attr_name!r} of {owner} is of type "
                    f"{attr.attr_type}; keys must be strings (S), numbers (N) or binary (B)"
                )
            definitions[attr.attr_name] = attr.attr_type
        return [{"AttributeName": a.attr_name, "KeyType": "HASH" if a.is_hash_key else "RANGE"} for a in keys]

    def throughput(source):
        read = read_capacity if read_capacity is not None else getattr(source.Meta, "read_capacity_units", None)
        write = write_capacity if write_capacity is not None else getattr(source.Meta, "write_capacity_units", None)
        if read is None or write is None:
            read = read if read is not None else getattr(meta, "read_capacity_units", None)
            write = write if write is not None else getattr(meta, "write_capacity_units", None)
        if read is None or write is None:
            raise TemplateError(
                f"pynamodb_table({name!r}): provisioned billing needs read and write capacity "
                f"(Meta.read_capacity_units/write_capacity_units or the read_capacity/write_capacity options)"
            )
        value = {"ReadCapacityUnits": read, "WriteCapacityUnits": write}
        return if_(provisioned_if, value, AWS.no_value) if provisioned_if else value

    def projection(index_meta):
        proj = index_meta.projection
        out = {"ProjectionType": proj.projection_type}
        if getattr(proj, "non_key_attributes", None):
            out["NonKeyAttributes"] = list(proj.non_key_attributes)
        return out

    mode = billing_mode or getattr(meta, "billing_mode", None)
    if mode is None:
        mode = "PROVISIONED" if getattr(meta, "read_capacity_units", None) is not None else "PAY_PER_REQUEST"
    provisioned = provisioned_if is not None or mode == "PROVISIONED"

    props: dict = {}
    if table_name is not False:
        props["TableName"] = table_name if table_name is not None else meta.table_name
    props["KeySchema"] = key_schema(model.get_attributes(), f"model {model.__name__}")
    props["BillingMode"] = if_(provisioned_if, "PROVISIONED", "PAY_PER_REQUEST") if provisioned_if else mode
    if provisioned:
        props["ProvisionedThroughput"] = throughput(model)

    global_indexes, local_indexes = [], []
    for index in model._indexes.values():
        index_meta = type(index).Meta
        entry = {
            "IndexName": index_meta.index_name,
            "KeySchema": key_schema(index_meta.attributes, f"index {index_meta.index_name}"),
            "Projection": projection(index_meta),
        }
        if isinstance(index, GlobalSecondaryIndex):
            if provisioned:
                entry["ProvisionedThroughput"] = throughput(type(index))
            global_indexes.append(entry)
        elif isinstance(index, LocalSecondaryIndex):
            local_indexes.append(entry)
    if global_indexes:
        props["GlobalSecondaryIndexes"] = global_indexes
    if local_indexes:
        props["LocalSecondaryIndexes"] = local_indexes

    ttl = [a.attr_name for a in model.get_attributes().values() if isinstance(a, TTLAttribute)]
    if ttl:
        props["TimeToLiveSpecification"] = {"AttributeName": ttl[0], "Enabled": True}
    stream = getattr(meta, "stream_view_type", None)
    if stream:
        props["StreamSpecification"] = {"StreamViewType": stream}
    # Every attribute a key schema names, and only those (DynamoDB refuses the others).
    props["AttributeDefinitions"] = [{"AttributeName": n, "AttributeType": k} for n, k in definitions.items()]

    return t.resource(f"{name}_table", "AWS::DynamoDB::Table", **props)
