"""simulate(): decide one request against identity, resource, boundary and session policies.

The decision follows AWS's "Policy evaluation logic" for a request within one account:

1. Any applicable Deny statement in any policy -> "explicitDeny".
2. An Allow in a resource-based policy that names the caller directly as an IAM user or
   a role session (assumed-role ARN) -> "allowed", even where a permissions boundary or
   session policy has no Allow (AWS: an implicit deny in those does not limit it).
3. Otherwise an Allow from an identity-based policy OR a resource-based policy is needed,
   AND, if a permissions boundary is set, an Allow in it, AND, if session policies are
   passed, an Allow in one of them -> "allowed"; else "implicitDeny".

Organizations SCPs/RCPs and cross-account evaluation are out of scope (see docs/iam.md).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sparkleform.iam.errors import PolicyError
from sparkleform.iam.policy import (
    BOUNDARY,
    IDENTITY,
    RESOURCE,
    SESSION,
    Policy,
    Statement,
    compile_policy,
)

ALLOWED = "allowed"
EXPLICIT_DENY = "explicitDeny"
IMPLICIT_DENY = "implicitDeny"

_USER_ARN = re.compile(r"^arn:[^:]+:iam::(\d{12}):user/(?:.*/)?([^/]+)$")
_SESSION_ARN = re.compile(r"^arn:[^:]+:sts::(\d{12}):(?:assumed-role|federated-user)/")
_ANY_ARN = re.compile(r"^arn:[^:]*:[^:]*:[^:]*:(\d{12}):")


@dataclass(frozen=True, slots=True)
class DecidingStatement:
    """A statement that decided (or contributed to) the answer, and where it lives."""

    kind: str  # identity / resource / boundary / session
    policy_index: int
    policy_name: str | None
    statement_index: int
    sid: str | None
    effect: str
    statement: dict
    origin: tuple = ()  # template path of the statement, when the policy came from a template

    @property
    def label(self) -> str:
        policy = self.policy_name or f"{self.kind} policy[{self.policy_index}]"
        sid = f" ({self.sid})" if self.sid else ""
        return f"{policy} Statement[{self.statement_index}]{sid}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "policy_index": self.policy_index,
            "policy_name": self.policy_name,
            "statement_index": self.statement_index,
            "sid": self.sid,
            "effect": self.effect,
            "statement": self.statement,
        }


@dataclass(frozen=True, slots=True)
class Result:
    """The decision for one request, with the statements that decided it."""

    decision: str
    action: str
    resource: str
    statements: tuple[DecidingStatement, ...] = ()
    reason: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def allowed(self) -> bool:
        return self.decision == ALLOWED

    def __bool__(self) -> bool:
        return self.allowed

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "resource": self.resource,
            "decision": self.decision,
            "reason": self.reason,
            "statements": [s.to_dict() for s in self.statements],
        }


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        import base64

        return base64.b64encode(value).decode("ascii")
    return str(value)


def normalize_context(context: Mapping[str, Any] | None, principal: str | None = None) -> dict[str, tuple[str, ...]]:
    """Condition keys lower-cased, every value a tuple of strings; principal keys filled in."""
    out: dict[str, tuple[str, ...]] = {}
    for key, value in (context or {}).items():
        if value is None:
            continue
        values = value if isinstance(value, list | tuple | set | frozenset) else [value]
        out[str(key).lower()] = tuple(_text(v) for v in values)
    if principal and principal.startswith("arn:"):
        out.setdefault("aws:principalarn", (principal,))
        account = _ANY_ARN.match(principal)
        if account:
            out.setdefault("aws:principalaccount", (account.group(1),))
        user = _USER_ARN.match(principal)
        if user:
            out.setdefault("aws:username", (user.group(2),))
    return out


PolicyInput = Any  # dict, JSON text or a compiled Policy


_COMPILED: dict[tuple[int, str, int], tuple[Any, Any, Policy]] = {}


def _compile_cached(item: Any, kind: str, index: int) -> Policy:
    """Compile a policy document, reusing the last compilation of an unchanged document.

    simulate() is often called in a loop with the same dicts; the cache is keyed on the
    object and checked against a snapshot, so a dict edited in place is compiled again.
    """
    if type(item) is not dict and not isinstance(item, Mapping):
        return compile_policy(item, kind, index=index)
    key = (id(item), kind, index)
    hit = _COMPILED.get(key)
    if hit is not None and hit[0] is item and hit[1] == item:
        return hit[2]
    policy = compile_policy(item, kind, index=index)
    if len(_COMPILED) > 512:
        _COMPILED.clear()
    _COMPILED[key] = (item, copy.deepcopy(item), policy)
    return policy


def _compile_all(policies: Iterable[PolicyInput] | PolicyInput, kind: str) -> list[Policy]:
    if policies is None:
        return []
    if type(policies) is not list and isinstance(policies, Mapping | str | bytes | Policy):
        policies = [policies]
    out = []
    for i, item in enumerate(policies):
        out.append(item if isinstance(item, Policy) else _compile_cached(item, kind, i))
    return out


def _deciding(statement: Statement) -> DecidingStatement:
    policy = statement.policy
    origin: tuple = ()
    if policy and policy.origin:
        listed = isinstance(policy.document.get("Statement"), list)
        origin = policy.origin + (("Statement", statement.index) if listed else ("Statement",))
    return DecidingStatement(
        kind=policy.kind if policy else IDENTITY,
        policy_index=policy.index if policy else 0,
        policy_name=policy.name if policy else None,
        statement_index=statement.index,
        sid=statement.sid,
        effect=statement.effect,
        statement=statement.raw,
        origin=origin,
    )


class Simulator:
    """A compiled set of policies that answers many requests quickly."""

    def __init__(
        self,
        policies: Iterable[PolicyInput] | PolicyInput = (),
        *,
        resource_policies: Iterable[PolicyInput] | PolicyInput = (),
        boundary: PolicyInput | None = None,
        session_policies: Iterable[PolicyInput] | PolicyInput = (),
    ) -> None:
        self.identity = _compile_all(policies, IDENTITY)
        self.resource = _compile_all(resource_policies, RESOURCE)
        self.boundary = _compile_all(boundary, BOUNDARY) if boundary is not None else []
        self.session = _compile_all(session_policies, SESSION)
        self._index: dict[tuple[str, str], list[Statement]] = {}

    def add(self, *, identity: Iterable[Policy] = (), resource: Iterable[Policy] = (),
            boundary: Policy | None = None) -> None:
        """Add compiled policies (a boundary replaces the current one)."""
        self.identity.extend(identity)
        self.resource.extend(resource)
        if boundary is not None:
            self.boundary = [boundary]
        self._index.clear()

    def _statements(self, kind: str, policies: list[Policy], action: str) -> list[Statement]:
        """The statements of these policies whose Action/NotAction covers this action, in order."""
        key = (kind, action.lower())
        found = self._index.get(key)
        if found is None:
            found = [st for p in policies for st in p.statements_for(action)]
            if len(self._index) > 8192:
                self._index.clear()
            self._index[key] = found
        return found

    def simulate(
        self,
        action: str,
        resource: str = "*",
        context: Mapping[str, Any] | None = None,
        principal: str | None = None,
    ) -> Result:
        if not isinstance(action, str) or (action != "*" and ":" not in action):
            raise PolicyError(f"{action!r} is not an action: use service:Action, e.g. s3:GetObject")
        if not isinstance(resource, str) or not resource:
            raise PolicyError("the resource must be an ARN (or '*')")
        ctx = normalize_context(context, principal)

        def applying(kind: str, policies: list[Policy], caller: str | None) -> tuple[list[Statement], list[Statement]]:
            allows: list[Statement] = []
            denies: list[Statement] = []
            if not policies:
                return allows, denies
            for st in self._statements(kind, policies, action):
                if (
                    st.matches_resource(resource, ctx)
                    and st.matches_principal(caller)
                    and all(clause.holds(ctx) for clause in st.conditions)
                ):
                    (allows if st.effect == "Allow" else denies).append(st)
            return allows, denies

        id_allow, id_deny = applying(IDENTITY, self.identity, None)
        res_allow, res_deny = applying(RESOURCE, self.resource, principal)
        bnd_allow, bnd_deny = applying(BOUNDARY, self.boundary, None)
        ses_allow, ses_deny = applying(SESSION, self.session, None)

        denies = id_deny + res_deny + bnd_deny + ses_deny
        if denies:
            return Result(
                EXPLICIT_DENY,
                action,
                resource,
                tuple(_deciding(s) for s in denies),
                "an explicit Deny applies; a Deny overrides any Allow",
            )
        direct = [s for s in res_allow if principal and _names_directly(s, principal)]
        if direct:
            return Result(
                ALLOWED,
                action,
                resource,
                tuple(_deciding(s) for s in direct),
                "a resource-based policy allows this user or role session by name",
            )
        grants = id_allow + res_allow
        if not grants:
            return Result(IMPLICIT_DENY, action, resource, (), "no identity-based or resource-based policy allows it")
        if self.boundary and not bnd_allow:
            return Result(
                IMPLICIT_DENY,
                action,
                resource,
                (),
                "allowed by a policy, but the permissions boundary does not allow it",
            )
        if self.session and not ses_allow:
            return Result(
                IMPLICIT_DENY, action, resource, (), "allowed by a policy, but no session policy allows it"
            )
        return Result(
            ALLOWED,
            action,
            resource,
            tuple(_deciding(s) for s in grants + bnd_allow + ses_allow),
            "allowed" + (" within the permissions boundary" if self.boundary else ""),
        )


def _names_directly(statement: Statement, principal: str) -> bool:
    """Does this resource-policy statement name a user or role-session ARN exactly?"""
    if not (_USER_ARN.match(principal) or _SESSION_ARN.match(principal)):
        return False
    spec = statement.principal
    if spec is None or spec.everyone:
        return False
    return principal in spec.values.get("AWS", ())


def simulate(
    policies: Iterable[PolicyInput] | PolicyInput,
    action: str,
    resource: str = "*",
    context: Mapping[str, Any] | None = None,
    resource_policies: Iterable[PolicyInput] | PolicyInput = (),
    boundary: PolicyInput | None = None,
    session_policies: Iterable[PolicyInput] | PolicyInput = (),
    principal: str | None = None,
) -> Result:
    """Decide whether `action` on `resource` is allowed by these policies.

    `policies` are identity-based policy documents (dicts, JSON text, or compiled
    Policy objects); `context` maps condition keys to a value or a list of values.
    Returns a Result with `.decision` "allowed", "explicitDeny" or "implicitDeny" and
    `.statements`, the deciding statements. Raises PolicyError for invalid policies.
    """
    return Simulator(
        policies, resource_policies=resource_policies, boundary=boundary, session_policies=session_policies
    ).simulate(action, resource, context, principal)


def simulate_many(
    simulator: Simulator, requests: Iterable[tuple[str, str, Mapping[str, Any] | None]], principal: str | None = None
) -> list[Result]:
    return [simulator.simulate(a, r, c, principal) for a, r, c in requests]


__all__ = [
    "ALLOWED",
    "EXPLICIT_DENY",
    "IMPLICIT_DENY",
    "DecidingStatement",
    "Result",
    "Simulator",
    "normalize_context",
    "simulate",
    "simulate_many",
]
