"""Policy documents read, validated and compiled into statements ready to match requests.

Grammar per AWS's "IAM JSON policy element reference": Version, Statement (one object or
a list), and per statement Sid, Effect, Action/NotAction, Resource/NotResource,
Principal/NotPrincipal, Condition. Actions match case-insensitively with `*`/`?`;
resources are case-sensitive ARN globs (see patterns.arn_regex).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sparkleform.iam.conditions import Clause, compile_condition
from sparkleform.iam.errors import PolicyError
from sparkleform.iam.patterns import arn_regex, has_variables, parse_value, resolve

IDENTITY = "identity"
RESOURCE = "resource"
BOUNDARY = "boundary"
SESSION = "session"
TRUST = "trust"  # a role's trust policy: a resource-based policy for sts:AssumeRole*

_ACTION = re.compile(r"^[A-Za-z0-9\-_*?]+:[A-Za-z0-9\-_*?]+$")
_PRINCIPAL_KINDS = ("AWS", "Service", "Federated", "CanonicalUser")
_STATEMENT_KEYS = {"Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Principal", "NotPrincipal", "Condition"}


def _as_list(value: Any, where: str, element: str) -> list[str]:
    items = value if isinstance(value, list) else [value]
    if not items:
        raise PolicyError(f"{where}: {element} is an empty list")
    for item in items:
        if not isinstance(item, str) or not item:
            raise PolicyError(f"{where}: {element} entries must be non-empty strings, not {item!r}")
    return items


def _action_regex(patterns: list[str], where: str) -> re.Pattern[str]:
    for pattern in patterns:
        if pattern != "*" and not _ACTION.match(pattern):
            raise PolicyError(f"{where}: {pattern!r} is not an action (use service:Action or '*')")
    return _action_regex_cached(tuple(patterns))


def action_prefixes(patterns: list[str]) -> frozenset[str] | None:
    """The service prefixes these Action patterns can match, or None when any service."""
    out = set()
    for pattern in patterns:
        prefix = pattern.partition(":")[0]
        if pattern == "*" or "*" in prefix or "?" in prefix:
            return None
        out.add(prefix.lower())
    return frozenset(out)


@lru_cache(maxsize=4096)
def _action_regex_cached(patterns: tuple[str, ...]) -> re.Pattern[str]:
    pieces = []
    for pattern in patterns:
        pieces.append("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern))
    return re.compile("(?:" + "|".join(pieces) + r")\Z", re.IGNORECASE)


@dataclass(slots=True)
class PrincipalSpec:
    """A Principal/NotPrincipal element: '*' or {kind: [values]}."""

    everyone: bool
    values: dict[str, tuple[str, ...]]


def _principal_spec(value: Any, where: str, element: str) -> PrincipalSpec:
    if value == "*":
        return PrincipalSpec(True, {})
    if not isinstance(value, Mapping) or not value:
        raise PolicyError(f"{where}: {element} must be \"*\" or an object such as {{\"AWS\": \"arn:...\"}}")
    values: dict[str, tuple[str, ...]] = {}
    for kind, entries in value.items():
        if kind not in _PRINCIPAL_KINDS:
            raise PolicyError(f"{where}: unknown {element} type {kind!r} (one of {', '.join(_PRINCIPAL_KINDS)})")
        values[kind] = tuple(_as_list(entries, where, f"{element}.{kind}"))
    return PrincipalSpec(False, values)


_ACCOUNT = re.compile(r"^\d{12}$")
_ARN = re.compile(r"^arn:([^:]*):([^:]*):([^:]*):([^:]*):(.*)$")


def principal_kind(principal: str) -> str:
    """Which Principal block names this caller: AWS, Service, Federated or '*' (anonymous)."""
    if principal == "*":
        return "*"
    if principal.endswith((".amazonaws.com", ".amazonaws.com.cn")) and not principal.startswith("arn:"):
        return "Federated" if principal.startswith("cognito-identity.") else "Service"
    if principal.startswith("arn:") and (":saml-provider/" in principal or ":oidc-provider/" in principal):
        return "Federated"
    if principal.startswith("arn:") or _ACCOUNT.match(principal):
        return "AWS"
    return "Federated"  # accounts.google.com, graph.facebook.com, www.amazon.com


def _aws_principal_matches(entry: str, caller: str) -> bool:
    if entry == "*" or entry == caller:
        return True
    caller_arn = _ARN.match(caller)
    caller_account = caller if _ACCOUNT.match(caller) else (caller_arn.group(4) if caller_arn else None)
    if _ACCOUNT.match(entry):
        return entry == caller_account
    entry_arn = _ARN.match(entry)
    if entry_arn is None or caller_arn is None:
        return False
    if entry_arn.group(2) == "iam" and entry_arn.group(5) == "root":
        return entry_arn.group(4) == caller_account
    # A role ARN names every session of that role (arn:aws:sts::ACCT:assumed-role/NAME/session).
    if entry_arn.group(2) == "iam" and entry_arn.group(5).startswith("role/") and caller_arn.group(2) == "sts":
        role_name = entry_arn.group(5).rsplit("/", 1)[-1]
        resource = caller_arn.group(5)
        return (
            entry_arn.group(4) == caller_arn.group(4)
            and resource.startswith("assumed-role/")
            and resource.split("/")[1] == role_name
        )
    return False


def principal_matches(spec: PrincipalSpec, caller: str) -> bool:
    if spec.everyone:
        return True
    kind = principal_kind(caller)
    if kind == "*":
        return "*" in spec.values.get("AWS", ())
    if kind == "AWS":
        return any(_aws_principal_matches(entry, caller) for entry in spec.values.get("AWS", ()))
    return caller in spec.values.get(kind, ()) or "*" in spec.values.get(kind, ())


@dataclass(slots=True)
class Statement:
    """One compiled statement and where it came from."""

    effect: str
    sid: str | None
    index: int
    raw: dict
    actions: re.Pattern[str] | None
    not_actions: re.Pattern[str] | None
    resources: tuple | None  # parsed parts per entry
    not_resources: tuple | None
    static_resources: re.Pattern[str] | None  # all entries combined when no variables
    principal: PrincipalSpec | None
    not_principal: PrincipalSpec | None
    conditions: tuple[Clause, ...]
    policy: Policy | None = None
    prefixes: frozenset[str] | None = None  # services the Action element can match; None: any

    def matches_action(self, action: str) -> bool:
        if self.actions is not None:
            return self.actions.match(action) is not None
        return self.not_actions.match(action) is None  # type: ignore[union-attr]

    def _resource_hit(self, entries: tuple, resource: str, context: Mapping[str, Sequence[str]]) -> bool:
        for parts in entries:
            if parts == ("*",):
                return True
            resolved = resolve(parts, context)
            if resolved is not None and arn_regex(resolved, True).match(resource) is not None:
                return True
        return False

    def matches_resource(self, resource: str, context: Mapping[str, Sequence[str]]) -> bool:
        if self.static_resources is not None:
            hit = self.static_resources.match(resource) is not None
            return hit if self.resources is not None else not hit
        if self.resources is not None:
            return self._resource_hit(self.resources, resource, context)
        if self.not_resources is not None:
            return not self._resource_hit(self.not_resources, resource, context)
        return True

    def matches_principal(self, caller: str | None) -> bool:
        if caller is None:
            return True
        if self.principal is not None:
            return principal_matches(self.principal, caller)
        if self.not_principal is not None:
            return not principal_matches(self.not_principal, caller)
        return True

    def applies(self, action: str, resource: str, context: Mapping[str, Sequence[str]], caller: str | None) -> bool:
        return (
            self.matches_action(action)
            and self.matches_resource(resource, context)
            and self.matches_principal(caller)
            and all(clause.holds(context) for clause in self.conditions)
        )


@dataclass(slots=True)
class Policy:
    """A compiled policy document: its statements, its kind, a name and an origin."""

    statements: tuple[Statement, ...]
    kind: str
    name: str | None = None
    index: int = 0
    document: dict = field(default_factory=dict)
    origin: tuple = ()  # template path of the document, when it came from a template

    _by_action: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def label(self) -> str:
        return self.name if self.name else f"policy[{self.index}]"

    def statements_for(self, action: str) -> list[Statement]:
        """Statements whose Action/NotAction covers `action` (kept per action: it is all
        that part of the match depends on)."""
        key = action.lower()
        found = self._by_action.get(key)
        if found is None:
            prefix = key.partition(":")[0]
            found = [
                st for st in self.statements
                if (st.prefixes is None or prefix in st.prefixes) and st.matches_action(action)
            ]
            if len(self._by_action) > 4096:
                self._by_action.clear()
            self._by_action[key] = found
        return found


def _static_combined(entries: tuple) -> re.Pattern[str] | None:
    if any(has_variables(p) for p in entries):
        return None
    regexes = [arn_regex(((p[0], True),), True).pattern[:-2] for p in entries]  # strip "\Z"
    return re.compile("(?:" + "|".join(regexes) + r")\Z", re.DOTALL)


def load_document(document: Any) -> dict:
    """A policy as a dict, from a dict or JSON text."""
    if isinstance(document, str | bytes):
        try:
            document = json.loads(document)
        except ValueError as exc:
            raise PolicyError(f"policy is not valid JSON: {exc}") from exc
    if not isinstance(document, Mapping):
        raise PolicyError(f"a policy document must be a JSON object, not {type(document).__name__}")
    return dict(document)


def compile_policy(
    document: Any, kind: str = IDENTITY, *, name: str | None = None, index: int = 0, origin: tuple = ()
) -> Policy:
    """Validate one policy document (dict or JSON text) and compile its statements."""
    doc = load_document(document)
    label = name or f"policy[{index}]"
    version = doc.get("Version")
    if version is not None and version not in ("2012-10-17", "2008-10-17"):
        raise PolicyError(f"{label}: Version must be \"2012-10-17\" or \"2008-10-17\", not {version!r}")
    if "Statement" not in doc:
        raise PolicyError(f"{label}: the policy has no Statement")
    raw_statements = doc["Statement"]
    if isinstance(raw_statements, Mapping):
        raw_statements = [raw_statements]
    if not isinstance(raw_statements, list):
        raise PolicyError(f"{label}: Statement must be an object or a list of objects")
    variables = version == "2012-10-17"
    policy = Policy((), kind, name, index, doc, origin)
    compiled = []
    for i, raw in enumerate(raw_statements):
        compiled.append(_compile_statement(raw, i, kind, label, variables, policy))
    policy.statements = tuple(compiled)
    return policy


def _compile_statement(raw: Any, i: int, kind: str, label: str, variables: bool, policy: Policy) -> Statement:
    where = f"{label} Statement[{i}]"
    if not isinstance(raw, Mapping):
        raise PolicyError(f"{where}: a statement must be an object")
    sid = raw.get("Sid")
    if sid is not None:
        where = f"{label} Statement[{i}] ({sid})"
    unknown = set(raw) - _STATEMENT_KEYS
    if unknown:
        raise PolicyError(f"{where}: unknown statement element(s) {', '.join(sorted(map(str, unknown)))}")
    effect = raw.get("Effect")
    if effect not in ("Allow", "Deny"):
        raise PolicyError(f"{where}: Effect must be \"Allow\" or \"Deny\", not {effect!r}")
    if ("Action" in raw) == ("NotAction" in raw):
        raise PolicyError(f"{where}: a statement needs exactly one of Action or NotAction")
    if "Resource" in raw and "NotResource" in raw:
        raise PolicyError(f"{where}: a statement cannot have both Resource and NotResource")
    if "Principal" in raw and "NotPrincipal" in raw:
        raise PolicyError(f"{where}: a statement cannot have both Principal and NotPrincipal")
    has_principal = "Principal" in raw or "NotPrincipal" in raw
    if kind in (IDENTITY, BOUNDARY, SESSION):
        if has_principal:
            raise PolicyError(
                f"{where}: Principal/NotPrincipal belongs in resource-based and trust policies, not {kind} policies"
            )
        if "Resource" not in raw and "NotResource" not in raw:
            raise PolicyError(f"{where}: an {kind} policy statement needs Resource or NotResource")
    elif not has_principal:
        raise PolicyError(f"{where}: a {kind}-based policy statement needs Principal or NotPrincipal")

    action_list = _as_list(raw["Action"], where, "Action") if "Action" in raw else None
    actions = _action_regex(action_list, where) if action_list is not None else None
    not_actions = _action_regex(_as_list(raw["NotAction"], where, "NotAction"), where) if "NotAction" in raw else None
    resources = not_resources = None
    static = None
    if "Resource" in raw:
        resources = tuple(parse_value(r, variables) for r in _as_list(raw["Resource"], where, "Resource"))
        static = _static_combined(resources)
    elif "NotResource" in raw:
        not_resources = tuple(parse_value(r, variables) for r in _as_list(raw["NotResource"], where, "NotResource"))
        static = _static_combined(not_resources)
    principal = _principal_spec(raw["Principal"], where, "Principal") if "Principal" in raw else None
    not_principal = _principal_spec(raw["NotPrincipal"], where, "NotPrincipal") if "NotPrincipal" in raw else None
    conditions = compile_condition(raw["Condition"], where, variables) if "Condition" in raw else ()
    return Statement(
        effect=effect,
        sid=sid if isinstance(sid, str) else None,
        index=i,
        raw=dict(raw),
        actions=actions,
        not_actions=not_actions,
        resources=resources,
        not_resources=not_resources,
        static_resources=static,
        principal=principal,
        not_principal=not_principal,
        conditions=conditions,
        policy=policy,
        prefixes=action_prefixes(action_list) if action_list is not None else None,
    )
