"""The web sessions table of the DynamoDB article."""

from sparkleform import AWS, equals, get_att, if_, ref, template


@template(description="DynamoDB table for web sessions, looked up by session id or by user")
def dynamodb_sessions(t):
    """The DynamoDB article's sessions table: by session id, and by user through an index.

    Hash key session_id (a string), a global secondary index user_index on user_id (a
    number) projecting all attributes, billed on demand or with provisioned capacity by
    the BillingMode parameter.

    The same table, derived from the article's PynamoDB model with the `pynamodb_table`
    dynamic, is what tests/packs checks this template against.
    """
    t.parameter("table_name", default="sessions", description="name of the table (PynamoDB's Meta.table_name)")
    t.parameter("billing_mode", default="PAY_PER_REQUEST", allowed_values=["PAY_PER_REQUEST", "PROVISIONED"],
                description="on-demand, or provisioned capacity below")
    for name, default in (("read_capacity", 1), ("write_capacity", 1),
                          ("index_read_capacity", 1), ("index_write_capacity", 1)):
        t.parameter(name, type="Number", default=default, min_value=1,
                    description="capacity units when BillingMode is PROVISIONED")
    t.condition("is_provisioned", equals(ref("billing_mode"), "PROVISIONED"))

    def capacity(read, write):
        return if_("is_provisioned", {"ReadCapacityUnits": ref(read), "WriteCapacityUnits": ref(write)},
                   AWS.no_value)

    with t.resources.sessions_table as table:
        table.type = "AWS::DynamoDB::Table"
        table.deletion_policy = "Delete"  # sessions are disposable: say so explicitly
        table.update_replace_policy = "Delete"
        with table.properties as p:
            p.table_name = ref("table_name")
            p.billing_mode = ref("billing_mode")
            p.attribute_definitions = [
                {"AttributeName": "session_id", "AttributeType": "S"},
                {"AttributeName": "user_id", "AttributeType": "N"},
            ]
            p.key_schema = [{"AttributeName": "session_id", "KeyType": "HASH"}]
            p.provisioned_throughput = capacity("read_capacity", "write_capacity")
            p.global_secondary_indexes = [
                {
                    "IndexName": "user_index",
                    "KeySchema": [{"AttributeName": "user_id", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "ALL"},
                    "ProvisionedThroughput": capacity("index_read_capacity", "index_write_capacity"),
                }
            ]

    t.output("TableName", ref(table), description="name of the sessions table")
    t.output("TableArn", get_att(table, "arn"), description="ARN of the sessions table")
