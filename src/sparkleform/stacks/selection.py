"""Stacks named by the user as names or globs (`destroy 'my-app-*' other`), as sfn takes them.

`select_stacks(provider, patterns)` -> the stack names, in the order given (a glob's matches in
the provider's listing order). A nested stack is left out when a stack that contains it is
selected too: deleting the parent deletes it. A plain name that does not exist is an error;
a glob that matches nothing is one too.
"""

from __future__ import annotations

import fnmatch

from sparkleform.contract import Provider, StackNotFound
from sparkleform.stacks.tree import stack_tree

GLOB_CHARS = "*?["


def select_stacks(provider: Provider, patterns: list[str]) -> list[str]:
    listed: list[str] | None = None
    chosen: list[str] = []
    for pattern in patterns:
        if any(c in pattern for c in GLOB_CHARS):
            if listed is None:
                listed = [s.name for s in provider.list_stacks() if not s.status.startswith("DELETE_COMPLETE")]
            matches = [n for n in listed if fnmatch.fnmatchcase(n, pattern)]
            if not matches:
                raise StackNotFound(f"no stack matches {pattern}")
        else:
            if not provider.stack_exists(pattern):
                raise StackNotFound(f"Stack with id {pattern} does not exist")
            matches = [pattern]
        chosen.extend(m for m in matches if m not in chosen)
    contained: set[str] = set()
    for name in chosen:
        for _path, member in stack_tree(provider, provider.describe_stack(name))[1:]:
            contained.add(member.name)
    return [n for n in chosen if n not in contained]


__all__ = ["select_stacks"]
