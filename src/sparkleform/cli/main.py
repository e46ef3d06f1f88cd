"""Entry point: the click group, lazy verb loading, global options anywhere, error handling.

Verbs are registered by name -> "module:attribute" so `sparkleform --help` imports no
verb module, and `compile` never imports boto3, rich or cfn-lint.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys

import click

from sparkleform.cli.context import Settings

COMMANDS: dict[str, str] = {
    "new": "sparkleform.cli.build:new_cmd",
    "compile": "sparkleform.cli.build:compile_cmd",
    "list": "sparkleform.cli.build:list_cmd",
    "describe": "sparkleform.cli.describe:describe_cmd",
    "trace": "sparkleform.cli.trace:trace_cmd",
    "validate": "sparkleform.cli.validate:validate_cmd",
    "graph": "sparkleform.cli.graph:graph_cmd",
    "convert": "sparkleform.cli.formats:convert_cmd",
    "import": "sparkleform.cli.formats:import_cmd",
    "create": "sparkleform.cli.stacks:create_cmd",
    "plan": "sparkleform.cli.stacks:plan_cmd",
    "update": "sparkleform.cli.stacks:update_cmd",
    "deploy": "sparkleform.cli.deploy:deploy_cmd",
    "config": "sparkleform.cli.config_cmd:config_cmd",
    "execute": "sparkleform.cli.stacks:execute_cmd",
    "destroy": "sparkleform.cli.stacks:destroy_cmd",
    "events": "sparkleform.cli.stack_reads:events_cmd",
    "outputs": "sparkleform.cli.stack_reads:outputs_cmd",
    "list-stacks": "sparkleform.cli.stack_reads:list_stacks_cmd",
    "inspect": "sparkleform.cli.inspect:inspect_cmd",
    "recover": "sparkleform.cli.stacks:recover_cmd",
    "drift": "sparkleform.cli.drift:drift_cmd",
    "up": "sparkleform.cli.stack_groups:up_cmd",
    "down": "sparkleform.cli.stack_groups:down_cmd",
    "iam": "sparkleform.cli.iam:iam_group",
    "nat-agent": "sparkleform.cli.nat:nat_group",
    "federation": "sparkleform.cli.federation:federation_group",
    "fmt": "sparkleform.cli.formats:fmt_cmd",
    "completion": "sparkleform.cli.completion:completion_cmd",
}

SHORT_HELP: dict[str, str] = {
    "new": "Make a starter collection.",
    "compile": "Compile a template to CloudFormation JSON or YAML.",
    "list": "List components, dynamics, registry entries and templates.",
    "describe": "Describe a dynamic/component/template, or a stack.",
    "trace": "Show which part and file:line set each key of a template.",
    "validate": "Check a template against the CloudFormation schemas.",
    "graph": "Draw a template's resources and their dependencies.",
    "convert": "Convert a template between JSON and YAML.",
    "import": "Translate a JSON/YAML template into sparkleform Python.",
    "create": "Create a stack.",
    "plan": "Show what an update would change.",
    "update": "Update a stack (plan, confirm, apply).",
    "deploy": "Create a stack, or update it when it exists.",
    "config": "Show the effective configuration and its sources.",
    "execute": "Execute a change set left by --plan-only.",
    "destroy": "Delete a stack.",
    "events": "Show a stack's event history.",
    "outputs": "Show a stack's outputs.",
    "list-stacks": "List stacks and their status.",
    "inspect": "Show a stack's resources, physical ids and attributes.",
    "recover": "Roll back an operation that was cut off.",
    "drift": "Detect resources changed outside a stack.",
    "up": "Deploy the stack group from sparkleform.toml.",
    "down": "Tear down the stack group.",
    "iam": "IAM policy simulation.",
    "nat-agent": "The NAT high-availability agent.",
    "federation": "The AD federation proxy (console sign-in).",
    "fmt": "Format JSON/YAML templates, keeping comments and key order.",
    "completion": "Print the shell completion script (bash, zsh, fish).",
}

# Global options and whether they take a value; accepted before or after the verb.
GLOBAL_OPTIONS: dict[str, bool] = {
    "--provider": True,
    "--region": True,
    "--profile": True,
    "--endpoint-url": True,
    "--state": True,
    "--output": True,
    "--config": True,
    "--env": True,
    "--apply-nesting": True,
    "--no-color": False,
    "--no-change-sets": False,
    "-v": False,
    "--verbose": False,
}


def _available(name: str) -> bool:
    module = COMMANDS[name].split(":", 1)[0]
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name in COMMANDS if _available(name)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands:  # added with add_command (plugins, tests)
            return self.commands[cmd_name]
        target = COMMANDS.get(cmd_name)
        if target is None or not _available(cmd_name):
            return None
        module_name, attr = target.split(":", 1)
        module = importlib.import_module(module_name)
        command = getattr(module, attr)
        from sparkleform.cli.examples import decorate

        decorate(cmd_name, command)
        if "_SPARKLEFORM_COMPLETE" in os.environ:  # only while the shell asks for completions
            from sparkleform.cli.completion import attach

            attach(command)
        return command

    def resolve_command(self, ctx: click.Context, args: list[str]):
        name = args[0] if args else ""
        if args and not name.startswith("-") and self.get_command(ctx, name) is None \
                and not ctx.resilient_parsing:
            from sparkleform.cli.completion import suggest

            hint = suggest(name, self.list_commands(ctx))
            ctx.fail(f"No such command {name!r}." + (f" Did you mean {hint!r}?" if hint else "")
                     + " See 'sparkleform --help'.")
        return super().resolve_command(ctx, args)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, SHORT_HELP.get(name, "")) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--provider", type=click.Choice(["local", "aws"]), help="Where stacks run (default: local).")
@click.option("--region", help="AWS region.")
@click.option("--profile", help="AWS profile (boto3's standard chain).")
@click.option("--endpoint-url", help="CloudFormation endpoint (LocalStack, moto_server).")
@click.option("--state", help="Local engine state file (default ./.sparkleform/state.db).")
@click.option("--output", type=click.Choice(["text", "json"]), default="text", help="Output format for read verbs.")
@click.option("--config", "config_path", help="Path to sparkleform.toml (default: found upwards from here).")
@click.option("--env", "env", help="Environment of sparkleform.toml to lay over the base ([env.NAME]).")
@click.option("--apply-nesting", type=click.Choice(["deep", "shallow", "none"]),
              help="Wire nested stacks' parameters (default deep, or sparkleform.toml's apply_nesting).")
@click.option("--no-color", is_flag=True, help="No colours.")
@click.option("--no-change-sets", is_flag=True, help="Create/update with CreateStack/UpdateStack (aws).")
@click.option("-v", "--verbose", count=True, help="Show tracebacks and more detail.")
@click.version_option(package_name="sparkleform")
@click.pass_context
def cli(ctx: click.Context, provider, region, profile, endpoint_url, state, output, config_path, env, apply_nesting,
        no_color, no_change_sets, verbose):
    """sparkleform: write CloudFormation in Python, check it, and run it as stacks."""
    if endpoint_url:
        from sparkleform.inputs import check_endpoint_url

        check_endpoint_url(endpoint_url)
    ctx.obj = Settings(
        provider=provider,
        region=region,
        profile=profile,
        endpoint_url=endpoint_url,
        state=state,
        output=output,
        color=not no_color and not os.environ.get("NO_COLOR"),
        verbose=verbose,
        config_path=config_path,
        env=env,
        change_sets=False if no_change_sets else None,
        apply_nesting=apply_nesting,
    )


def hoist_global_options(argv: list[str]) -> list[str]:
    """Move global options that follow the verb to the front, as the aws CLI allows."""
    front: list[str] = []
    rest: list[str] = []
    i = 0
    seen_verb = False
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            rest.extend(argv[i:])
            break
        name, eq, _ = arg.partition("=")
        if seen_verb and name in GLOBAL_OPTIONS:
            takes_value = GLOBAL_OPTIONS[name]
            if takes_value and not eq and i + 1 < len(argv):
                front.extend(argv[i : i + 2])
                i += 2
                continue
            front.append(arg)
            i += 1
            continue
        if not seen_verb and not arg.startswith("-"):
            prev = argv[i - 1] if i else ""
            if not (GLOBAL_OPTIONS.get(prev)):
                seen_verb = True
        (rest if seen_verb else front).append(arg)
        i += 1
    return front + rest


def main(argv: list[str] | None = None) -> None:
    """Console-script entry: run the CLI and turn our errors into messages and exit codes."""
    from sparkleform.errors import SparkleformError

    args = hoist_global_options(list(sys.argv[1:] if argv is None else argv))
    verbose = any(a in ("-v", "--verbose") or a.startswith("-vv") for a in args)
    try:
        # Without standalone mode click *returns* the code of ctx.exit(n) instead of raising.
        code = cli.main(args=args, prog_name="sparkleform", standalone_mode=False)
    except SparkleformError as exc:
        from sparkleform.secrets import mask

        if verbose:
            import traceback

            sys.stderr.write(mask(traceback.format_exc()))
        click.echo(mask(f"error: {exc}"), err=True)
        if not exc.hint:
            from sparkleform.cli.completion import stack_hint

            hint = stack_hint(exc, args)
            if hint:
                click.echo(mask(f"  hint: {hint}"), err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        _stdout_closed()
        sys.exit(0)
    except SystemExit:
        # click's own EPIPE handling swaps stdout for its (_)PacifyFlushWrapper (named, not
        # imported: click 8.5 deprecates the attribute and warns when it is read)
        if type(sys.stdout).__name__.lstrip("_") == "PacifyFlushWrapper":
            _stdout_closed()
            sys.exit(0)
        raise
    sys.exit(code if isinstance(code, int) else 0)


def _stdout_closed() -> None:
    """stdout was closed by its reader (`| head`): stop writing to it, and say so on stderr.
    An operation of the local engine is not cut off by it (its event callback is guarded)."""
    import contextlib

    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.write(
            "sparkleform: stdout was closed before all output was written (broken pipe); a stack operation "
            "still ran to its end: see `sparkleform list-stacks`\n"
        )
        sys.stderr.flush()


if __name__ == "__main__":  # pragma: no cover
    main()
