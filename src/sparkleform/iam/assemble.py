"""Which policies apply to whom in a template: a Simulator per role, user or group.

For a principal this gathers its inline policies, the template's AWS::IAM::Policy /
ManagedPolicy / *Policy resources attached to it (for a user, also through its groups),
managed policies referenced from ManagedPolicyArns that the template defines, its
permissions boundary, and every resource-based policy in the template. Values are
resolved with template.Resolver; AWS-managed or external policy ARNs cannot be read
offline and are reported as notes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sparkleform.iam.errors import PolicyError
from sparkleform.iam.evaluate import Simulator
from sparkleform.iam.policy import BOUNDARY, IDENTITY, RESOURCE, TRUST, Policy, compile_policy
from sparkleform.iam.template import (
    PRINCIPAL_TYPES,
    UNRESOLVED,
    PolicyDoc,
    Resolver,
    boundary_of,
    discover,
    groups_of,
    managed_policy_links,
    resources_of,
)


@dataclass
class PrincipalPolicies:
    """The policies that govern one principal, ready to simulate."""

    name: str  # logical id, or the ARN given
    arn: str | None
    simulator: Simulator
    notes: list[str] = field(default_factory=list)


def _compile(doc: PolicyDoc, resolver: Resolver, kind: str, index: int) -> Policy:
    return compile_policy(resolver.resolve(doc.document), kind, name=doc.name, index=index, origin=doc.path)


def _unresolved_notes(policies: list[Policy]) -> list[str]:
    return [
        f"{p.label}: values that cannot be known offline (Fn::ImportValue, unknown Ref, ...) match nothing, "
        "so statements using them neither allow nor deny"
        for p in policies
        if UNRESOLVED in repr(p.document)
    ]


def _trust(doc: PolicyDoc, resolver: Resolver, index: int) -> Policy:
    """A role's trust policy as a resource-based policy on that role: its statements get the
    role's ARN as Resource, so they decide sts:AssumeRole* requests on this role only."""
    document = resolver.resolve(doc.document)
    arn = resolver.arn_of(doc.resource_id)
    if isinstance(document, Mapping) and isinstance(document.get("Statement"), list | Mapping):
        statements = document.get("Statement")
        listed = statements if isinstance(statements, list) else [statements]
        scoped = [{**st, "Resource": arn} if isinstance(st, Mapping) and "Resource" not in st else st for st in listed]
        document = {**document, "Statement": scoped if isinstance(statements, list) else scoped[0]}
    policy = compile_policy(document, TRUST, name=doc.name, index=index, origin=doc.path)
    policy.kind = RESOURCE
    return policy


def principal_ids(template: Mapping) -> list[str]:
    return [rid for rid, res in resources_of(template).items() if res.get("Type") in PRINCIPAL_TYPES]


def for_principal(template: Mapping, principal: str | None, parameters: Mapping[str, str] | None = None
                  ) -> list[PrincipalPolicies]:
    """One PrincipalPolicies per principal asked for (or per role/user/group in the template).

    `principal` is a logical id of a role/user/group in the template, or an ARN; with an ARN
    that matches no template principal only the resource-based policies apply.
    """
    resolver = Resolver(template, parameters)
    docs = discover(template)
    # Another resource's broken policy must not stop the simulation: it is skipped with a note.
    skipped: list[str] = []
    resource_policies: list[Policy] = []
    for d in docs:
        if d.kind not in (RESOURCE, TRUST):
            continue
        try:
            index = len(resource_policies)
            compiled = _compile(d, resolver, RESOURCE, index) if d.kind == RESOURCE else _trust(d, resolver, index)
        except PolicyError as exc:
            skipped.append(f"{d.name} was not evaluated: {exc.message}")
            continue
        resource_policies.append(compiled)
    ids = principal_ids(template)
    if principal is None:
        targets = ids
        if not targets:
            identity = [d for d in docs if d.kind == IDENTITY]
            sim = Simulator([_compile(d, resolver, IDENTITY, i) for i, d in enumerate(identity)],
                            resource_policies=resource_policies)
            return [PrincipalPolicies("(all policies)", None, sim, skipped)]
    elif principal in ids:
        targets = [principal]
    else:
        by_arn = [rid for rid in ids if resolver.arn_of(rid) == principal]
        if not by_arn:
            sim = Simulator([], resource_policies=resource_policies)
            return [PrincipalPolicies(principal, principal, sim,
                                      [f"{principal} is not a role, user or group of this template: only "
                                       "resource-based policies apply", *skipped])]
        targets = by_arn
    out = [_gather(template, rid, docs, resolver, resource_policies) for rid in targets]
    if out:
        out[0].notes[:0] = skipped
    return out


def _gather(template: Mapping, rid: str, docs: list[PolicyDoc], resolver: Resolver,
            resource_policies: list[Policy]) -> PrincipalPolicies:
    notes: list[str] = []
    holders = [rid, *groups_of(template, rid)]
    managed: list[str] = []
    for holder in holders:
        local, external = managed_policy_links(template, holder)
        managed.extend(local)
        notes.extend(f"{holder}: managed policy {arn} is not in the template and was not evaluated" for arn in external)
    identity_docs = [
        d for d in docs
        if d.kind == IDENTITY and (any(h in d.attached_to for h in holders) or d.resource_id in managed)
    ]
    identity = [_compile(d, resolver, IDENTITY, i) for i, d in enumerate(identity_docs)]
    boundary = None
    local_boundary, external_boundary = boundary_of(template, rid)
    if local_boundary:
        for d in docs:
            if d.resource_id == local_boundary and d.kind == IDENTITY:
                boundary = compile_policy(resolver.resolve(d.document), BOUNDARY, name=f"{d.name} (boundary)",
                                          origin=d.path)
    elif external_boundary:
        notes.append(f"{rid}: permissions boundary {external_boundary} is not in the template and was not evaluated")
    sim = Simulator(identity, resource_policies=resource_policies, boundary=boundary)
    notes.extend(_unresolved_notes(identity + resource_policies + ([boundary] if boundary else [])))
    return PrincipalPolicies(rid, resolver.arn_of(rid), sim, notes)
