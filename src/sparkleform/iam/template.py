"""Policies inside a CloudFormation template: where they are, whom they attach to, and
their values with simple intrinsics resolved to plausible strings for simulation.

Discovery covers AWS::IAM::Role/User/Group (inline Policies, ManagedPolicyArns,
PermissionsBoundary, a role's AssumeRolePolicyDocument), AWS::IAM::Policy and
ManagedPolicy (Roles/Users/Groups), AWS::IAM::RolePolicy/UserPolicy/GroupPolicy, and the
resource-based policies of S3 buckets, SQS queues, SNS topics, KMS keys, ECR repositories
and Secrets Manager secrets.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from sparkleform.iam.policy import BOUNDARY, IDENTITY, RESOURCE, TRUST

ACCOUNT = "123456789012"
REGION = "us-east-1"
PARTITION = "aws"

PRINCIPAL_TYPES = {"AWS::IAM::Role": "role", "AWS::IAM::User": "user", "AWS::IAM::Group": "group"}
_ATTACH_LISTS = {"Roles": "AWS::IAM::Role", "Users": "AWS::IAM::User", "Groups": "AWS::IAM::Group"}
_ATTACH_ONE = {
    "AWS::IAM::RolePolicy": ("RoleName", "AWS::IAM::Role"),
    "AWS::IAM::UserPolicy": ("UserName", "AWS::IAM::User"),
    "AWS::IAM::GroupPolicy": ("GroupName", "AWS::IAM::Group"),
}
RESOURCE_POLICIES = {
    "AWS::S3::BucketPolicy": "PolicyDocument",
    "AWS::SQS::QueuePolicy": "PolicyDocument",
    "AWS::SNS::TopicPolicy": "PolicyDocument",
    "AWS::KMS::Key": "KeyPolicy",
    "AWS::ECR::Repository": "RepositoryPolicyText",
    "AWS::SecretsManager::ResourcePolicy": "ResourcePolicy",
}
_NAME_PROPERTY = {
    "AWS::IAM::Role": "RoleName",
    "AWS::IAM::User": "UserName",
    "AWS::IAM::Group": "GroupName",
    "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
    "AWS::S3::Bucket": "BucketName",
    "AWS::SQS::Queue": "QueueName",
    "AWS::SNS::Topic": "TopicName",
    "AWS::DynamoDB::Table": "TableName",
    "AWS::Lambda::Function": "FunctionName",
    "AWS::ECR::Repository": "RepositoryName",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::Kinesis::Stream": "Name",
    "AWS::SecretsManager::Secret": "Name",
}


@dataclass(slots=True)
class PolicyDoc:
    """One policy document found in a template."""

    path: tuple  # template path of the document itself
    document: Any  # as written (may hold intrinsics)
    kind: str  # identity / resource / trust / boundary
    resource_id: str
    resource_type: str
    attached_to: list[str] = field(default_factory=list)  # logical ids of roles/users/groups
    name: str = ""


def resources_of(template: Mapping) -> dict[str, Mapping]:
    """Logical id -> resource, for well-formed entries (a string Type) only."""
    resources = template.get("Resources") if isinstance(template, Mapping) else None
    if not isinstance(resources, Mapping):
        return {}
    return {k: v for k, v in resources.items() if isinstance(v, Mapping) and isinstance(v.get("Type"), str)}


def _props(resource: Mapping) -> Mapping:
    props = resource.get("Properties")
    return props if isinstance(props, Mapping) else {}


def _ref_target(value: Any, template: Mapping, wanted_type: str) -> str | None:
    """Logical id named by {"Ref": id} / GetAtt, or by a literal name property."""
    resources = resources_of(template)
    if isinstance(value, Mapping):
        ref = value.get("Ref")
        if isinstance(ref, str) and ref in resources:
            return ref
        att = value.get("Fn::GetAtt")
        if isinstance(att, list) and att and isinstance(att[0], str) and att[0] in resources:
            return att[0]
        if isinstance(att, str) and att.split(".")[0] in resources:
            return att.split(".")[0]
        return None
    if isinstance(value, str):
        prop = _NAME_PROPERTY.get(wanted_type)
        for rid, res in resources.items():
            if res.get("Type") == wanted_type and (_props(res).get(prop) == value or (prop is None and rid == value)):
                return rid
    return None


def discover(template: Mapping) -> list[PolicyDoc]:
    """Every policy document in the template, with what it attaches to."""
    found: list[PolicyDoc] = []
    for rid, res in resources_of(template).items():
        rtype = res.get("Type")
        props = _props(res)
        base = ("Resources", rid, "Properties")
        if rtype in PRINCIPAL_TYPES:
            if rtype == "AWS::IAM::Role" and "AssumeRolePolicyDocument" in props:
                found.append(PolicyDoc(base + ("AssumeRolePolicyDocument",), props["AssumeRolePolicyDocument"], TRUST,
                                       rid, rtype, [rid], f"{rid} trust policy"))
            policies = props.get("Policies")
            if isinstance(policies, list):
                for i, entry in enumerate(policies):
                    if isinstance(entry, Mapping) and "PolicyDocument" in entry:
                        name = entry.get("PolicyName") if isinstance(entry.get("PolicyName"), str) else f"Policies[{i}]"
                        found.append(PolicyDoc(base + ("Policies", i, "PolicyDocument"), entry["PolicyDocument"],
                                               IDENTITY, rid, rtype, [rid], f"{rid}/{name}"))
        elif rtype in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            attached: list[str] = []
            for prop, wanted in _ATTACH_LISTS.items():
                entries = props.get(prop)
                if isinstance(entries, list):
                    attached.extend(t for t in (_ref_target(e, template, wanted) for e in entries) if t)
            if "PolicyDocument" in props:
                found.append(PolicyDoc(base + ("PolicyDocument",), props["PolicyDocument"], IDENTITY, rid, rtype,
                                       attached, rid))
        elif rtype in _ATTACH_ONE:
            prop, wanted = _ATTACH_ONE[rtype]
            target = _ref_target(props.get(prop), template, wanted)
            if "PolicyDocument" in props:
                found.append(PolicyDoc(base + ("PolicyDocument",), props["PolicyDocument"], IDENTITY, rid, rtype,
                                       [target] if target else [], rid))
        elif rtype in RESOURCE_POLICIES and RESOURCE_POLICIES[rtype] in props:
            prop = RESOURCE_POLICIES[rtype]
            found.append(PolicyDoc(base + (prop,), props[prop], RESOURCE, rid, rtype, [], rid))
    return found


def managed_policy_links(template: Mapping, principal_id: str) -> tuple[list[str], list[str]]:
    """(logical ids of template ManagedPolicies the principal references, external ARNs)."""
    res = resources_of(template).get(principal_id, {})
    arns = _props(res).get("ManagedPolicyArns")
    local: list[str] = []
    external: list[str] = []
    if isinstance(arns, list):
        for entry in arns:
            target = _ref_target(entry, template, "AWS::IAM::ManagedPolicy")
            if target:
                local.append(target)
            else:
                external.append(entry if isinstance(entry, str) else str(entry))
    return local, external


def boundary_of(template: Mapping, principal_id: str) -> tuple[str | None, str | None]:
    """(logical id of a template ManagedPolicy used as permissions boundary, external ARN)."""
    value = _props(resources_of(template).get(principal_id, {})).get("PermissionsBoundary")
    if value is None:
        return None, None
    target = _ref_target(value, template, "AWS::IAM::ManagedPolicy")
    return (target, None) if target else (None, value if isinstance(value, str) else str(value))


def groups_of(template: Mapping, user_id: str) -> list[str]:
    res = resources_of(template).get(user_id, {})
    groups = _props(res).get("Groups")
    out: list[str] = []
    if isinstance(groups, list):
        out.extend(t for t in (_ref_target(g, template, "AWS::IAM::Group") for g in groups) if t)
    for other in resources_of(template).values():
        if other.get("Type") == "AWS::IAM::UserToGroupAddition":
            users = _props(other).get("Users")
            if isinstance(users, list) and any(_ref_target(u, template, "AWS::IAM::User") == user_id for u in users):
                group = _ref_target(_props(other).get("GroupName"), template, "AWS::IAM::Group")
                if group:
                    out.append(group)
    return out


# --- intrinsic resolution -------------------------------------------------------------------

UNRESOLVED = "<unresolved>"


class Resolver:
    """Turns intrinsic functions into plausible strings: parameters from the values given or
    their defaults, pseudo parameters from a fixed account/region, Ref/GetAtt of resources to
    names and ARNs shaped like the real ones."""

    def __init__(self, template: Mapping, parameters: Mapping[str, str] | None = None,
                 account: str = ACCOUNT, region: str = REGION) -> None:
        self.template = template
        self.resources = resources_of(template)
        self.account = account
        self.region = region
        self.parameters: dict[str, Any] = {}
        declared = template.get("Parameters") if isinstance(template, Mapping) else None
        if isinstance(declared, Mapping):
            for name, spec in declared.items():
                if isinstance(spec, Mapping) and "Default" in spec:
                    self.parameters[name] = spec["Default"]
        self.parameters.update(parameters or {})
        self.pseudo = {
            "AWS::AccountId": account,
            "AWS::Region": region,
            "AWS::Partition": PARTITION,
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackName": "stack",
            "AWS::StackId": f"arn:aws:cloudformation:{region}:{account}:stack/stack/00000000",
            "AWS::NotificationARNs": [],
        }

    def name_of(self, rid: str) -> str:
        res = self.resources.get(rid, {})
        prop = _NAME_PROPERTY.get(res.get("Type", ""))
        value = _props(res).get(prop) if prop else None
        resolved = self.resolve(value) if value is not None else None
        if isinstance(resolved, str) and resolved and UNRESOLVED not in resolved:
            return resolved
        return rid.lower() if res.get("Type") == "AWS::S3::Bucket" else rid

    def arn_of(self, rid: str) -> str:
        res = self.resources.get(rid, {})
        rtype = str(res.get("Type", ""))
        name = self.name_of(rid)
        a, r = self.account, self.region
        path = self.resolve(_props(res).get("Path", "/"))
        path = path if isinstance(path, str) and path.startswith("/") else "/"
        shapes = {
            "AWS::IAM::Role": f"arn:aws:iam::{a}:role{path}{name}",
            "AWS::IAM::User": f"arn:aws:iam::{a}:user{path}{name}",
            "AWS::IAM::Group": f"arn:aws:iam::{a}:group{path}{name}",
            "AWS::IAM::ManagedPolicy": f"arn:aws:iam::{a}:policy{path}{name}",
            "AWS::IAM::InstanceProfile": f"arn:aws:iam::{a}:instance-profile{path}{name}",
            "AWS::S3::Bucket": f"arn:aws:s3:::{name}",
            "AWS::SQS::Queue": f"arn:aws:sqs:{r}:{a}:{name}",
            "AWS::SNS::Topic": f"arn:aws:sns:{r}:{a}:{name}",
            "AWS::DynamoDB::Table": f"arn:aws:dynamodb:{r}:{a}:table/{name}",
            "AWS::Lambda::Function": f"arn:aws:lambda:{r}:{a}:function:{name}",
            "AWS::KMS::Key": f"arn:aws:kms:{r}:{a}:key/{rid}",
            "AWS::Logs::LogGroup": f"arn:aws:logs:{r}:{a}:log-group:{name}:*",
            "AWS::Kinesis::Stream": f"arn:aws:kinesis:{r}:{a}:stream/{name}",
            "AWS::ECR::Repository": f"arn:aws:ecr:{r}:{a}:repository/{name}",
            "AWS::SecretsManager::Secret": f"arn:aws:secretsmanager:{r}:{a}:secret:{name}",
        }
        if rtype in shapes:
            return shapes[rtype]
        parts = rtype.split("::")
        service = parts[1].lower() if len(parts) > 2 else "unknown"
        kind = re.sub(r"(?<!^)(?=[A-Z])", "-", parts[-1]).lower() if parts else "resource"
        return f"arn:aws:{service}:{r}:{a}:{kind}/{name}"

    def _ref(self, name: Any) -> Any:
        if not isinstance(name, str):
            return UNRESOLVED
        if name in self.pseudo:
            return self.pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        if name in self.resources:
            rtype = self.resources[name].get("Type")
            if rtype in ("AWS::SNS::Topic", "AWS::IAM::ManagedPolicy"):
                return self.arn_of(name)
            if rtype == "AWS::SQS::Queue":
                return f"https://sqs.{self.region}.amazonaws.com/{self.account}/{self.name_of(name)}"
            return self.name_of(name)
        return UNRESOLVED

    def _get_att(self, args: Any) -> Any:
        if isinstance(args, str):
            args = args.split(".", 1)
        if not isinstance(args, list) or len(args) != 2 or not isinstance(args[0], str) or args[0] not in self.resources:
            return UNRESOLVED
        rid, attr = args[0], self.resolve(args[1])
        if attr == "Arn":
            return self.arn_of(rid)
        if attr in ("RoleId", "UserId", "GroupId", "PolicyId"):
            return "AROA" + rid.upper()[:16]
        if attr == "QueueName" or attr == "TopicName" or attr == "Name":
            return self.name_of(rid)
        return f"{rid}.{attr}"

    def _sub(self, args: Any) -> Any:
        if isinstance(args, list) and len(args) == 2:
            text, variables = args[0], args[1] if isinstance(args[1], Mapping) else {}
        else:
            text, variables = args, {}
        if not isinstance(text, str):
            return UNRESOLVED

        def fill(match: re.Match[str]) -> str:
            body = match.group(1)
            if body.startswith("!"):
                return "${" + body[1:] + "}"
            if body in variables:
                value = self.resolve(variables[body])
            elif "." in body and body.split(".")[0] in self.resources:
                value = self._get_att(body.split(".", 1))
            else:
                value = self._ref(body)
            return value if isinstance(value, str) else ",".join(map(str, value)) if isinstance(value, list) else str(value)

        return re.sub(r"\$\{([^}]*)\}", fill, text)

    def _find_in_map(self, args: Any) -> Any:
        mappings = self.template.get("Mappings") if isinstance(self.template, Mapping) else None
        if not isinstance(args, list) or len(args) != 3 or not isinstance(mappings, Mapping):
            return UNRESOLVED
        keys = [self.resolve(a) for a in args]
        value: Any = mappings
        for key in keys:
            if not isinstance(value, Mapping) or not isinstance(key, str) or key not in value:
                return UNRESOLVED
            value = value[key]
        return self.resolve(value)

    def resolve(self, value: Any) -> Any:
        """The value with intrinsics replaced; unresolvable pieces become '<unresolved>'."""
        if isinstance(value, list):
            out = []
            for item in value:
                resolved = self.resolve(item)
                if resolved is not _NO_VALUE:
                    out.append(resolved)
            return out
        if not isinstance(value, Mapping):
            return value
        if len(value) == 1:
            (fn, args), = value.items()
            if fn == "Ref":
                return _NO_VALUE if args == "AWS::NoValue" else self._ref(args)
            if fn == "Fn::GetAtt":
                return self._get_att(args)
            if fn == "Fn::Sub":
                return self._sub(args)
            if fn == "Fn::Join" and isinstance(args, list) and len(args) == 2:
                parts = self.resolve(args[1])
                if isinstance(parts, list):
                    return str(args[0]).join(str(p) for p in parts)
                return UNRESOLVED
            if fn == "Fn::Select" and isinstance(args, list) and len(args) == 2:
                items = self.resolve(args[1])
                index = self.resolve(args[0])
                try:
                    return items[int(index)]
                except (TypeError, ValueError, IndexError, KeyError):
                    return UNRESOLVED
            if fn == "Fn::Split" and isinstance(args, list) and len(args) == 2:
                text = self.resolve(args[1])
                return text.split(str(args[0])) if isinstance(text, str) else UNRESOLVED
            if fn == "Fn::If" and isinstance(args, list) and len(args) == 3:
                return self.resolve(args[1])  # conditions are not evaluated: the true branch
            if fn == "Fn::GetAZs":
                return [f"{self.region}a", f"{self.region}b"]
            if fn == "Fn::FindInMap":
                return self._find_in_map(args)
            if fn == "Ref" or str(fn).startswith("Fn::"):
                return UNRESOLVED  # Fn::ImportValue, Fn::Base64, Fn::Cidr, ...: no plausible string
        resolved_map = {k: self.resolve(v) for k, v in value.items()}
        return {k: v for k, v in resolved_map.items() if v is not _NO_VALUE}


class _NoValue:
    def __repr__(self) -> str:
        return "AWS::NoValue"


_NO_VALUE = _NoValue()


def iter_statements(document: Any) -> Iterator[tuple[tuple, Mapping]]:
    """(path relative to the document, statement) for each statement that is an object."""
    if not isinstance(document, Mapping):
        return
    statements = document.get("Statement")
    if isinstance(statements, Mapping):
        yield ("Statement",), statements
    elif isinstance(statements, list):
        for i, statement in enumerate(statements):
            if isinstance(statement, Mapping):
                yield ("Statement", i), statement


__all__ = [
    "BOUNDARY",
    "PolicyDoc",
    "Resolver",
    "boundary_of",
    "discover",
    "groups_of",
    "iter_statements",
    "managed_policy_links",
]
