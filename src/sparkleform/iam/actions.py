"""The offline action list: IAM service prefixes, actions and condition keys as data.

Read from cfn-lint's bundled ``data/AdditionalSpecs/Policies.json`` (a pinned dependency,
refreshed with each cfn-lint release) located through importlib, never by importing
cfnlint. Actions there are lower-case; IAM action names are case-insensitive.
"""

from __future__ import annotations

import json
import re
from functools import cache

from sparkleform.errors import SpecError
from sparkleform.spec.source import cfn_lint_data_dir

# Global condition keys from AWS's "AWS global condition context keys" reference. Keys
# ending in "/" take a tag key or similar suffix.
GLOBAL_CONDITION_KEYS = frozenset(
    k.lower()
    for k in (
        "aws:AssumedRoot", "aws:CalledVia", "aws:CalledViaFirst", "aws:CalledViaLast", "aws:ChatbotSourceArn",
        "aws:CurrentTime", "aws:EpochTime", "aws:Ec2InstanceSourcePrivateIPv4", "aws:Ec2InstanceSourceVpc",
        "aws:FederatedProvider", "aws:IsMcpServiceAction", "aws:MultiFactorAuthAge", "aws:MultiFactorAuthPresent",
        "aws:PrincipalAccount", "aws:PrincipalArn", "aws:PrincipalIsAWSService", "aws:PrincipalOrgID",
        "aws:PrincipalOrgPaths", "aws:PrincipalServiceName", "aws:PrincipalServiceNamesList",
        "aws:PrincipalType", "aws:referer", "aws:RequestedRegion", "aws:ResourceAccount", "aws:ResourceOrgID",
        "aws:ResourceOrgPaths", "aws:SecureTransport", "aws:SourceAccount", "aws:SourceArn",
        "aws:SourceIdentity", "aws:SourceIp", "aws:SourceOrgID", "aws:SourceOrgPaths", "aws:SourceVpc",
        "aws:SourceVpcArn", "aws:SourceVpce", "aws:TagKeys", "aws:TokenIssueTime", "aws:UserAgent",
        "aws:userid", "aws:username", "aws:ViaAWSService", "aws:VpceAccount", "aws:VpceOrgID",
        "aws:VpceOrgPaths", "aws:VpcSourceIp",
    )
)
GLOBAL_CONDITION_PREFIXES = ("aws:principaltag/", "aws:requesttag/", "aws:resourcetag/")
# The global keys AWS lists with the value type "Multivalued"; every other global key is single-valued.
MULTIVALUED_GLOBAL_KEYS = frozenset(
    k.lower()
    for k in (
        "aws:CalledVia", "aws:PrincipalOrgPaths", "aws:PrincipalServiceNamesList", "aws:ResourceOrgPaths",
        "aws:SourceOrgPaths", "aws:TagKeys", "aws:VpceOrgPaths",
    )
)


@cache
def _data() -> dict:
    path = cfn_lint_data_dir() / "AdditionalSpecs" / "Policies.json"
    try:
        with path.open(encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError) as exc:
        raise SpecError(f"cannot read the IAM action list {path}: {exc}") from exc


@cache
def services() -> dict[str, frozenset[str]]:
    """service prefix (lower-case) -> its action names (lower-case)."""
    return {prefix.lower(): frozenset(entry.get("Actions", {})) for prefix, entry in _data().items()}


@cache
def all_actions() -> tuple[str, ...]:
    return tuple(sorted(f"{p}:{a}" for p, names in services().items() for a in names))


def is_known_service(prefix: str) -> bool:
    return prefix.lower() in services()


def is_known_action(action: str) -> bool:
    """True for '*', a known service:Action, or a wildcard that matches at least one action."""
    if action == "*":
        return True
    prefix, _, name = action.partition(":")
    if not name:
        return False
    if "*" in action or "?" in action:
        return bool(expand_action(action))
    names = services().get(prefix.lower())
    return names is not None and name.lower() in names


def expand_action(pattern: str) -> list[str]:
    """Every known action a (wildcard) action pattern covers, lower-case, sorted."""
    regex = re.compile(
        "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern) + r"\Z", re.IGNORECASE
    )
    prefix = pattern.partition(":")[0]
    if "*" not in prefix and "?" not in prefix:
        names = services().get(prefix.lower(), frozenset())
        return sorted(f"{prefix.lower()}:{n}" for n in names if regex.match(f"{prefix}:{n}"))
    return [a for a in all_actions() if regex.match(a)]


@cache
def service_condition_keys() -> dict[str, frozenset[str]]:
    """service prefix -> condition keys its resource types list (lower-case, ${...} kept)."""
    out: dict[str, set[str]] = {}
    for prefix, entry in _data().items():
        keys = out.setdefault(prefix.lower(), set())
        for resource in entry.get("Resources", {}).values():
            keys.update(k.lower() for k in resource.get("ConditionKeys", ()))
    return {p: frozenset(k) for p, k in out.items()}


def is_known_global_key(key: str) -> bool:
    """For aws:* keys only: is this a documented global condition key?"""
    lowered = key.lower()
    if lowered in GLOBAL_CONDITION_KEYS:
        return True
    return any(lowered.startswith(p) and len(lowered) > len(p) for p in GLOBAL_CONDITION_PREFIXES)


def display_case(actions: list[str]) -> list[str]:
    """Lower-case action names in their usual CamelCase where botocore's API model for the
    service names the same operation (IAM actions mostly follow API names); else unchanged."""
    by_prefix: dict[str, dict[str, str]] = {}
    out = []
    for action in actions:
        prefix, _, name = action.partition(":")
        if prefix not in by_prefix:
            by_prefix[prefix] = _operation_names(prefix)
        out.append(f"{prefix}:{by_prefix[prefix].get(name.lower(), name)}")
    return out


def _operation_names(prefix: str) -> dict[str, str]:
    try:
        from botocore.loaders import Loader

        model = Loader().load_service_model(prefix, "service-2")
    except Exception:  # botocore missing, or no API model under this prefix
        return {}
    return {op.lower(): op for op in model.get("operations", {})}
