"""Shell completion: the `completion` verb that prints the script, and what TEMPLATE and STACK
arguments complete to (template names and template files; stack names from the local state
and sparkleform.toml), plus the "did you mean" suggestions built from the same lists.

Click drives completion through the `_SPARKLEFORM_COMPLETE` environment variable; the lazy
group attaches these completers to a verb's arguments only while completing, so normal runs
never import this module.
"""

from __future__ import annotations

import contextlib
import difflib
import os
from pathlib import Path
from typing import Any

import click

COMPLETE_VAR = "_SPARKLEFORM_COMPLETE"
TEMPLATE_SUFFIXES = (".py", ".json", ".yaml", ".yml", ".template")
TEMPLATE_PARAMS = {"target", "targets", "template"}
STACK_PARAMS = {"stack", "stacks"}
SHELLS = ("bash", "zsh", "fish")


def completing() -> bool:
    return COMPLETE_VAR in os.environ


def _settings(ctx: click.Context) -> Any:
    from sparkleform.cli.context import Settings

    return ctx.find_root().find_object(Settings) or Settings()


def template_names(settings: Any) -> list[str]:
    """Template names of the project's collection and packs (nothing when the collection is broken)."""
    try:
        from sparkleform.targets import collection_for

        return [e.name for e in collection_for(settings.config).all("template")]
    except Exception:  # a half-written template must not break the user's shell
        return []


def stack_names(settings: Any) -> list[str]:
    """Stacks of the local state (read only when the state file exists) and of sparkleform.toml."""
    names: list[str] = []
    with contextlib.suppress(Exception):  # a broken sparkleform.toml must not break the shell
        names.extend(settings.config.stacks)
    try:
        state = Path(settings.state_path())
        if settings.provider_name() == "local" and state.is_file():
            names.extend(_local_stack_names(state))
    except Exception:
        pass
    return sorted(set(names))


def _local_stack_names(state: Path) -> list[str]:
    """A read-only peek at the engine's state file: a few milliseconds, where loading the engine
    takes half a second a keypress. Falls back to the provider if the file's layout changed."""
    import sqlite3

    try:
        with sqlite3.connect(f"file:{state}?mode=ro", uri=True, timeout=0.2) as db:
            return [r[0] for r in db.execute("SELECT DISTINCT name FROM stacks WHERE deleted IS NULL")]
    except sqlite3.Error:
        from sparkleform.providers import get_provider

        return [s.name for s in get_provider("local", state=str(state)).list_stacks()]


def _template_files(incomplete: str) -> list[str]:
    folder, _, prefix = incomplete.rpartition("/")
    base = Path(folder or ".")
    try:
        entries = sorted(base.iterdir())
    except OSError:
        return []
    found = []
    for entry in entries:
        if not entry.name.startswith(prefix) or (entry.name.startswith(".") and not prefix.startswith(".")):
            continue
        if entry.is_dir() or entry.suffix.lower() in TEMPLATE_SUFFIXES:
            found.append((f"{folder}/" if folder else "") + entry.name + ("/" if entry.is_dir() else ""))
    return found


def complete_template(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    from click.shell_completion import CompletionItem

    names = [n for n in template_names(_settings(ctx)) if n.startswith(incomplete)]
    files = _template_files(incomplete)
    if not names and (not files or any(f.endswith("/") for f in files)):
        # Only paths match: let the shell complete them (it walks into folders properly).
        return [CompletionItem(incomplete, type="file")]
    return [CompletionItem(n, help="template") for n in names] + [CompletionItem(f) for f in files]


def complete_stack(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    from click.shell_completion import CompletionItem

    return [CompletionItem(n) for n in stack_names(_settings(ctx)) if n.startswith(incomplete)]


def complete_describe(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    """`describe FIRST`: a kind of collection part, or a stack."""
    from click.shell_completion import CompletionItem

    kinds = [CompletionItem(k, help="collection part") for k in ("component", "dynamic", "registry", "template")
             if k.startswith(incomplete)]
    return kinds + complete_stack(ctx, param, incomplete)


def attach(command: click.Command) -> click.Command:
    """Give the command's TEMPLATE and STACK arguments (and its subcommands') their completers."""
    for param in command.params:
        if not isinstance(param, click.Argument) or param._custom_shell_complete is not None:
            continue
        if command.name == "describe" and param.name == "first":
            param._custom_shell_complete = complete_describe
        elif param.name in TEMPLATE_PARAMS:
            param._custom_shell_complete = complete_template
        elif param.name in STACK_PARAMS:
            param._custom_shell_complete = complete_stack
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            attach(sub)
    return command


def suggest(word: str, candidates: list[str]) -> str | None:
    """The closest candidate to `word`, if one is close enough to be a likely typo."""
    lowered = {c.lower(): c for c in candidates}
    if word.lower() in lowered and lowered[word.lower()] != word:
        return lowered[word.lower()]
    match = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[match[0]] if match else None


def stack_hint(exc: Exception, args: list[str]) -> str | None:
    """For a "stack X does not exist" error: the nearest stack name of the local state/config."""
    if type(exc).__name__ != "StackNotFound":
        return None
    from sparkleform.cli.context import Settings

    def option(name: str) -> str | None:
        for i, arg in enumerate(args):
            if arg == name and i + 1 < len(args):
                return args[i + 1]
            if arg.startswith(name + "="):
                return arg.split("=", 1)[1]
        return None

    settings = Settings(state=option("--state"), config_path=option("--config"), provider=option("--provider"))
    names = stack_names(settings)
    message = str(exc)
    typed = [a for a in args if not a.startswith("-") and a in message]
    for word in typed:
        hit = suggest(word, names)
        if hit and hit != word:
            return f"did you mean {hit!r}? (`sparkleform list-stacks` lists them)"
    return None


@click.command("completion")
@click.argument("shell", type=click.Choice(SHELLS))
def completion_cmd(shell: str) -> None:
    """Print the shell completion script for SHELL.

    Verbs, options, template names (and template files) and stack names (from the local
    state and sparkleform.toml) complete.

    \b
    Example:
      sparkleform completion bash > ~/.local/share/bash-completion/completions/sparkleform
      eval "$(sparkleform completion zsh)"          # in ~/.zshrc
      sparkleform completion fish > ~/.config/fish/completions/sparkleform.fish
    """
    from click.shell_completion import get_completion_class

    from sparkleform.cli.main import cli

    cls = get_completion_class(shell)
    assert cls is not None  # the Choice admits only shells click knows
    click.echo(cls(cli, {}, "sparkleform", COMPLETE_VAR).source())
