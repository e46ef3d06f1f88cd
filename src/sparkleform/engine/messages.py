"""CloudFormation's and the AWS services' own texts for what the engine refuses while
provisioning and up front: one table of message templates, each with where it was found
(docs/engine.md, "Refusing what AWS refuses", cites them).

Every template is filled with `str.format`; nothing else in the engine writes these texts.
"""

from __future__ import annotations

# -- the registry's properties validation (CloudFormation runs it before a handler) ----------
PROPERTIES_FAILED = "Properties validation failed for resource {logical} with message: {problems}"
EXTRANEOUS_KEY = "{path}: extraneous key [{key}] is not permitted"
REQUIRED_KEY = "{path}: required key [{key}] not found"
EXPECTED_TYPE = "{path}: expected type: {expected}, found: {found}"
MAX_ITEMS = "{path}: expected maximum item count: {limit}, found: {count}"
MAX_LENGTH = "{path}: expected maxLength: {limit}, actual: {length}"
MIN_LENGTH = "{path}: expected minLength: {limit}, actual: {length}"
PATTERN = "{path}: failed validation constraint for keyword [pattern]"
UNSUPPORTED_PROPERTY = "Encountered unsupported property {key}"  # resource types outside the registry

# -- template limits: refused by CreateStack / UpdateStack itself (ValidationError) -----------
TEMPLATE_BODY_TOO_LONG = (
    "1 validation error detected: Value '{shown}' at 'templateBody' failed to satisfy constraint: "
    "Member must have length less than or equal to 51200"
)
TEMPLATE_TOO_LARGE = "Template may not exceed 1000000 bytes in size."
# each section has its own wording (docs/engine.md cites them; Mappings' is not verified)
TOO_MANY = {
    "Resources": "Template format error: Number of resources, {count}, is greater than maximum allowed, {limit}",
    "Parameters": "Template format error: Parameter count {count} is greater than max allowed {limit}",
    "Outputs": "Template format error: Outputs count {count} is greater than max allowed {limit}",
    "Mappings": "Template format error: Number of mappings, {count}, is greater than maximum allowed, {limit}",
}
NAME_TOO_LONG = "Template format error: {what} name '{name}' exceeds the maximum length of {limit}"

# -- found once the operation has started (the stack fails and rolls back, no resource made) --
# LocalStack's engine/test_attributes.snapshot.json (test_invalid_getatt_fails), the stack's
# ROLLBACK_IN_PROGRESS reason (followed by " Rollback requested by user.")
OUTPUT_ATTRIBUTE = "[Error] /{path}/Fn::GetAtt: Resource type {type} does not support attribute {{{attr}}}"

# -- service rules (the resource fails with the service's error, the stack rolls back) ------
SERVICE_ERROR = (
    "Resource handler returned message: \"{message}\" (Service: {service}, Status Code: 400, "
    "Request ID: {request_id}) (HandlerErrorCode: {handler_code})"
)
SUBNET_RANGE = "The CIDR '{cidr}' is invalid."  # EC2 InvalidSubnet.Range
SUBNET_CONFLICT = "The CIDR '{cidr}' conflicts with another subnet"  # EC2 InvalidSubnet.Conflict
VPC_RANGE = "The CIDR '{cidr}' is invalid."  # EC2 InvalidVpc.Range (outside /16../28)
CIDR_MALFORMED = "Value ({cidr}) for parameter cidrBlock is invalid. This is not a valid CIDR block."
BUCKET_NAME = "Bucket name should not contain uppercase characters"  # CloudFormation's S3 handler
BUCKET_NAME_INVALID = "The specified bucket is not valid."  # S3 InvalidBucketName
ALREADY_EXISTS = "{name} already exists in stack {stack_id}"  # CloudFormation: a named resource another stack has
IAM_NAME = (
    "1 validation error detected: Value '{name}' at '{field}' failed to satisfy constraint: "
    "Member must have length less than or equal to {limit}"
)
IAM_NAME_PATTERN = (  # IAM's own text, not the API's constraint form
    "The specified value for {field} is invalid. It must contain only alphanumeric characters "
    "and/or the following: +=,.@_-"
)
QUEUE_NAME = (
    "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length"
)
TOPIC_NAME = "Invalid parameter: Topic Name"
TABLE_NAME = (
    "1 validation error detected: Value '{name}' at 'tableName' failed to satisfy constraint: "
    "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
)
TABLE_NAME_LENGTH = "TableName must be at least 3 characters long and at most 255 characters long"
DB_IDENTIFIER = (
    "The parameter DBInstanceIdentifier is not a valid identifier. Identifiers must begin with a letter; "
    "must contain only ASCII letters, digits, and hyphens; and must not end with a hyphen or contain two "
    "consecutive hyphens."
)
# tags: the texts of the resource's own service, by the type's namespace (AWS::EC2::Subnet -> EC2);
# a service not listed, or a text a service does not list, takes TAGS_DEFAULT's
TAGS_DEFAULT = {
    "count": "The number of tags specified ({count}) exceeds the limit of 50",  # not verified
    "key": (  # the API constraint form (CloudFormation's own stack tags say so for a value)
        "1 validation error detected: Value '{key}' at 'tags.{index}.member.key' failed to satisfy constraint: "
        "Member must have length less than or equal to 128"
    ),
    "value": (
        "1 validation error detected: Value '{value}' at 'tags.{index}.member.value' failed to satisfy "
        "constraint: Member must have length less than or equal to 256"
    ),
    "aws": "Tag keys starting with 'aws:' are reserved for internal use",  # EC2's
}
TAGS: dict[str, dict[str, str]] = {
    "EC2": {
        "count": "The maximum number of Tags for a resource has been reached.",  # TagLimitExceeded; not verified
        "key": "Tag key exceeds the maximum length of 128 characters",  # not verified (the value's form)
        "value": "Tag value exceeds the maximum length of 256 characters",
    },
    "S3": {
        "count": "Bucket tag count cannot be greater than 50",
        "aws": (
            'User-defined tag keys can\'t start with "aws:". This prefix is reserved for system tags. '
            'Remove "aws:" from your tag keys and try again.'
        ),
    },
    "Lambda": {"count": "Number of tags exceeds resource tag limit."},
    "KMS": {"count": "Too many tags", "aws": "Tags beginning with aws: are reserved"},
}
MALFORMED_POLICY = "{message}"  # IAM MalformedPolicyDocument: the policy model's own text
SG_RULE = "{message}"
SG_PORTS = "Invalid value for portRange. Must specify both from and to ports with TCP/UDP."
SG_PROTOCOL = "Invalid value '{value}' for IP protocol. Unknown protocol."
SG_NO_SOURCE = "Missing source specification: include source security group or CIDR information"  # MissingParameter

# -- the parameter store (Systems Manager) -----------------------------------------------------
# an AWS::SSM::Parameter::Value<> parameter whose key is not in Parameter Store (CreateStack's
# ValidationError; LocalStack's recording of AWS: tests/aws/services/cloudformation/
# test_template_engine.snapshot.json, TestSsmParameters::test_resolve_ssm_missing_parameter)
SSM_PARAMETER_MISSING = "Parameter {name} should either have input value or default value"
# a `name:version` that names no version (Systems Manager's ParameterVersionNotFound, as moto's
# ssm/models.py raises it)
SSM_VERSION_NOT_FOUND = "Systems Manager could not find version {version} of {name}. Verify the version and try again."
