"""IAM groups and policies from the IAM article: least privilege, MFA, IP ranges, resource-level EC2."""

from sparkleform import get_att, ref, sub, template

DESTRUCTIVE_ACTIONS = [
    "ec2:TerminateInstances",
    "ec2:DeleteVolume",
    "ec2:DeleteSnapshot",
    "rds:DeleteDBInstance",
    "rds:DeleteDBCluster",
    "s3:DeleteBucket",
    "dynamodb:DeleteTable",
    "cloudformation:DeleteStack",
]


@template(description="IAM groups with least-privilege policies, an application instance role and a CloudTrail trail")
def iam_groups(t):
    """The IAM article's best practices: least-privilege groups, an app role, CloudTrail.

    - BucketReaders: read one S3 bucket (s3:ListBucket on it, s3:GetObject in it), no more;
    - PowerUsers: everything except IAM (NotAction), signed in with their virtual MFA, and
      destructive actions denied without MFA whatever else grants them;
    - OfficeOnly: add to any user to deny all requests from outside the office IP range;
    - Ec2Testers: describe any instance, start/stop two named instances, terminate only
      instances tagged purpose=test (resource-level permissions and tags);
    - an instance role for applications that read the bucket (no access keys on disk);
    - a CloudTrail trail in all regions, with its own bucket.
    """
    t.parameter("read_bucket_name", default="coolapp-assets", description="the bucket BucketReaders may read")
    t.parameter(
        "office_cidr",
        default="203.0.113.0/24",
        allowed_pattern=r"^(\d{1,3}\.){3}\d{1,3}/\d{1,2}$",
        description="IP range of the office; OfficeOnly denies requests from elsewhere",
    )
    t.parameter("instance_one_id", default="i-123abc12", allowed_pattern="^i-[0-9a-f]+$",
                description="first instance Ec2Testers may start and stop")
    t.parameter("instance_two_id", default="i-4c3b2a1", allowed_pattern="^i-[0-9a-f]+$",
                description="second instance Ec2Testers may start and stop")

    read_bucket = [
        {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": sub("arn:${AWS::Partition}:s3:::${ReadBucketName}")},
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": sub("arn:${AWS::Partition}:s3:::${ReadBucketName}/*")},
    ]
    readers = t.dynamic("policy_group", "bucket_readers", statements=read_bucket)

    power_users = t.dynamic("policy_group", "power_users", statements=[
        {
            "Sid": "EverythingButIamWithVirtualMfa",
            "Effect": "Allow",
            "NotAction": "iam:*",
            "Resource": "*",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
        },
        {
            # Holds even when another policy grants these actions without the MFA condition.
            "Sid": "DestructiveActionsNeedMfa",
            "Effect": "Deny",
            "Action": DESTRUCTIVE_ACTIONS,
            "Resource": "*",
            "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
        },
    ])

    office_only = t.dynamic("policy_group", "office_only", statements=[
        {
            "Sid": "DenyOutsideOffice",
            "Effect": "Deny",
            "Action": "*",
            "Resource": "*",
            "Condition": {
                "NotIpAddress": {"aws:SourceIp": ref("office_cidr")},
                "Bool": {"aws:ViaAWSService": "false"},
            },
        },
    ])

    instance_arn = "arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:instance/"
    testers = t.dynamic("policy_group", "ec2_testers", statements=[
        {"Effect": "Allow", "Action": "ec2:DescribeInstances", "Resource": "*"},
        {
            "Effect": "Allow",
            "Action": ["ec2:StartInstances", "ec2:StopInstances"],
            "Resource": [sub(instance_arn + "${InstanceOneId}"), sub(instance_arn + "${InstanceTwoId}")],
        },
        {
            "Effect": "Allow",
            "Action": "ec2:TerminateInstances",
            "Resource": sub(instance_arn + "*"),
            "Condition": {"StringEquals": {"ec2:ResourceTag/purpose": "test"}},
        },
    ])

    app_profile = t.dynamic("instance_role", "app", statements=read_bucket)
    trail = t.dynamic("audit_trail", "audit")

    for label, group in (("BucketReaders", readers), ("PowerUsers", power_users),
                         ("OfficeOnly", office_only), ("Ec2Testers", testers)):
        t.output(f"{label}Group", ref(group), description=f"name of the {label} group")
    t.output("AppInstanceProfile", ref(app_profile), description="instance profile for the application servers")
    t.output("TrailArn", get_att(trail, "Arn"), description="the CloudTrail trail")
    t.output("TrailBucket", ref("audit_trail_bucket"), description="bucket the trail writes to")
