"""Dynamics for IAM: groups that carry their policies, roles, and instance roles.

Policies are written as the IAM JSON they are (lists of statement dicts), so a policy in
a template reads the same as in the IAM documentation and in the policy simulator.
"""

from sparkleform import dynamic, ref


def _document(statements):
    """An IAM policy document holding `statements`."""
    return {"Version": "2012-10-17", "Statement": list(statements)}


@dynamic
def policy_group(t, name, *, statements=(), managed_policy_arns=(), policy_name=None):
    """An IAM group `{name}_group` whose inline policy is `statements`.

    Permissions belong to groups, never to users (the IAM article's advice): users come and
    go, the group's policy stays reviewed in one place. Returns the group node.
    """
    group = t.resource(f"{name}_group", "AWS::IAM::Group")
    if statements:
        group.properties.policies = [
            {"PolicyName": policy_name or name.replace("_", "-"), "PolicyDocument": _document(statements)}
        ]
    if managed_policy_arns:
        group.properties.managed_policy_arns = list(managed_policy_arns)
    return group


@dynamic
def policy_role(t, name, *, trust, statements=(), managed_policy_arns=(), role_name=None, max_session_duration=None):
    """An IAM role `{name}_role` that `trust` (a list of statements) may assume.

    `statements` is its inline policy, `role_name` an exact name when something looks the
    role up by name (the AD federation proxy does). Returns the role node.
    """
    role = t.resource(f"{name}_role", "AWS::IAM::Role", assume_role_policy_document=_document(trust))
    if role_name is not None:
        role.properties.role_name = role_name
    if statements:
        role.properties.policies = [
            {"PolicyName": name.replace("_", "-"), "PolicyDocument": _document(statements)}
        ]
    if managed_policy_arns:
        role.properties.managed_policy_arns = list(managed_policy_arns)
    if max_session_duration is not None:
        role.properties.max_session_duration = max_session_duration
    return role


@dynamic
def instance_role(t, name, *, statements=(), managed_policy_arns=()):
    """A role for EC2 instances plus its instance profile `{name}_instance_profile`.

    Applications on the instance get rotating credentials from the instance metadata:
    no access keys on disks or in code. Returns the instance profile node (what
    `chef_instance` and `chef_launch_template` take as `instance_profile`).
    """
    trust = [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ]
    role = t.dynamic("policy_role", name, trust=trust, statements=statements, managed_policy_arns=managed_policy_arns)
    return t.resource(f"{name}_instance_profile", "AWS::IAM::InstanceProfile", roles=[ref(role)])
