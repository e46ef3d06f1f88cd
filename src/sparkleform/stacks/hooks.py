"""Hooks around stack operations (sfn's callbacks, Sceptre's hooks).

In sparkleform.toml, a command per event, for every stack of the project (`[hooks]`) or for
one stack (`[stacks.NAME.hooks]`, run after the project's):

    [hooks]
    after_create = "echo created $SPARKLEFORM_STACK"
    [stacks.vpc.hooks]
    before_update = "./check-window.sh"
    on_failure = "notify-send 'vpc failed: $SPARKLEFORM_STATUS'"

Events: before_create, after_create, before_update, after_update, before_destroy,
after_destroy, on_failure. A command runs with `sh -c` in the project's folder with
SPARKLEFORM_STACK, SPARKLEFORM_EVENT, SPARKLEFORM_STATUS, SPARKLEFORM_OUTPUTS (JSON) and one
SPARKLEFORM_OUTPUT_<Key> per output in its environment. A command that fails stops the
operation (a before_ hook: before anything changed) with HookFailed.

Packs add Python hooks through the `sparkleform.hooks` entry point group: a callable
`hook(event, stack, status, outputs)` called for every event, before the commands.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from typing import Any

from sparkleform.errors import SparkleformError

EVENTS = ("before_create", "after_create", "before_update", "after_update", "before_destroy", "after_destroy",
          "on_failure")
OPERATION_EVENT = {"create": "create", "update": "update", "delete": "destroy"}
ENTRY_POINT_GROUP = "sparkleform.hooks"

_python_hooks: list[Callable[..., Any]] | None = None


class HookFailed(SparkleformError):
    """A hook command exited non-zero (or a Python hook raised)."""


def python_hooks() -> list[Callable[..., Any]]:
    """The callables packs register under the `sparkleform.hooks` entry point group (loaded once)."""
    global _python_hooks
    if _python_hooks is None:
        from importlib.metadata import entry_points

        found = []
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            try:
                found.append(ep.load())
            except Exception as exc:  # a broken pack names itself, not a traceback
                raise HookFailed(f"hook entry point {ep.name} ({ep.value}) cannot be loaded: {exc}") from exc
        _python_hooks = found
    return _python_hooks


def register(hook: Callable[..., Any]) -> Callable[..., Any]:
    """Add a Python hook in this process (what an entry point does for a pack)."""
    python_hooks().append(hook)
    return hook


def commands_for(config: Any, stack: str, event: str) -> list[str]:
    """The commands of `event` for `stack`: the project's, then the stack's own."""
    out = []
    project = getattr(config, "hooks", None) or {}
    if project.get(event):
        out.append(project[event])
    cfg = (getattr(config, "stacks", None) or {}).get(stack)
    own = getattr(cfg, "hooks", None) or {}
    if own.get(event):
        out.append(own[event])
    return out


def run_hooks(config: Any, stack: str, event: str, status: str = "", outputs: dict[str, str] | None = None) -> None:
    """Run the Python hooks and the commands of `event` for `stack`; HookFailed if one fails."""
    outputs = dict(outputs or {})
    commands = commands_for(config, stack, event)
    hooks = python_hooks()
    if not commands and not hooks:
        return
    for hook in hooks:
        try:
            hook(event, stack, status, outputs)
        except SparkleformError:
            raise
        except Exception as exc:
            raise HookFailed(f"{event} hook {getattr(hook, '__name__', hook)!s} of stack {stack} failed: {exc}") from exc
    if not commands:
        return
    env = dict(os.environ, SPARKLEFORM_STACK=stack, SPARKLEFORM_EVENT=event, SPARKLEFORM_STATUS=status,
               SPARKLEFORM_OUTPUTS=json.dumps(outputs))
    for key, value in outputs.items():
        env[f"SPARKLEFORM_OUTPUT_{key}"] = str(value)
    cwd = getattr(config, "root", None)
    for command in commands:
        done = subprocess.run(["sh", "-c", command], cwd=cwd, env=env, check=False)
        if done.returncode != 0:
            raise HookFailed(f"{event} hook of stack {stack} failed (exit {done.returncode}): {command}")


__all__ = ["EVENTS", "HookFailed", "commands_for", "python_hooks", "register", "run_hooks"]
