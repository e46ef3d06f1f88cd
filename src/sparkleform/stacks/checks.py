"""Checks before a deploy: the validate pipeline over the templates a stack request sends.

create / plan / update / up / execute run the same checks `sparkleform validate` runs
(`sparkleform.check.run_checks`) on the template and its nested templates before anything
reaches the provider; errors refuse the request with the user's `file:line` (the DSL's or
the template file's, through the source map) and exit 1. `--no-check` (StackInputs.no_check)
skips them. `locate` gives an error the provider raised about a template (an unresolved
Ref, a bad GetAtt, a cycle) the source line of the part it names.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sparkleform.errors import SparkleformError, TemplateError
from sparkleform.sourcemap import SourceMap

if TYPE_CHECKING:
    from sparkleform.check.diagnostic import Diagnostic

MAX_SHOWN = 20  # findings listed in the refusal; the rest are counted


class TemplateChecksFailed(TemplateError):
    """The checks found errors in a template about to be deployed (exit 1, as `validate`)."""

    exit_code = 1

    def __init__(self, findings: list[Any]) -> None:
        from sparkleform.check.report import place

        # `file:line:column` as validate writes it (the column when check_templates found one)
        lines = [f"  {place(d, None) + ': ' if d.location else ''}{d.path_text}: {d.message} [{d.rule}]"
                 for d in findings[:MAX_SHOWN]]
        if len(findings) > MAX_SHOWN:
            lines.append(f"  … and {len(findings) - MAX_SHOWN} more (`sparkleform validate` lists them all)")
        count = f"{len(findings)} error{'s' if len(findings) != 1 else ''}"
        super().__init__(
            f"the template checks found {count}; nothing was deployed:\n" + "\n".join(lines),
            hint="fix them, or use --no-check to deploy anyway",
        )
        self.findings = findings


def check_templates(templates: Iterable[tuple[str | None, dict, SourceMap | None]]) -> None:
    """Run the checks on each (file name, template, sources); raise TemplateChecksFailed on errors."""
    from sparkleform.check import run_checks
    from sparkleform.check.diagnostic import ERROR

    errors: list[Diagnostic] = []
    for filename, template, sources in templates:
        errors.extend(d for d in run_checks(template, sources, filename=filename) if d.severity == ERROR)
    if errors:
        from sparkleform.check.columns import add_columns

        add_columns(errors[:MAX_SHOWN])
        raise TemplateChecksFailed(errors)


def locate(exc: SparkleformError, sources: SourceMap | None) -> SparkleformError:
    """Give `exc` the source line of the template part it names (its `template_path`), if any."""
    path = getattr(exc, "template_path", None)
    if exc.location is None and path and sources is not None:
        found = sources.get(tuple(path))  # the nearest part the map knows
        if found is not None:
            exc.location = str(found)
    return exc


@contextmanager
def located(sources: SourceMap | None) -> Iterator[None]:
    """Errors raised inside get the source line of the template part they name (see `locate`)."""
    try:
        yield
    except SparkleformError as exc:
        locate(exc, sources)
        raise
