"""Preparing a stack request: what a create / plan / update sends to the provider.

The template (compiled from the collection or read from a file), the parameters resolved
from the inputs, sparkleform.toml, `--apply-stack` outputs and prompts, and the StackOptions
(tags, rollback, termination protection, capabilities, nested templates ...).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sparkleform.config import Config
from sparkleform.contract import Stack, StackOptions
from sparkleform.errors import ParameterError
from sparkleform.secrets import mask, register
from sparkleform.sourcemap import SourceMap
from sparkleform.stacks import compile_state, extensions
from sparkleform.stacks.apply import read_applied_stacks
from sparkleform.stacks.checks import check_templates
from sparkleform.stacks.context import StackContext
from sparkleform.stacks.keyvalues import load_parameters_file, parse_mapping, parse_pairs
from sparkleform.stacks.parameters import (
    ParameterInputs,
    default_text,
    previous_from_stack,
    resolve_parameters,
)
from sparkleform.stacks.prompting import fill_missing
from sparkleform.stacks.templates import load_stack_policy, load_stack_template


@dataclass
class StackInputs:
    """What the user gave for one stack, as the CLI's options take it (`Key=Value` texts)."""

    parameters: tuple[str, ...] = ()
    parameters_file: str | None = None
    apply_stacks: tuple[str, ...] = ()
    apply_mappings: tuple[str, ...] = ()
    ignore_parameters: tuple[str, ...] = ()
    set_values: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    notification_arns: tuple[str, ...] = ()
    role_arn: str | None = None
    timeout_minutes: int | None = None
    on_failure: str | None = None
    no_rollback: bool = False
    reset_parameters: bool = False  # update: parameters not given take Defaults, not previous values
    termination_protection: bool | None = None
    stack_policy: str | None = None
    capabilities: tuple[str, ...] = ()
    bucket: str | None = None
    prefix: str | None = None
    no_check: bool = False  # skip the template checks before the deploy (stacks.checks)
    upload_root_template: bool = False  # the root template through the bucket as well (aws)
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_kwargs(cls, kwargs: dict[str, Any]) -> StackInputs:
        names = set(cls.__dataclass_fields__) - {"extra"}
        known = {k: v for k, v in kwargs.items() if k in names}
        return cls(**known, extra={k: v for k, v in kwargs.items() if k not in names})


@dataclass
class StackRequest:
    """A prepared create / plan / update."""

    template: dict | None  # None on update: keep the stack's template
    declared_from: dict  # the template whose Parameters are resolved
    parameters: dict[str, str]
    options: StackOptions
    origins: dict[str, str]  # parameter -> where its value came from
    use_previous: set[str]  # NoEcho values the stack keeps
    sources: SourceMap | None = None  # where the template's parts are in the user's files

    def parameters_changed(self, existing: Stack) -> bool:
        old = {p.key: p.value for p in existing.parameters}
        return any(old.get(k) != v for k, v in self.parameters.items() if k not in self.use_previous)

    def wired(self) -> list[str]:
        """One line per parameter wired from another stack or prompted (explicit ones the user
        knows); a NoEcho value is shown masked."""
        return [
            f"parameter {name} = {mask(str(self.parameters.get(name, '')))}  (from {origin})"
            for name, origin in self.origins.items()
            if origin.startswith("output ") or origin == "prompt"
        ]


def _register_secrets(template: dict, values: dict[str, Any]) -> None:
    """The values given for NoEcho parameters are masked in everything this process prints."""
    declared = template.get("Parameters") if isinstance(template, dict) else None
    if isinstance(declared, dict):
        register(
            str(values[n]) for n, d in declared.items()
            if n in values and isinstance(d, dict) and str(d.get("NoEcho", "")).lower() == "true"
        )


def _split_multi(values: tuple[str, ...]) -> list[str]:
    """Repeatable options that also accept comma/space separated lists (capabilities)."""
    out: list[str] = []
    for v in values:
        out.extend(p for p in v.replace(",", " ").split() if p)
    return out


def _config_path(config: Config, value: str) -> str:
    """A path written in sparkleform.toml is relative to that file's folder."""
    p = Path(value)
    if p.is_absolute():
        return value
    return str(config.root / p)


def template_target(config: Config, target: str) -> str:
    """A config-given template that is a file relative to the config's folder, else as is."""
    root_candidate = config.root / target
    if not Path(target).exists() and root_candidate.exists():
        return str(root_candidate)
    return target


def prepare_request(
    ctx: StackContext,
    stack_name: str,
    template_arg: str | None,
    inputs: StackInputs,
    *,
    existing: Stack | None,
) -> StackRequest:
    """Everything a create/plan/update sends: template, resolved parameters, options."""
    config = ctx.config
    cfg = config.stacks.get(stack_name)
    if inputs.no_rollback and inputs.on_failure:
        raise ParameterError("--no-rollback and --on-failure cannot be used together (AWS refuses both)")

    overrides = {k: str(v) for k, v in (cfg.compile_parameters if cfg else {}).items()}
    overrides.update(parse_pairs(inputs.set_values, "--set"))
    target = template_arg
    if target is None and cfg is not None and existing is None:
        target = template_target(config, cfg.template)
    provider = ctx.provider
    nested: dict[str, dict] = {}
    template: dict | None = None
    sources: SourceMap | None = None
    old_template: dict | None = None
    if target is not None:
        kept: dict[str, str] = {}
        if existing is not None:
            old_template = provider.template_of(stack_name)
            kept = compile_state.stored(old_template)
            # what the stack was built with beats sparkleform.toml; --set beats both
            given = parse_pairs(inputs.set_values, "--set")
            overrides = {k: v for k, v in overrides.items() if k not in kept or k in given}
        loaded = load_stack_template(target, config=config, overrides=overrides, kept=kept)
        if not inputs.no_check:
            check_templates(loaded.for_checks())
        template, nested, sources = loaded.template, loaded.nested_templates, loaded.sources
        declared_from = template
    elif existing is not None:
        declared_from = provider.template_of(stack_name)
    else:
        raise ParameterError(
            f"no template for stack {stack_name}: give TEMPLATE, or define [stacks.{stack_name}] in sparkleform.toml"
        )

    param_inputs = ParameterInputs(explicit=parse_pairs(inputs.parameters, "-p"))
    if inputs.parameters_file:
        param_inputs.file_values, param_inputs.file_use_previous = load_parameters_file(inputs.parameters_file)
    if cfg is not None:
        config_values: dict[str, str] = {}
        if cfg.parameters_file:
            config_values, _ = load_parameters_file(_config_path(config, cfg.parameters_file))
        config_values.update(cfg.parameters)
        param_inputs.config_values = config_values
    applied_refs = list(cfg.apply_stacks if cfg else [])
    applied_refs += [s for s in inputs.apply_stacks if s not in applied_refs]
    if applied_refs:
        param_inputs.applied = read_applied_stacks(applied_refs, ctx.pool.get, ctx.group_provider)
    mappings = [parse_mapping(f"{out}:{param}") for out, param in (cfg.apply_mappings if cfg else {}).items()]
    mappings += [parse_mapping(m) for m in inputs.apply_mappings]
    param_inputs.mappings = mappings
    param_inputs.not_applied = extensions.apply_disabled(declared_from) | {
        n.strip() for text in inputs.ignore_parameters for n in text.split(",") if n.strip()}
    if existing is not None and not inputs.reset_parameters:
        if old_template is None:
            old_template = declared_from if template is None else provider.template_of(stack_name)
        param_inputs.previous = previous_from_stack(existing.parameters, old_template)

    resolution = resolve_parameters(declared_from, param_inputs)
    fill_missing(declared_from, resolution, interactive=ctx.interactive, stack=stack_name)
    _register_secrets(declared_from, resolution.values)

    tags = dict(cfg.tags if cfg else {})
    tags.update(parse_pairs(inputs.tags, "--tags"))
    # the command line first, then the stack's entry in sparkleform.toml (with its --env layer)
    policy_file = inputs.stack_policy or (cfg.stack_policy if cfg else None)
    protection = inputs.termination_protection
    if protection is None and cfg is not None:
        protection = cfg.termination_protection
    from sparkleform.dsl.stack_policy import policy_of  # the DSL package only when it is needed

    options = StackOptions(
        tags=tags,
        disable_rollback=inputs.no_rollback,
        termination_protection=protection,
        capabilities=_split_multi(inputs.capabilities) or (list(cfg.capabilities) if cfg and cfg.capabilities else None),
        notification_arns=list(inputs.notification_arns),
        role_arn=inputs.role_arn or (cfg.role_arn if cfg else None),
        timeout_minutes=inputs.timeout_minutes,
        on_failure=inputs.on_failure,
        # --stack-policy / sparkleform.toml first, then the one written in the DSL template
        stack_policy=load_stack_policy(policy_file) if policy_file else policy_of(template),
        nested_templates={url: extensions.scrub(t) or t for url, t in nested.items()},
        upload_root_template=inputs.upload_root_template or config.upload_root_template,
    )
    # NoEcho values the stack keeps (resolution.use_previous) are masked by describe, so
    # only the provider knows them: they are left out, and the provider falls back to the
    # stored value (the protocol has no UsePreviousValue marker; sending the mask would
    # store the mask).
    parameters = dict(resolution.values)
    if existing is not None and inputs.reset_parameters:
        # every parameter not given is sent with its Default: providers keep a left-out one
        declared = declared_from.get("Parameters") or {}
        for name, origin in resolution.origins.items():
            if origin == "default":
                parameters[name] = default_text(declared[name].get("Default"))
    elif param_inputs.previous is not None:
        # A value that was only the old Default follows the new Default: say so explicitly,
        # since a provider keeps previous values of parameters left out (UsePreviousValue).
        declared = declared_from.get("Parameters") or {}
        for name, origin in resolution.origins.items():
            if origin == "default" and name in param_inputs.previous.values:
                parameters[name] = default_text(declared[name].get("Default"))
    return StackRequest(
        extensions.scrub(template), declared_from, parameters, options, resolution.origins, resolution.use_previous,
        sources,
    )
