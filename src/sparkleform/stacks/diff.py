"""A plan reviewed for a person: each modified resource's nested property paths with before and
after (a JSON patch of the values the provider planned, so masking of NoEcho values stays the
provider's), the data a replacement or removal destroys and what DeletionPolicy /
UpdateReplacePolicy do about it, and the IAM statements and ingress rules that are added or
removed (as `cdk diff` shows them). The CLI renders a PlanReview; `destroy` asks with a
DestroySummary.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sparkleform.contract import Plan, ResourceChange

# Resource types whose deletion destroys data, and those that can be snapshotted first.
DATA_TYPES = {
    "AWS::S3::Bucket": "bucket",
    "AWS::DynamoDB::Table": "table",
    "AWS::DynamoDB::GlobalTable": "table",
    "AWS::EC2::Volume": "volume",
    "AWS::RDS::DBInstance": "database",
    "AWS::RDS::DBCluster": "database",
    "AWS::DocDB::DBCluster": "database",
    "AWS::Neptune::DBCluster": "database",
    "AWS::Redshift::Cluster": "database",
    "AWS::ElastiCache::ReplicationGroup": "cache",
    "AWS::ElastiCache::CacheCluster": "cache",
    "AWS::EFS::FileSystem": "file system",
    "AWS::FSx::FileSystem": "file system",
    "AWS::Logs::LogGroup": "log group",
    "AWS::Kinesis::Stream": "stream",
    "AWS::SQS::Queue": "queue",
    "AWS::ECR::Repository": "repository",
    "AWS::KMS::Key": "key",
    "AWS::SecretsManager::Secret": "secret",
    "AWS::OpenSearchService::Domain": "search domain",
    "AWS::Elasticsearch::Domain": "search domain",
    "AWS::Backup::BackupVault": "backup vault",
}
SNAPSHOT_TYPES = {
    "AWS::EC2::Volume", "AWS::RDS::DBInstance", "AWS::RDS::DBCluster", "AWS::DocDB::DBCluster",
    "AWS::Neptune::DBCluster", "AWS::Redshift::Cluster", "AWS::ElastiCache::ReplicationGroup",
    "AWS::ElastiCache::CacheCluster",
}
_MISSING = object()


@dataclass(frozen=True)
class PropertyChange:
    """One changed leaf: `path` like "LaunchTemplateData.InstanceType" (list items by index)."""

    path: str
    before: Any = None  # None with `added`: the value is new
    after: Any = None  # None with `removed`
    added: bool = False
    removed: bool = False
    replaces: bool = False  # this property's change replaces the resource


@dataclass(frozen=True)
class DataLoss:
    logical_id: str
    resource_type: str
    how: str  # "removed" | "replaced"
    policy: str  # "DeletionPolicy" | "UpdateReplacePolicy"
    value: str  # "Delete" | "Retain" | "Snapshot" | "RetainExceptOnCreate"
    explicit: bool  # False: the default applies
    kind: str  # "bucket", "database" ...

    @property
    def destroys(self) -> bool:
        return self.value == "Delete"

    def describe(self) -> str:
        said = f"{self.policy} {self.value}" + ("" if self.explicit else " (the default)")
        if self.value == "Delete":
            fate = f"the {self.kind} and its data are deleted"
        elif self.value == "Snapshot":
            fate = f"a final snapshot is taken, then the {self.kind} is deleted"
        else:
            fate = f"the old {self.kind} is kept in the account, no longer managed by the stack"
        return f"{self.logical_id} ({self.resource_type}) is {self.how}: {said}: {fate}"


@dataclass(frozen=True)
class SecurityChange:
    logical_id: str
    section: str  # "iam" | "network"
    sign: str  # "+" added (broadened) | "-" removed
    text: str
    risky: bool = False  # "*" actions/resources, a world-open port


@dataclass
class PlanReview:
    plan: Plan
    properties: dict[str, list[PropertyChange]] = field(default_factory=dict)
    data_loss: list[DataLoss] = field(default_factory=list)
    security: list[SecurityChange] = field(default_factory=list)

    def json(self) -> dict[str, Any]:
        return {
            "Properties": {
                lid: [{"Path": c.path, "Before": c.before, "After": c.after, "Replacement": c.replaces}
                      for c in changes]
                for lid, changes in self.properties.items()
            },
            "DataLoss": [{"LogicalResourceId": d.logical_id, "Action": d.how, "Policy": d.policy,
                          "Value": d.value, "Message": d.describe()} for d in self.data_loss],
            "Security": [{"LogicalResourceId": s.logical_id, "Section": s.section, "Change": s.sign,
                          "Text": s.text, "Risky": s.risky} for s in self.security],
        }


# -- property paths -------------------------------------------------------------------------

def _pointer_to_path(prefix: str, pointer: str) -> str:
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
    return ".".join([prefix, *parts]) if prefix else ".".join(parts)


def _resolve(doc: Any, pointer: str) -> Any:
    import jsonpointer

    try:
        return jsonpointer.resolve_pointer(doc, pointer)
    except (jsonpointer.JsonPointerException, TypeError):
        return None


_JSON_SCALARS = (str, int, float, bool, type(None))


def _jsonable(value: Any, stand_ins: dict[str, Any]) -> Any:
    """`value` with every part that is not JSON replaced by a marker string kept in `stand_ins`."""
    if isinstance(value, dict):
        return {k: _jsonable(v, stand_ins) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v, stand_ins) for v in value]
    if isinstance(value, _JSON_SCALARS):
        return value
    marker = f"\x00sparkleform:{id(value)}:{value!r}"
    stand_ins[marker] = value
    return marker


def _restored(value: Any, stand_ins: dict[str, Any]) -> Any:
    if not stand_ins:
        return value
    if isinstance(value, str):
        return stand_ins.get(value, value)
    if isinstance(value, dict):
        return {k: _restored(v, stand_ins) for k, v in value.items()}
    if isinstance(value, list):
        return [_restored(v, stand_ins) for v in value]
    return value


def leaf_changes(prefix: str, before: Any, after: Any, *, replaces: bool = False) -> list[PropertyChange]:
    """The changed leaves between two values, as a JSON patch finds them (nested paths)."""
    if before is _MISSING:
        return [PropertyChange(prefix, None, after, added=True, replaces=replaces)]
    if after is _MISSING:
        return [PropertyChange(prefix, before, None, removed=True, replaces=replaces)]
    if not (isinstance(before, dict | list) and isinstance(after, dict | list) and type(before) is type(after)):
        return [] if before == after else [PropertyChange(prefix, before, after, replaces=replaces)]
    import jsonpatch

    # jsonpatch (1.4x) compares list items through json.dumps: values that are not JSON (the
    # plan's "known after apply") go in as marker strings and come back out of the patch
    stand_ins: dict[str, Any] = {}
    before_json, after_json = _jsonable(before, stand_ins), _jsonable(after, stand_ins)
    out: list[PropertyChange] = []
    for op in jsonpatch.make_patch(before_json, after_json).patch:
        if "value" in op:
            op["value"] = _restored(op["value"], stand_ins)
        kind, path = op["op"], op["path"]
        if kind == "replace":
            out.append(PropertyChange(_pointer_to_path(prefix, path), _resolve(before, path), op["value"],
                                      replaces=replaces))
        elif kind == "add":
            out.append(PropertyChange(_pointer_to_path(prefix, path), None, op["value"], added=True, replaces=replaces))
        elif kind == "remove":
            out.append(PropertyChange(_pointer_to_path(prefix, path), _resolve(before, path), None, removed=True,
                                      replaces=replaces))
        elif kind == "move":
            moved = _resolve(before, op["from"])
            out.append(PropertyChange(_pointer_to_path(prefix, op["from"]), moved, None, removed=True, replaces=replaces))
            out.append(PropertyChange(_pointer_to_path(prefix, path), None, moved, added=True, replaces=replaces))
        elif kind == "copy":
            out.append(PropertyChange(_pointer_to_path(prefix, path), None, _resolve(after, path), added=True,
                                      replaces=replaces))
    return out


def _detail_changes(change: ResourceChange) -> list[PropertyChange]:
    out: list[PropertyChange] = []
    seen: set[str] = set()
    for d in change.details:
        if d.get("source") == "aws":
            continue  # AWS's own entries name properties only; the local diff beside them has the values
        if "path" in d:  # the AWS provider's local diff: leaves of dicts, lists whole
            prefix = d["path"].removeprefix("Properties.")
            before = d.get("old", _MISSING) if d.get("old") is not None else _MISSING
            after = d.get("new") if d.get("new") is not None else _MISSING
            if before is _MISSING and after is _MISSING:
                continue
            out += leaf_changes(prefix, before, after, replaces=bool(d.get("replacement")))
        elif "before" in d or "after" in d:  # the local engine: one entry per top-level property
            replaces = d.get("requires_recreation") in ("Always", "Conditionally") and change.replacement in (
                "True", "Conditional")
            before = d.get("before", _MISSING)
            after = d.get("after", _MISSING)
            leaves = leaf_changes(d["property"], _MISSING if before is None else before,
                                  _MISSING if after is None else after, replaces=replaces)
            # equal only when masked: a NoEcho value changed, and stays masked here
            out += leaves or [PropertyChange(d["property"], before, after, replaces=replaces)]
        elif "attribute" in d and d["attribute"] not in seen:
            seen.add(d["attribute"])
            out.append(PropertyChange(d["attribute"], None, "(changed)"))
        elif d.get("property"):  # e.g. a nested template changed
            out.append(PropertyChange(d["property"], None, d.get("reason", "(changed)")))
    return out


# -- data loss ------------------------------------------------------------------------------

def _default_policy(resource_type: str, decl: dict) -> str:
    props = decl.get("Properties") or {}
    if resource_type == "AWS::RDS::DBCluster":
        return "Snapshot"
    if resource_type == "AWS::RDS::DBInstance" and "DBClusterIdentifier" not in props:
        return "Snapshot"
    return "Delete"


def data_loss_of(logical_id: str, resource_type: str, decl: dict | None, how: str) -> DataLoss | None:
    """What removing (DeletionPolicy) or replacing (UpdateReplacePolicy) a data resource does."""
    kind = DATA_TYPES.get(resource_type)
    if kind is None:
        return None
    decl = decl or {}
    policy = "DeletionPolicy" if how == "removed" else "UpdateReplacePolicy"
    value = decl.get(policy)
    explicit = isinstance(value, str)
    if not explicit:
        value = _default_policy(resource_type, decl)
    return DataLoss(logical_id, resource_type, how, policy, str(value), explicit, kind)


# -- IAM and security groups ----------------------------------------------------------------

def _short(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and len(value) == 1:
        key, arg = next(iter(value.items()))
        if key == "Ref":
            return f"${{{arg}}}"
        if key == "Fn::GetAtt":
            return "${" + (".".join(arg) if isinstance(arg, list) else str(arg)) + "}"
        if key == "Fn::Sub":
            return arg if isinstance(arg, str) else str(arg[0])
    return json.dumps(value, sort_keys=True, default=str)


def _listed(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _statements(doc: Any) -> list[dict]:
    if not isinstance(doc, dict):
        return []
    return [s for s in _listed(doc.get("Statement")) if isinstance(s, dict)]


def _statement_text(st: dict, trust: bool) -> tuple[str, bool]:
    effect = st.get("Effect", "Allow")
    actions = [_short(a) for a in _listed(st.get("Action") or st.get("NotAction"))]
    resources = [_short(r) for r in _listed(st.get("Resource") or st.get("NotResource"))]
    principal = st.get("Principal")
    parts = [effect, ", ".join(actions) or "(no action)"]
    if resources:
        parts.append("on " + ", ".join(resources))
    if principal is not None:
        parts.append("for " + (principal if isinstance(principal, str) else _short(principal)))
    if st.get("Condition"):
        parts.append("when " + _short(st["Condition"]))
    if trust:
        parts.insert(0, "trust:")
    risky = effect == "Allow" and (
        any(a == "*" or a.endswith(":*") for a in actions) or "*" in resources or principal in ("*", {"AWS": "*"})
    )
    return " ".join(parts), risky


def _iam_of(rtype: str, props: dict) -> list[tuple[str, bool]]:
    out: list[tuple[str, bool]] = []
    if rtype == "AWS::IAM::Role":
        out += [_statement_text(s, True) for s in _statements(props.get("AssumeRolePolicyDocument"))]
    if rtype in ("AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group"):
        for pol in _listed(props.get("Policies")):
            if isinstance(pol, dict):
                out += [_statement_text(s, False) for s in _statements(pol.get("PolicyDocument"))]
        out += [(f"managed policy {_short(arn)}", "AdministratorAccess" in _short(arn))
                for arn in _listed(props.get("ManagedPolicyArns"))]
    if rtype in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::S3::BucketPolicy", "AWS::SQS::QueuePolicy",
                 "AWS::SNS::TopicPolicy", "AWS::KMS::Key"):
        doc = props.get("KeyPolicy") if rtype == "AWS::KMS::Key" else props.get("PolicyDocument")
        out += [_statement_text(s, False) for s in _statements(doc)]
    if rtype == "AWS::Lambda::Permission":
        out.append((f"Allow {_short(props.get('Action'))} for {_short(props.get('Principal'))}",
                    props.get("Principal") == "*"))
    return out


def _rule_text(rule: dict, direction: str) -> tuple[str, bool]:
    proto = str(rule.get("IpProtocol", "?"))
    lo, hi = rule.get("FromPort"), rule.get("ToPort")
    if proto in ("-1", "all"):
        ports = "all traffic"
    elif lo is None or str(lo) == str(hi):
        ports = f"{proto} {lo if lo is not None else 'all'}"
    else:
        ports = f"{proto} {lo}-{hi}"
    peer = (rule.get("CidrIp") or rule.get("CidrIpv6") or rule.get("SourceSecurityGroupId")
            or rule.get("DestinationSecurityGroupId") or rule.get("SourcePrefixListId") or rule.get("CidrIpv6"))
    word = "from" if direction == "ingress" else "to"
    open_world = direction == "ingress" and peer in ("0.0.0.0/0", "::/0")
    return f"{direction} {ports} {word} {_short(peer)}" + (" (open to the world)" if open_world else ""), open_world


def _network_of(rtype: str, props: dict) -> list[tuple[str, bool]]:
    if rtype == "AWS::EC2::SecurityGroup":
        return ([_rule_text(r, "ingress") for r in _listed(props.get("SecurityGroupIngress")) if isinstance(r, dict)]
                + [_rule_text(r, "egress") for r in _listed(props.get("SecurityGroupEgress")) if isinstance(r, dict)])
    if rtype == "AWS::EC2::SecurityGroupIngress":
        return [_rule_text(props, "ingress")]
    if rtype == "AWS::EC2::SecurityGroupEgress":
        return [_rule_text(props, "egress")]
    return []


def security_changes(before: dict | None, after: dict | None) -> list[SecurityChange]:
    """IAM statements and security-group rules added (+) or removed (-) between two templates."""
    old_res = _resources(before)
    new_res = _resources(after)
    out: list[SecurityChange] = []
    for lid in sorted(set(old_res) | set(new_res)):
        old, new = old_res.get(lid) or {}, new_res.get(lid) or {}
        rtype = new.get("Type") or old.get("Type") or ""
        for section, read in (("iam", _iam_of), ("network", _network_of)):
            was = dict(read(rtype, old.get("Properties") or {})) if old else {}
            now = dict(read(rtype, new.get("Properties") or {})) if new else {}
            out += [SecurityChange(lid, section, "+", text, risky) for text, risky in now.items() if text not in was]
            out += [SecurityChange(lid, section, "-", text, False) for text in was if text not in now]
    return out


def _resources(template: dict | None) -> dict[str, dict]:
    res = (template or {}).get("Resources") or {}
    return {k: v for k, v in res.items() if isinstance(v, dict)}


def review(plan: Plan, before: dict | None, after: dict | None) -> PlanReview:
    """The PlanReview of `plan`, given the stack's current template and the new one (None: unknown)."""
    out = PlanReview(plan)
    old_res, new_res = _resources(before), _resources(after if after is not None else before)
    for change in plan.changes:
        if change.action == "Modify":
            leaves = _detail_changes(change)
            if leaves:
                out.properties[change.logical_id] = leaves
            if change.replacement == "True":
                loss = data_loss_of(change.logical_id, change.resource_type, new_res.get(change.logical_id), "replaced")
                if loss is not None:
                    out.data_loss.append(loss)
        elif change.action == "Remove":
            loss = data_loss_of(change.logical_id, change.resource_type, old_res.get(change.logical_id), "removed")
            if loss is not None:
                out.data_loss.append(loss)
    changed = {c.logical_id for c in plan.changes}
    if after is not None:
        out.security = [s for s in security_changes(before, after) if s.logical_id in changed]
    return out


@dataclass(frozen=True)
class DestroySummary:
    """What deleting a whole stack does: how many resources, which are retained or snapshotted."""

    count: int
    fates: list[DataLoss]

    def line(self, name: str) -> str:
        parts = [f"{self.count} resource{'s' if self.count != 1 else ''}"]
        for d in self.fates:
            word = {"Retain": "retained", "RetainExceptOnCreate": "retained", "Snapshot": "snapshotted"}.get(
                d.value, "deleted with its data")
            parts.append(f"{d.logical_id} {word}")
        return f"Delete stack {name} ({'; '.join(parts)})?"


def destroy_summary(resources: list[tuple[str, str]], template: dict | None) -> DestroySummary:
    """`resources` (logical id, type) of the stack, `template` its current template."""
    decls = _resources(template)
    fates: list[DataLoss] = []
    for lid, rtype in resources:
        decl = decls.get(lid) or {}
        loss = data_loss_of(lid, rtype, decl, "removed")
        if loss is None and isinstance(decl.get("DeletionPolicy"), str) and decl["DeletionPolicy"] != "Delete":
            loss = DataLoss(lid, rtype, "removed", "DeletionPolicy", decl["DeletionPolicy"], True, "resource")
        if loss is not None:
            fates.append(loss)
    return DestroySummary(len(resources), fates)


def attach_templates(plan: Plan, provider: Any, name: str, template: dict | None) -> Plan:
    """Keep the templates a plan compares on it (for `review`): the stack's current one, if it
    has one, and `template` (None: the current one is kept)."""
    from sparkleform.errors import SparkleformError

    before: dict | None = None
    if provider.stack_exists(name):
        try:
            before = provider.template_of(name)
        except SparkleformError:
            before = None
    plan.before = before
    plan.after = template if template is not None else before
    return plan


def destroy_question(provider: Any, stack: Any) -> str:
    """"Delete stack web (14 resources; Assets retained; Db snapshotted)?" for `stack` on `provider`."""
    from sparkleform.errors import SparkleformError

    try:
        template = provider.template_of(stack.name)
    except SparkleformError:
        template = None
    resources = [(r.logical_id, r.resource_type) for r in stack.resources if r.status != "DELETE_COMPLETE"]
    return destroy_summary(resources, template).line(stack.name)
