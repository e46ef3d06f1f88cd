"""The IAM check family (SF9001-SF9013): policy findings on a template, each with the IAM
best practice behind it, judged with the policy model of sparkleform.iam.

The checks read the template as written (before the SAM expansion). The reasons quote AWS's
IAM best practices as the IAM article summarises them (least privilege, groups over users,
no long-term keys in templates, conditions such as MFA for extra security).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from sparkleform.check.diagnostic import ERROR, WARNING, Diagnostic
from sparkleform.check.rules import CFN_DOCS, IAM_DOCS, check, rule
from sparkleform.iam import actions as action_list
from sparkleform.iam.errors import PolicyError
from sparkleform.iam.policy import IDENTITY, RESOURCE, TRUST, compile_policy
from sparkleform.iam.template import PolicyDoc, discover, iter_statements, resources_of
from sparkleform.sourcemap import SourceMap

if TYPE_CHECKING:
    from sparkleform.check.context import CheckContext

_ACTIONS_DOCS = "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html"
RULES = (
    rule("SF9001", "iam", WARNING, "Allow of every action on every resource", IAM_DOCS + "best-practices.html"),
    rule("SF9002", "iam", WARNING, "iam:PassRole or sts:AssumeRole allowed on every resource", IAM_DOCS + "id_roles_use_passrole.html"),
    rule("SF9003", "iam", WARNING, "Allow with NotAction and no Condition", IAM_DOCS + "reference_policies_elements_notaction.html"),
    rule("SF9004", "iam", WARNING, "Policy attached directly to an IAM user instead of a group", IAM_DOCS + "best-practices.html"),
    rule("SF9005", "iam", WARNING, "Long-term access key created in the template", IAM_DOCS + "id_credentials_access-keys.html"),
    rule("SF9006", "iam", ERROR, "Access key secret exposed in Outputs", CFN_DOCS + "aws-resource-iam-accesskey.html"),
    rule("SF9007", "iam", WARNING, "Unknown IAM service prefix or action", _ACTIONS_DOCS),
    rule("SF9008", "iam", WARNING, "Unknown global condition key", IAM_DOCS + "reference_policies_condition-keys.html"),
    rule("SF9009", "iam", ERROR, "Trust policy lets any principal assume the role without a Condition", IAM_DOCS + "reference_policies_elements_principal.html"),
    rule("SF9010", "iam", WARNING, "Admin-like permissions without an MFA condition", IAM_DOCS + "id_credentials_mfa_configure-api-require.html"),
    rule("SF9011", "iam", ERROR, "Invalid IAM policy document", IAM_DOCS + "reference_policies_grammar.html"),
    rule("SF9012", "iam", WARNING, "Policy variables without Version 2012-10-17", IAM_DOCS + "reference_policies_variables.html"),
    rule("SF9013", "iam", WARNING, "Condition set operator does not fit the key's value type", IAM_DOCS + "reference_policies_condition-single-vs-multi-valued-context-keys.html"),
)

LEAST_PRIVILEGE = "grant least privilege: only the actions and resources a task needs (IAM best practice)"
GROUPS = "use groups to assign permissions to IAM users: user policies are quickly forgotten (IAM best practice)"
NO_KEYS = "use roles instead of long-term access keys; keys in templates end up in stack state (IAM best practice)"
CONDITIONS = "use policy conditions for extra security (IAM best practice)"
MFA = "require MFA for privileged users (IAM best practice: use policy conditions such as aws:MultiFactorAuthPresent)"

_MFA_KEYS = ("aws:multifactorauthpresent", "aws:multifactorauthage")
_VAR = re.compile(r"\$\{[^}]*\}")


def _strings(value: Any) -> list[str]:
    """The plain string entries of a value (intrinsics are skipped: their value is unknown)."""
    items = value if isinstance(value, list) else [value]
    return [v for v in items if isinstance(v, str)]


def _glob(pattern: str) -> re.Pattern[str]:
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern) + r"\Z",
                      re.IGNORECASE)


def _has_intrinsics(value: Any) -> bool:
    if isinstance(value, Mapping):
        return any(k == "Ref" or str(k).startswith("Fn::") for k in value) or any(
            _has_intrinsics(v) for v in value.values()
        )
    if isinstance(value, list):
        return any(_has_intrinsics(v) for v in value)
    return False


def _condition_keys(statement: Mapping) -> Iterator[str]:
    condition = statement.get("Condition")
    if isinstance(condition, Mapping):
        for keys in condition.values():
            if isinstance(keys, Mapping):
                yield from (str(k) for k in keys)


class _Checker:
    def __init__(self, template: Mapping, sources: SourceMap | None) -> None:
        self.template = template
        self.sources = sources
        self.found: list[Diagnostic] = []

    def add(self, rule: str, severity: str, path: tuple, message: str) -> None:
        location = self.sources.get(path) if self.sources is not None else None
        self.found.append(Diagnostic(rule, severity, path, message, location))

    # --- per document ------------------------------------------------------------------

    def document(self, doc: PolicyDoc) -> None:
        document = doc.document
        if isinstance(document, str):
            try:
                document = json.loads(document)
            except ValueError:
                self.add("SF9011", ERROR, doc.path, "the policy document is a string that is not valid JSON")
                return
        if not isinstance(document, Mapping):
            return
        if not _has_intrinsics(document):
            kind = doc.kind if doc.kind in (IDENTITY, RESOURCE, TRUST) else IDENTITY
            try:
                compile_policy(document, kind, name=doc.name)
            except PolicyError as exc:
                self.add("SF9011", ERROR, doc.path, f"invalid policy: {exc.message}")
        if document.get("Version") != "2012-10-17" and _uses_policy_variables(document):
            self.add("SF9012", WARNING, doc.path,
                     "the policy uses ${...} policy variables but not \"Version\": \"2012-10-17\"; without it "
                     "AWS treats them as literal text")
        has_mfa = any(k.lower() in _MFA_KEYS for _, st in iter_statements(document) for k in _condition_keys(st))
        for rel, statement in iter_statements(document):
            self.statement(doc, doc.path + rel, statement, has_mfa)

    def statement(self, doc: PolicyDoc, path: tuple, statement: Mapping, policy_has_mfa: bool) -> None:
        allow = statement.get("Effect") == "Allow"
        actions = _strings(statement.get("Action"))
        not_actions = _strings(statement.get("NotAction"))
        resources = _strings(statement.get("Resource"))
        conditioned = bool(statement.get("Condition"))
        all_resources = "*" in resources or ("Resource" not in statement and "NotResource" not in statement)
        star = any(a in ("*", "*:*") for a in actions)

        for key in ("Action", "NotAction"):
            for action in _strings(statement.get(key)):
                self.action(path + (key,), action)
        for key in _condition_keys(statement):
            if key.lower().startswith("aws:") and not action_list.is_known_global_key(key):
                self.add("SF9008", WARNING, path + ("Condition",),
                         f"unknown global condition key {key!r}: a condition on a key that is never in the request "
                         "context never matches (check the spelling against AWS's global condition keys)")
        self.set_operators(path, statement)
        if not allow:
            return
        if doc.kind == TRUST:
            self.trust(path, statement, conditioned)
            return
        if star and "*" in resources:
            self.add("SF9001", WARNING, path,
                     f"Allow of every action (\"*\") on every resource (\"*\") in {doc.name}: {LEAST_PRIVILEGE}")
        if not star and "*" in resources:
            risky = [a for a in actions if _glob(a).match("iam:PassRole") or _glob(a).match("sts:AssumeRole")]
            for action in risky:
                self.add("SF9002", WARNING, path,
                         f"{action} on \"*\" lets the holder pass or assume any role, and so gain that role's "
                         f"permissions: name the roles in Resource; {LEAST_PRIVILEGE}")
        if not_actions and not conditioned:
            self.add("SF9003", WARNING, path,
                     f"Allow with NotAction ({', '.join(not_actions)}) and no Condition grants every other action, "
                     f"including ones AWS adds later: {LEAST_PRIVILEGE}; if a broad grant is intended, "
                     f"{CONDITIONS}")
        admin = star or any(a.lower() == "iam:*" for a in actions) or bool(not_actions)
        if doc.kind == IDENTITY and admin and all_resources and not policy_has_mfa:
            self.add("SF9010", WARNING, path,
                     f"admin-like permissions in {doc.name} without an MFA condition: {MFA}")

    def set_operators(self, path: tuple, statement: Mapping) -> None:
        """ForAllValues/ForAnyValue belong on multivalued keys, and multivalued keys need them."""
        condition = statement.get("Condition")
        if not isinstance(condition, Mapping):
            return
        for operator, keys in condition.items():
            if not isinstance(keys, Mapping):
                continue
            qualified = str(operator).startswith(("ForAllValues:", "ForAnyValue:"))
            for key in keys:
                lowered = str(key).lower()
                if not lowered.startswith("aws:") or not action_list.is_known_global_key(lowered):
                    continue
                multivalued = lowered in action_list.MULTIVALUED_GLOBAL_KEYS
                if qualified and not multivalued:
                    self.add("SF9013", WARNING, path + ("Condition", operator),
                             f"{operator} on the single-valued key {key}: AWS advises against set operators on "
                             "single-valued keys, which can make a policy overly permissive (ForAllValues is "
                             "also true when the key is absent); use the plain operator")
                elif multivalued and not qualified and str(operator) != "Null":
                    self.add("SF9013", WARNING, path + ("Condition", operator),
                             f"{operator} on the multivalued key {key} without ForAllValues:/ForAnyValue:: "
                             "multivalued context keys need a condition set operator (AWS) to say whether all or "
                             "any of the request's values must match")

    def action(self, path: tuple, action: str) -> None:
        if action in ("*", "*:*"):
            return
        prefix, sep, name = action.partition(":")
        if not sep or not name:
            return  # grammar problems are SF9011's
        if not action_list.is_known_service(prefix):
            self.add("SF9007", WARNING, path,
                     f"unknown service prefix {prefix!r} in action {action!r}: an action that does not exist "
                     f"grants nothing (checked against the action list shipped with cfn-lint)")
        elif not action_list.is_known_action(action):
            what = "matches no action" if ("*" in action or "?" in action) else "is not an action"
            self.add("SF9007", WARNING, path,
                     f"{action!r} {what} of {prefix}: an action that does not exist grants nothing (checked "
                     f"against the action list shipped with cfn-lint)")

    def trust(self, path: tuple, statement: Mapping, conditioned: bool) -> None:
        principal = statement.get("Principal")
        anyone = principal == "*" or (
            isinstance(principal, Mapping) and "*" in _strings(principal.get("AWS"))
        )
        if anyone and not conditioned:
            self.add("SF9009", ERROR, path,
                     "the trust policy lets any principal (\"*\") assume this role with no Condition: name the "
                     "accounts, roles or services that may assume it; delegate by using roles with a trusted "
                     "principal (IAM best practice)")

    # --- template-wide -------------------------------------------------------------------

    def users_and_keys(self) -> None:
        for rid, res in resources_of(self.template).items():
            rtype = res.get("Type")
            raw = res.get("Properties")
            props = raw if isinstance(raw, Mapping) else {}
            base = ("Resources", rid)
            if rtype == "AWS::IAM::User":
                for prop in ("Policies", "ManagedPolicyArns"):
                    if props.get(prop):
                        self.add("SF9004", WARNING, base + ("Properties", prop),
                                 f"{prop} attached directly to the user {rid}: put the user in a group and attach "
                                 f"the policies to the group; {GROUPS}")
            elif rtype in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy") and props.get("Users"):
                self.add("SF9004", WARNING, base + ("Properties", "Users"),
                         f"the policy {rid} is attached directly to users: attach it to a group instead; {GROUPS}")
            elif rtype == "AWS::IAM::UserPolicy":
                self.add("SF9004", WARNING, base,
                         f"{rid} is an inline policy on a user: attach policies to a group instead; {GROUPS}")
            elif rtype == "AWS::IAM::AccessKey":
                self.add("SF9005", WARNING, base,
                         f"{rid} creates a long-term access key in the template: {NO_KEYS}")
        keys = {rid for rid, res in resources_of(self.template).items() if res.get("Type") == "AWS::IAM::AccessKey"}
        outputs = self.template.get("Outputs")
        if isinstance(outputs, Mapping):
            for name, output in outputs.items():
                if isinstance(output, Mapping) and _reads_secret(output.get("Value"), keys):
                    self.add("SF9006", ERROR, ("Outputs", name, "Value"),
                             f"output {name} exposes an access key's SecretAccessKey: anyone who can describe the "
                             f"stack can read it; {NO_KEYS}")


def _uses_policy_variables(value: Any, in_sub: bool = False) -> bool:
    """Does a plain string hold ${...}? Inside Fn::Sub a policy variable is written ${!...}."""
    if isinstance(value, str):
        return "${!" in value if in_sub else bool(_VAR.search(value))
    if isinstance(value, Mapping):
        return any(_uses_policy_variables(v, in_sub or k == "Fn::Sub") for k, v in value.items())
    if isinstance(value, list):
        return any(_uses_policy_variables(v, in_sub) for v in value)
    return False


def _reads_secret(value: Any, keys: set[str]) -> bool:
    if isinstance(value, Mapping):
        att = value.get("Fn::GetAtt")
        if isinstance(att, list) and len(att) == 2 and att[1] == "SecretAccessKey":
            return True
        if isinstance(att, str) and att.endswith(".SecretAccessKey"):
            return True
        sub = value.get("Fn::Sub")
        text = sub[0] if isinstance(sub, list) and sub else sub
        if isinstance(text, str) and any(f"${{{k}.SecretAccessKey}}" in text for k in keys):
            return True
        return any(_reads_secret(v, keys) for v in value.values())
    if isinstance(value, list):
        return any(_reads_secret(v, keys) for v in value)
    return False


@check(written=True)
def check_iam(ctx: CheckContext) -> None:
    ctx.diagnostics.extend(check_template(ctx.template, ctx.sources))


def check_template(template: dict, sources: SourceMap | None = None) -> list[Diagnostic]:
    """IAM findings for a template: SF9001-SF9013 (see docs/iam.md for the list)."""
    if not isinstance(template, Mapping):
        return []
    checker = _Checker(template, sources)
    for doc in discover(template):
        checker.document(doc)
    checker.users_and_keys()
    return checker.found
