"""Loading the TEMPLATE of a stack verb (DSL name/.py path or JSON/YAML file) for a provider."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sparkleform.errors import ParameterError, TemplateError
from sparkleform.sourcemap import SourceMap


@dataclass
class LoadedTemplate:
    template: dict
    nested_templates: dict[str, dict] = field(default_factory=dict)
    name: str | None = None
    path: Path | None = None
    compile_parameters: dict[str, str] = field(default_factory=dict)
    sources: SourceMap | None = None
    nested_sources: dict[str, SourceMap] = field(default_factory=dict)  # TemplateURL -> its source map

    def for_checks(self) -> list[tuple[str | None, dict, SourceMap | None]]:
        """(file name, template, source map) of this template and each nested one."""
        main = (str(self.path) if self.path else self.name, self.template, self.sources)
        return [main] + [(url, t, self.nested_sources.get(url)) for url, t in self.nested_templates.items()]


def flatten_nested(compiled: Any) -> dict[str, dict]:
    """{TemplateURL file name: template dict} for every nested template, at any depth."""
    return {name: child.template for name, child in _nested(compiled).items()}


def _nested(compiled: Any) -> dict[str, Any]:
    result: dict[str, Any] = {}
    stack = [compiled]
    while stack:
        current = stack.pop()
        for name, child in (getattr(current, "nested", None) or {}).items():
            result.setdefault(name, child)
            stack.append(child)
    return result


def load_stack_template(
    target: str, *, config: Any = None, overrides: dict[str, str] | None = None, kept: dict[str, str] | None = None
) -> LoadedTemplate:
    """Compile or read `target` with the collection's `load_target`; a DSL template built
    with compile-time parameters keeps them in its Metadata (stacks/compile_state.py)."""
    from sparkleform.stacks import compile_state
    from sparkleform.targets import (  # the DSL loads only for verbs that build templates
        FILE_SUFFIXES,
        load_target,
    )

    is_file = Path(target).suffix.lower() in FILE_SUFFIXES
    kept = {} if is_file else dict(kept or {})
    compiled = load_target(target, config=config, overrides=overrides or None, kept=kept or None)
    if not isinstance(compiled.template, dict):
        raise TemplateError(f"{target} did not produce a template mapping")
    nested = _nested(compiled)
    used = {k: str(v) for k, v in (getattr(compiled, "compile_parameters", None) or {}).items()}
    compile_state.keep(compiled.template, used)
    return LoadedTemplate(
        template=compiled.template,
        nested_templates={name: child.template for name, child in nested.items()},
        name=getattr(compiled, "name", None),
        path=getattr(compiled, "path", None),
        sources=getattr(compiled, "sources", None),
        nested_sources={name: child.sources for name, child in nested.items() if getattr(child, "sources", None)},
        compile_parameters=used,
    )


def load_stack_policy(path: str) -> dict:
    """A stack policy JSON file as a dict."""
    from sparkleform.inputs import check_document, read_input

    p = Path(path)
    try:
        data = json.loads(read_input(p, "stack policy file"))
    except json.JSONDecodeError as exc:
        raise ParameterError(f"stack policy is not valid JSON: {exc.msg}", location=f"{p}:{exc.lineno}") from exc
    except (ValueError, RecursionError):
        raise ParameterError("stack policy nests too deeply or holds a too-long number", location=str(p)) from None
    check_document(data, str(p))
    if not isinstance(data, dict) or "Statement" not in data:
        raise ParameterError("a stack policy is a JSON object with a Statement list", location=str(p))
    return data
