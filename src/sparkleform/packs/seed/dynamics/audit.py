"""Dynamics for keeping a history of account activity: a CloudTrail trail and its bucket."""

from sparkleform import AWS, dynamic, get_att, ref, sub


@dynamic
def audit_trail(t, name, *, multi_region=True, log_file_validation=True, retain_logs=True):
    """A CloudTrail trail `{name}_trail` writing to a bucket `{name}_trail_bucket` of its own.

    The bucket blocks public access, encrypts at rest, and its policy lets only CloudTrail
    check the ACL and write under AWSLogs/<account>/. The logs outlive the stack unless
    `retain_logs=False`. Returns the trail node.
    """
    policy = "Retain" if retain_logs else "Delete"
    bucket = t.resource(
        f"{name}_trail_bucket",
        "AWS::S3::Bucket",
        deletion_policy=policy,
        update_replace_policy=policy,
        public_access_block_configuration={
            "BlockPublicAcls": True,
            "BlockPublicPolicy": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        },
        bucket_encryption={
            "ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )
    bucket_policy = t.resource(
        f"{name}_trail_bucket_policy",
        "AWS::S3::BucketPolicy",
        bucket=ref(bucket),
        policy_document={
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "AWSCloudTrailAclCheck",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudtrail.amazonaws.com"},
                    "Action": "s3:GetBucketAcl",
                    "Resource": get_att(bucket, "Arn"),
                },
                {
                    "Sid": "AWSCloudTrailWrite",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudtrail.amazonaws.com"},
                    "Action": "s3:PutObject",
                    "Resource": sub(f"${{{bucket._name}.Arn}}/AWSLogs/${{AWS::AccountId}}/*"),
                    "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}},
                },
            ],
        },
    )
    return t.resource(
        f"{name}_trail",
        "AWS::CloudTrail::Trail",
        depends_on=[bucket_policy],  # CloudTrail checks the bucket policy when the trail is made
        s3_bucket_name=ref(bucket),
        is_logging=True,
        is_multi_region_trail=multi_region,
        include_global_service_events=True,
        enable_log_file_validation=log_file_validation,
        tags=[{"Key": "Name", "Value": AWS.stack_name}],
    )
