"""Stack policies written in the DSL, as SparkleFormation's `policy` blocks: per resource
(`t.resources.db.policy.deny = "Replace"`, compiled to a `Policy` key that is taken out of the
resource) and for the template (`t.stack_policy(allow=..., deny=...)`). The compiled template
carries the policy document in its Metadata under `Sparkleform::StackPolicy`; the stack flows
apply it on create/update to the stack and to every nested stack (each nested template has
its own).

As SparkleFormation generates it, the document ends with `Allow Update:* on *`, so a policy
only restricts what it names (CloudFormation denies everything else once a stack has one).
"""

from __future__ import annotations

from typing import Any

from sparkleform.errors import TemplateError

METADATA_KEY = "Sparkleform::StackPolicy"
ACTIONS = ("Modify", "Replace", "Delete", "*")


def _actions(value: Any, where: str) -> list[str]:
    items = value if isinstance(value, list | tuple) else [value]
    out = []
    for item in items:
        text = str(item)
        bare = text.removeprefix("Update:")
        if bare not in ACTIONS:
            raise TemplateError(f"{where}: stack policy action {text!r} is none of {', '.join(ACTIONS)}")
        out.append(f"Update:{bare}")
    return out


def statements_for(effect: str, spec: Any, where: str) -> list[dict[str, Any]]:
    """Statements of `effect` from `{resource: actions}` (a logical id or `*`), or from actions
    alone (every resource)."""
    if spec is None:
        return []
    if not isinstance(spec, dict):
        spec = {"*": spec}
    return [
        {
            "Effect": effect,
            "Action": _actions(actions, where),
            "Resource": "*" if resource == "*" else f"LogicalResourceId/{resource}",
            "Principal": "*",
        }
        for resource, actions in spec.items()
    ]


def build_policy(template: dict[str, Any], declared: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Take the resources' `Policy` keys out of `template` (changed in place) and return the
    policy document of them and the `declared` statements, or None when there are none."""
    statements = list(declared)
    resources = template.get("Resources")
    for logical, body in (resources.items() if isinstance(resources, dict) else []):
        if not isinstance(body, dict) or "Policy" not in body:
            continue
        block = body.pop("Policy")
        if not isinstance(block, dict):
            raise TemplateError(f"Resources.{logical}.Policy: write allow / deny (policy.deny = \"Replace\")")
        for effect, actions in block.items():
            name = str(effect).capitalize()
            if name not in ("Allow", "Deny"):
                raise TemplateError(f"Resources.{logical}.Policy.{effect}: a stack policy says Allow or Deny")
            statements += statements_for(name, {logical: actions}, f"Resources.{logical}.Policy")
    if not statements:
        return None
    allow_all = {"Effect": "Allow", "Action": "Update:*", "Resource": "*", "Principal": "*"}
    if allow_all not in statements:
        statements.append(allow_all)
    return {"Statement": statements}


def policy_of(template: dict[str, Any] | None) -> dict[str, Any] | None:
    """The stack policy a compiled template carries, or None."""
    metadata = (template or {}).get("Metadata")
    policy = metadata.get(METADATA_KEY) if isinstance(metadata, dict) else None
    return policy if isinstance(policy, dict) else None
