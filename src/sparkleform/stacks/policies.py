"""Stack policies written in the DSL (dsl/stack_policy.py), applied after a create or update
to every nested stack of the tree: each nested stack gets the policy its own template carries
(the root gets its own with the operation itself, StackOptions.stack_policy), as sfn's
stack-policy callback does. Only providers that set a policy alone (Capability.STACK_POLICIES)
can; a policy already in place is left alone."""

from __future__ import annotations

from sparkleform.contract import Stack, has_stack_policies
from sparkleform.errors import SparkleformError
from sparkleform.stacks.context import StackContext
from sparkleform.stacks.tree import NESTED_STACK, stack_tree


def apply_nested_policies(ctx: StackContext, stack: Stack) -> list[str]:
    """Set on each nested stack of `stack` the policy of its template; returns the paths set."""
    provider = ctx.provider
    if not has_stack_policies(provider) or not any(r.resource_type == NESTED_STACK for r in stack.resources):
        return []
    from sparkleform.dsl.stack_policy import policy_of  # the DSL package only when it is needed

    done: list[str] = []
    for path, member in stack_tree(provider, stack)[1:]:
        try:
            policy = policy_of(provider.template_of(member.stack_id))
            if policy is None or provider.stack_policy(member.stack_id) == policy:
                continue
            provider.set_stack_policy(member.stack_id, policy)
        except SparkleformError as exc:
            raise SparkleformError(f"stack policy of nested stack {path} of {stack.name}: {exc.message}") from exc
        done.append(path)
    if done:
        ctx.reporter.note(f"stack policy set on nested stack(s) {', '.join(done)} of {stack.name}")
    return done
