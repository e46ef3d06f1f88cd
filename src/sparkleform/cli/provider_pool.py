"""The StackContext a verb runs its flow in: the provider from the global options and
sparkleform.toml (others made on demand for `--apply-stack PROVIDER[:REGION]:NAME`), and
the CLI's Reporter."""

from __future__ import annotations

from sparkleform.cli.context import Settings
from sparkleform.stacks.context import StackContext


def stack_context(
    settings: Settings, *, bucket: str | None = None, prefix: str | None = None, stack: str | None = None
) -> StackContext:
    """`stack`: the stack the verb works on, whose sparkleform.toml entry may name its own
    region and profile."""
    import click

    from sparkleform.cli.stack_run import CliReporter

    ctx = StackContext.open(
        settings.provider_name(),
        config=settings.config,
        region=settings.region,
        state=settings.state_path(),
        profile=settings.profile,
        endpoint_url=settings.endpoint_url,
        bucket=bucket,
        prefix=prefix,
        reporter=CliReporter(settings),
        interactive=None,  # ask on a terminal, refuse clearly without one
        change_sets=settings.change_sets,
        stack=stack,
    )
    # the providers opened for this verb are closed when it ends (what a process's exit does,
    # also when the CLI runs inside another Python process)
    current = click.get_current_context(silent=True)
    if current is not None:
        current.call_on_close(ctx.pool.close)
    return ctx
