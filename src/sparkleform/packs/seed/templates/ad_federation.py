"""AWS access for Active Directory users (Active Directory article): one IAM role per AD
group, assumed through the federation proxy (ExternalId = the group's SID) or through SAML.
"""

import re

from sparkleform import get_att, ref, sub, template
from sparkleform.errors import ParameterError

DEFAULT_GROUPS = ("AWS-Administrators", "AWS-PowerUsers", "AWS-ReadOnly")
# The managed policy a role starts with, by a word in its group's name (else read-only).
POLICY_BY_WORD = {"administrators": "AdministratorAccess", "powerusers": "PowerUserAccess"}
SID_PATTERN = r"^S-1-5-21-\d+-\d+-\d+-\d+$"


def _snake(group: str) -> str:
    """AWS-PowerUsers -> aws_power_users: the snake name an AD group's resources take."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", group)
    return "_".join(part for part in re.split(r"[^A-Za-z0-9]+", spaced) if part).lower()


def _group_roles(t, groups, trust_for, *, role_outputs=True):
    """For each AD group: a parameter for its policy ARN and a role named exactly after it."""
    if not groups:
        raise ParameterError("give at least one AD group (--set groups=AWS-Admins,AWS-Developers)")
    roles = {}
    for group in groups:
        if not re.fullmatch(r"[\w+=,.@-]{1,64}", group):
            raise ParameterError(f"AD group {group!r} cannot be an IAM role name (letters, digits, +=,.@_-)")
        key = _snake(group)
        word = next((w for w in POLICY_BY_WORD if w in key.replace("_", "")), None)
        t.parameter(
            f"{key}_policy_arn",
            default=f"arn:aws:iam::aws:policy/{POLICY_BY_WORD.get(word or '', 'ReadOnlyAccess')}",
            description=f"managed policy of the {group} role",
        )
        roles[group] = t.dynamic(
            "policy_role", key, role_name=group, trust=trust_for(group, key),
            managed_policy_arns=[ref(f"{key}_policy_arn")], max_session_duration=3600,
        )
        if role_outputs:
            t.output(f"{key}_role_arn", get_att(roles[group], "arn"), description=f"role for members of {group}")
    return roles


@template(description="IAM roles for Active Directory groups, assumed by the federation proxy with the group's SID")
def ad_federation(t, *, groups: tuple[str, ...] = DEFAULT_GROUPS):
    """IAM roles named after AD groups for the federation proxy, and the proxy's identity.

    The proxy lists the roles (iam:ListRoles), intersects them by name with the user's AD
    groups, and assumes the chosen one passing the group's SID as sts:ExternalId, so a
    group deleted and re-created under the same name gets no access. For each group in the
    compile-time list `groups` there is a required parameter `<Group>Sid`. The proxy's
    IAM user (through its group) may only list roles and assume these roles; create its
    access key yourself (`aws iam create-access-key`) for the proxy's credential chain.
    The roles live under the IAM path `RolePath`, the only path the proxy lists. The
    outputs are exactly the AWS side of the proxy's configuration (`[aws]` in its TOML:
    region, partition, role_path_prefix, proxy_user_arn); see docs/federation.md.
    """
    t.parameter("role_path", default="/ad-federation/", allowed_pattern=r"^/([\w+=,.@-]+/)*$",
                constraint_description="an IAM path such as /ad-federation/",
                description="IAM path of the group roles (the proxy lists only this path)")
    # The proxy's permissions belong to a group, the user is its only member (IAM advice).
    proxy_group = t.resource("federation_proxy_group", "AWS::IAM::Group", path="/federation/")
    proxy = t.resource("federation_proxy_user", "AWS::IAM::User", path="/federation/", groups=[ref(proxy_group)])

    def trust_for(group, key):
        t.parameter(f"{key}_sid", allowed_pattern=SID_PATTERN, constraint_description="a SID such as S-1-5-21-1-2-3-1001",
                    description=f"security identifier (SID) of the AD group {group}")
        return [{
            "Effect": "Allow",
            "Principal": {"AWS": get_att(proxy, "arn")},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": ref(f"{key}_sid")}},
        }]

    roles = _group_roles(t, groups, trust_for, role_outputs=False)
    for role in roles.values():
        role.properties.path = ref("role_path")

    # A separate policy resource: the roles trust the user and the policy names the roles.
    t.resource(
        "federation_proxy_policy",
        "AWS::IAM::Policy",
        policy_name="federation-proxy",
        groups=[ref(proxy_group)],
        policy_document={
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "iam:ListRoles", "Resource": "*"},
                {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": [get_att(r, "arn") for r in roles.values()]},
            ],
        },
    )
    # Each output is one key of the proxy's [aws] configuration, under the same meaning.
    t.output("Region", sub("${AWS::Region}"), description="region of the proxy's STS/IAM calls ([aws] region)")
    t.output("Partition", sub("${AWS::Partition}"), description="partition: picks the federation endpoint ([aws] partition)")
    t.output("RolePathPrefix", ref("role_path"), description="IAM path the proxy lists roles under ([aws] role_path_prefix)")
    t.output("ProxyUserArn", get_att(proxy, "arn"),
             description="the proxy's IAM user: its credentials must be this user ([aws] proxy_user_arn)")


@template(description="IAM roles for Active Directory groups, assumed through a SAML identity provider (AD FS)")
def ad_federation_saml(t, *, groups: tuple[str, ...] = DEFAULT_GROUPS):
    """IAM roles for AD groups, assumed through an AD FS SAML provider (the SAML variant).

    A SAML provider made from the metadata document of your AD FS, and a role per AD group
    in the compile-time list `groups` that only that provider's assertions for the AWS
    sign-in audience may assume (AD FS maps group membership to role ARNs in its claim rules).
    """
    t.parameter("saml_metadata_document", min_length=1000,
                description="federation metadata XML of the identity provider (AD FS)")
    t.parameter("provider_name", default="ADFS", allowed_pattern=r"^[\w._-]+$", description="name of the SAML provider")
    with t.resources.saml_provider as provider:
        provider.type = "AWS::IAM::SAMLProvider"
        provider.properties.name = ref("provider_name")
        provider.properties.saml_metadata_document = ref("saml_metadata_document")

    def trust_for(group, key):
        return [{
            "Effect": "Allow",
            "Principal": {"Federated": ref(provider)},
            "Action": "sts:AssumeRoleWithSAML",
            "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}},
        }]

    _group_roles(t, groups, trust_for)
    t.output("SamlProviderArn", ref(provider), description="ARN of the SAML provider (for the AD FS claim rules)")
