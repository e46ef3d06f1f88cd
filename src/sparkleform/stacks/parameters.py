"""Stack parameter resolution: which value each template parameter gets, and from where.

Precedence, highest first: `-p Key=Value`, `--parameters-file`, the stack's entry in
sparkleform.toml, `--apply-mapping Output:Param`, outputs of `--apply-stack` stacks whose
names match the parameter (case-, underscore- and dash-insensitively; a later stack wins),
then - on update - the stack's previous value, then the template's Default. Whatever is
still missing and required is returned in `missing` for the caller to prompt or refuse.

On update every parameter of the NEW template takes part, including ones the old
template did not have (sfn bug #310: apply-stack values never reached those).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sparkleform.contract import NO_ECHO_MASK
from sparkleform.errors import ParameterError


def match_key(name: str) -> str:
    """The form names are compared in for apply-stack: `Elb_Name`, `elbname`, `ELB-NAME` agree."""
    return name.replace("_", "").replace("-", "").lower()


@dataclass
class AppliedStack:
    """One `--apply-stack` source: the reference as given and that stack's outputs."""

    label: str
    outputs: dict[str, str]


@dataclass
class PreviousParameters:
    """What an existing stack had: its values (NoEcho ones masked) and its template's defaults."""

    values: dict[str, str] = field(default_factory=dict)
    no_echo: set[str] = field(default_factory=set)
    defaults: dict[str, str] = field(default_factory=dict)


@dataclass
class ParameterInputs:
    explicit: dict[str, str] = field(default_factory=dict)
    file_values: dict[str, str] = field(default_factory=dict)
    file_use_previous: set[str] = field(default_factory=set)
    config_values: dict[str, str] = field(default_factory=dict)
    applied: list[AppliedStack] = field(default_factory=list)
    mappings: list[tuple[str | None, str, str]] = field(default_factory=list)  # (stack, output, param)
    previous: PreviousParameters | None = None
    not_applied: set[str] = field(default_factory=set)  # never filled by --apply-stack name matching


@dataclass
class Resolution:
    values: dict[str, str] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)  # parameter -> where its value came from
    use_previous: set[str] = field(default_factory=set)  # keep the stored (NoEcho) value
    missing: list[str] = field(default_factory=list)  # required, no value anywhere


def declared_parameters(template: dict) -> dict[str, dict]:
    params = template.get("Parameters") or {}
    if not isinstance(params, dict):
        raise ParameterError("the template's Parameters section is not a mapping")
    return {str(k): (v if isinstance(v, dict) else {}) for k, v in params.items()}


def _check_known(given: dict[str, str] | set[str], declared: dict[str, dict], source: str) -> None:
    unknown = [k for k in given if k not in declared]
    if unknown:
        raise ParameterError(
            f"Parameters: [{', '.join(unknown)}] do not exist in the template",
            hint=f"given by {source}; the template declares: {', '.join(declared) or 'no parameters'}",
        )


def _mapped_values(
    inputs: ParameterInputs, declared: dict[str, dict]
) -> dict[str, tuple[str, str]]:
    result: dict[str, tuple[str, str]] = {}
    for stack, output, param in inputs.mappings:
        if param not in declared:
            raise ParameterError(
                f"--apply-mapping {output}:{param}: the template has no parameter {param!r}",
                hint=f"the template declares: {', '.join(declared) or 'no parameters'}",
            )
        sources = [a for a in inputs.applied if stack is None or a.label == stack]
        if stack is not None and not sources:
            raise ParameterError(f"--apply-mapping names stack {stack!r}, which is not given with --apply-stack")
        found = None
        for applied in sources:  # a later stack wins, as for name matching
            for key, value in applied.outputs.items():
                if match_key(key) == match_key(output):
                    found = (value, f"output {key} of stack {applied.label} (--apply-mapping)")
        if found is None:
            where = f"stack {stack}" if stack else "any --apply-stack stack"
            raise ParameterError(f"--apply-mapping {output}:{param}: {where} has no output named {output!r}")
        result[param] = found
    return result


def resolve_parameters(template: dict, inputs: ParameterInputs) -> Resolution:
    """Decide each declared parameter's value (see the module docstring for the order)."""
    declared = declared_parameters(template)
    _check_known(inputs.explicit, declared, "-p")
    _check_known(inputs.file_values, declared, "--parameters-file")
    _check_known(inputs.file_use_previous, declared, "--parameters-file")
    _check_known(inputs.config_values, declared, "sparkleform.toml")
    mapped = _mapped_values(inputs, declared)
    res = Resolution()
    previous = inputs.previous
    for name, decl in declared.items():
        if name in inputs.explicit:
            res.values[name], res.origins[name] = inputs.explicit[name], "-p"
            continue
        if name in inputs.file_values:
            res.values[name], res.origins[name] = inputs.file_values[name], "parameters file"
            continue
        if name in inputs.file_use_previous and previous is not None and name in previous.values:
            if name in previous.no_echo or previous.values[name] == NO_ECHO_MASK:
                res.use_previous.add(name)
            else:
                res.values[name] = previous.values[name]
            res.origins[name] = "previous value (parameters file)"
            continue
        if name in inputs.config_values:
            res.values[name], res.origins[name] = inputs.config_values[name], "sparkleform.toml"
            continue
        if name in mapped:
            res.values[name], res.origins[name] = mapped[name]
            continue
        matched = None
        for applied in [] if name in inputs.not_applied else inputs.applied:
            for key, value in applied.outputs.items():
                if match_key(key) == match_key(name):
                    matched = (value, f"output {key} of stack {applied.label}")
        if matched is not None:
            res.values[name], res.origins[name] = matched
            continue
        if previous is not None and name in previous.values:
            old = previous.values[name]
            if name in previous.no_echo or old == NO_ECHO_MASK:
                res.use_previous.add(name)
                res.origins[name] = "previous value"
                continue
            # A value that was only the old template's Default follows the new Default.
            was_default = name in previous.defaults and previous.defaults[name] == old
            if not (was_default and "Default" in decl):
                res.values[name], res.origins[name] = old, "previous value"
                continue
        if "Default" in decl:
            res.origins[name] = "default"
            continue
        res.missing.append(name)
    return res


def default_text(value: object) -> str:
    """A template Default as the string a stack shows for it (lists comma-joined)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return ",".join(default_text(v) for v in value)
    return str(value)


def previous_from_stack(parameters: list, old_template: dict | None) -> PreviousParameters:
    """PreviousParameters from a described stack's parameters and its current template."""
    prev = PreviousParameters()
    for p in parameters:
        prev.values[p.key] = p.value
        if p.no_echo:
            prev.no_echo.add(p.key)
    if old_template:
        for name, decl in declared_parameters(old_template).items():
            if "Default" in decl:
                prev.defaults[name] = default_text(decl["Default"])
    return prev
