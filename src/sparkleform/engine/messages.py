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
TOO_MANY = "Template format error: Number of {what}, {count}, is greater than maximum allowed, {limit}"
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
IAM_NAME_PATTERN = (
    "1 validation error detected: Value '{name}' at '{field}' failed to satisfy constraint: "
    "Member must satisfy regular expression pattern: {pattern}"
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
TAG_COUNT = "The number of tags specified ({count}) exceeds the limit of 50"
TAG_KEY_LENGTH = (
    "1 validation error detected: Value '{key}' at 'tags.{index}.member.key' failed to satisfy constraint: "
    "Member must have length less than or equal to 128"
)
TAG_VALUE_LENGTH = (
    "1 validation error detected: Value '{value}' at 'tags.{index}.member.value' failed to satisfy "
    "constraint: Member must have length less than or equal to 256"
)
TAG_AWS_PREFIX = "Tag keys starting with 'aws:' are reserved for internal use"
MALFORMED_POLICY = "{message}"  # IAM MalformedPolicyDocument: the policy model's own text
SG_RULE = "{message}"
SG_PORTS = "Invalid value for portRange. Must specify both from and to ports with TCP/UDP."
SG_PROTOCOL = "Invalid value '{value}' for IP protocol. Unknown protocol."
SG_NO_SOURCE = (
    "Either CIDR, prefix list ID or source security group must be specified for ingress rule"
)
