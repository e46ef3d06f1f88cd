"""Project settings from sparkleform.toml, or [tool.sparkleform] in pyproject.toml.

Found by walking up from the current folder. With no file at all everything works on
defaults: the current folder as the collection, the local provider, state in ./.sparkleform/.

    collection = "sparkleformation"      # folder with components/ dynamics/ registry/ templates/
    packs = ["mycompany.cfnpack"]        # entry-point names or module paths, loaded in order
    provider = "local"                   # or "aws"
    region = "us-east-1"
    state = ".sparkleform/state.db"
    schemas = "schemas/"                 # extra CloudFormation registry schema files
    bucket = "my-templates"              # S3 bucket for large/nested templates (aws)
    prefix = "cfn/"
    apply_nesting = "deep"               # nested stacks' parameters: deep | shallow | none
    change_sets = false                  # create/update with CreateStack/UpdateStack (aws)
    upload_root_template = true          # send every root template through the bucket (aws)

    [validate]
    ignore = ["SF3020"]                  # rules `validate` leaves out everywhere

    [stacks.vpc]                         # a stack group, deployed by `up` in dependency order
    template = "vpc"
    parameters = { Environment = "dev" }
    apply_stacks = []
    region = "eu-west-1"                 # per stack: region, profile, role_arn, capabilities,
    termination_protection = true        # termination_protection, stack_policy (a file)

    [env.prod]                           # `--env prod` (or $SPARKLEFORM_ENV) lays this over the
    region = "us-west-2"                 # rest; or a file sparkleform.prod.toml beside this one
    [env.prod.stacks.vpc.parameters]
    Environment = "prod"

Config.sources says where each effective value came from (`sparkleform config` prints it).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sparkleform.errors import ConfigError

CONFIG_FILE = "sparkleform.toml"


@dataclass
class StackConfig:
    name: str
    template: str
    parameters: dict[str, str] = field(default_factory=dict)
    parameters_file: str | None = None
    apply_stacks: list[str] = field(default_factory=list)
    apply_mappings: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    compile_parameters: dict[str, Any] = field(default_factory=dict)
    region: str | None = None
    profile: str | None = None
    role_arn: str | None = None
    capabilities: list[str] = field(default_factory=list)
    termination_protection: bool | None = None
    stack_policy: str | None = None  # a file, relative to the config's folder
    hooks: dict[str, str] = field(default_factory=dict)  # event -> command (stacks/hooks.py)


@dataclass
class Config:
    root: Path
    path: Path | None = None
    collection: Path | None = None
    packs: list[str] = field(default_factory=list)
    provider: str | None = None
    region: str | None = None
    state: str | None = None
    schemas: Path | None = None
    bucket: str | None = None
    prefix: str | None = None
    stacks: dict[str, StackConfig] = field(default_factory=dict)
    ignore_rules: list[str] = field(default_factory=list)  # [validate] ignore
    profile: str | None = None
    change_sets: bool = True  # false: CreateStack/UpdateStack directly (aws)
    upload_root_template: bool = False  # true: the root template goes to the bucket too (aws)
    env: str | None = None  # the environment laid over the base (`--env`)
    sources: dict[str, str] = field(default_factory=dict)  # "stacks.vpc.region" -> "sparkleform.toml [env.prod]"
    apply_nesting: str = "deep"
    hooks: dict[str, str] = field(default_factory=dict)  # event -> command, for every stack
    raw: dict[str, Any] = field(default_factory=dict)

    def collection_dir(self) -> Path:
        """The project's collection folder: configured, else ./sparkleformation if present, else root."""
        if self.collection is not None:
            return self.collection
        default = self.root / "sparkleformation"
        return default if default.is_dir() else self.root


def find_config_file(start: Path | None = None) -> Path | None:
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / CONFIG_FILE
        if candidate.is_file():
            return candidate
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            try:
                data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
            except (OSError, tomllib.TOMLDecodeError):
                continue
            if "sparkleform" in data.get("tool", {}):
                return pyproject
    return None


_KIND_NAMES: dict[type, str] = {dict: "table", list: "list", str: "string"}


def _expect(kind: type, value: Any, key: str, path: Path) -> Any:
    if not isinstance(value, kind):
        want, got = _KIND_NAMES.get(kind, kind.__name__), _KIND_NAMES.get(type(value), type(value).__name__)
        raise ConfigError(f"`{key}` must be a {want}, not {got}", location=str(path))
    return value


def _optional(kind: type, value: Any, key: str, path: Path) -> Any:
    """`value` when it is of `kind`, None when the setting is absent; anything else is refused."""
    return None if value is None else _expect(kind, value, key, path)


HOOK_EVENTS = ("before_create", "after_create", "before_update", "after_update", "before_destroy",
               "after_destroy", "on_failure")


def _hooks(value: Any, key: str, path: Path) -> dict[str, str]:
    table = _expect(dict, value, key, path)
    unknown = sorted(set(table) - set(HOOK_EVENTS))
    if unknown:
        raise ConfigError(f"`{key}`: unknown hook(s) {', '.join(unknown)}; known: {', '.join(HOOK_EVENTS)}",
                          location=str(path))
    return {event: _expect(str, command, f"{key}.{event}", path) for event, command in table.items()}


def _read_toml(path: Path) -> dict[str, Any]:
    from sparkleform.inputs import check_document, read_input

    text = read_input(path, "config file")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {exc}", location=str(path)) from exc
    except (ValueError, RecursionError):
        raise ConfigError("not a usable TOML file (too deep, or a too-long number)", location=str(path)) from None
    check_document(data, str(path))
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("sparkleform", {})
    return data


def _layer(base: dict[str, Any], over: dict[str, Any], label: str, sources: dict[str, str], prefix: str = "") -> None:
    """Lay `over` on `base` (tables merged key by key, other values replaced), noting sources."""
    for key, value in over.items():
        where = f"{prefix}{key}"
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _layer(base[key], value, label, sources, where + ".")
            continue
        base[key] = value
        if isinstance(value, dict):
            for sub in _leaves(value, where + "."):
                sources[sub] = label
        else:
            sources[where] = label


def _leaves(data: dict[str, Any], prefix: str = "") -> list[str]:
    out: list[str] = []
    for key, value in data.items():
        if isinstance(value, dict) and value:
            out += _leaves(value, f"{prefix}{key}.")
        else:
            out.append(f"{prefix}{key}")
    return out


def _with_env(path: Path, data: dict[str, Any], env: str | None) -> tuple[dict[str, Any], dict[str, str]]:
    """The base settings with environment `env` laid over them, and each value's source."""
    envs = data.pop("env", {})
    envs = _expect(dict, envs, "env", path)
    sources = dict.fromkeys(_leaves(data), path.name)
    if not env:
        return data, sources
    if env in envs:
        _layer(data, _expect(dict, envs[env], f"env.{env}", path), f"{path.name} [env.{env}]", sources)
        return data, sources
    own_file = path.parent / f"sparkleform.{env}.toml"
    if own_file.is_file():
        _layer(data, _read_toml(own_file), own_file.name, sources)
        return data, sources
    known = sorted(envs) + sorted(
        p.name.removeprefix("sparkleform.").removesuffix(".toml") for p in path.parent.glob("sparkleform.*.toml")
    )
    raise ConfigError(
        f"no environment {env!r}: neither [env.{env}] in {path.name} nor a file {own_file.name}",
        location=str(path),
        hint=f"known environments: {', '.join(known)}" if known else "add an [env.NAME] table to the configuration",
    )


def load_config(path: Path | None = None, env: str | None = None) -> Config:
    """Read the project configuration (an explicit path, or found upwards from the cwd), with
    environment `env` (default $SPARKLEFORM_ENV) laid over it."""
    env = env or os.environ.get("SPARKLEFORM_ENV") or None
    if path is None:
        path = find_config_file()
    if path is None:
        if env:
            raise ConfigError(f"--env {env} needs a sparkleform.toml, and none was found from {Path.cwd()} upwards")
        return Config(root=Path.cwd())
    data, sources = _with_env(path, _read_toml(path), env)
    root = path.parent.resolve()
    known = {"collection", "packs", "provider", "region", "profile", "state", "schemas", "bucket", "prefix",
             "stacks", "validate", "change_sets", "apply_nesting", "hooks", "upload_root_template"}
    unknown = sorted(set(data) - known)
    if unknown:
        import difflib

        close = {k: difflib.get_close_matches(k, sorted(known), n=1, cutoff=0.6) for k in unknown}
        guesses = [f"{k} -> {m[0]}" for k, m in close.items() if m]
        raise ConfigError(
            f"unknown setting(s) {', '.join(unknown)}"
            + (f" (did you mean {', '.join(guesses)}?)" if guesses else "")
            + f"; known: {', '.join(sorted(known))}",
            location=str(path),
        )
    cfg = Config(root=root, path=path, raw=data, env=env, sources=sources)
    cfg.profile = _optional(str, data.get("profile"), "profile", path)
    cfg.change_sets = bool(_expect(bool, data.get("change_sets", True), "change_sets", path))
    cfg.upload_root_template = bool(_expect(bool, data.get("upload_root_template", False), "upload_root_template", path))
    if "collection" in data:
        cfg.collection = (root / _expect(str, data["collection"], "collection", path)).resolve()
    cfg.packs = [_expect(str, p, "packs[]", path) for p in _expect(list, data.get("packs", []), "packs", path)]
    if "provider" in data:
        cfg.provider = _expect(str, data["provider"], "provider", path)
        if cfg.provider not in ("local", "aws"):
            raise ConfigError(f"provider must be 'local' or 'aws', not {cfg.provider!r}", location=str(path))
    cfg.region = _optional(str, data.get("region"), "region", path)
    if "state" in data:
        cfg.state = str(root / _expect(str, data["state"], "state", path))
    if "schemas" in data:
        cfg.schemas = root / _expect(str, data["schemas"], "schemas", path)
    cfg.bucket = _optional(str, data.get("bucket"), "bucket", path)
    cfg.prefix = _optional(str, data.get("prefix"), "prefix", path)
    validate = _expect(dict, data.get("validate", {}), "validate", path)
    unknown = sorted(set(validate) - {"ignore"})
    if unknown:
        raise ConfigError(f"unknown setting(s) validate.{', validate.'.join(unknown)}; known: validate.ignore",
                          location=str(path))
    cfg.ignore_rules = [str(r).upper() for r in _expect(list, validate.get("ignore", []), "validate.ignore", path)]
    cfg.hooks = _hooks(data.get("hooks", {}), "hooks", path)
    if "apply_nesting" in data:
        cfg.apply_nesting = _expect(str, data["apply_nesting"], "apply_nesting", path)
        if cfg.apply_nesting not in ("deep", "shallow", "none"):
            raise ConfigError(
                f"apply_nesting must be deep, shallow or none, not {cfg.apply_nesting!r}", location=str(path)
            )
    for name, body in _expect(dict, data.get("stacks", {}), "stacks", path).items():
        body = _expect(dict, body, f"stacks.{name}", path)
        if "template" not in body:
            raise ConfigError(f"stack {name!r} needs a `template`", location=str(path))
        where = f"stacks.{name}"
        parameters_file = body.get("parameters_file")
        if parameters_file is not None:
            parameters_file = _expect(str, parameters_file, f"{where}.parameters_file", path)
        cfg.stacks[name] = StackConfig(
            name=name,
            template=str(_expect(str, body["template"], f"{where}.template", path)),
            parameters={k: str(v) for k, v in _expect(dict, body.get("parameters", {}), f"{where}.parameters", path).items()},
            parameters_file=parameters_file,
            apply_stacks=[_expect(str, s, f"{where}.apply_stacks[]", path)
                          for s in _expect(list, body.get("apply_stacks", []), f"{where}.apply_stacks", path)],
            apply_mappings={k: _expect(str, v, f"{where}.apply_mappings.{k}", path) for k, v in
                            _expect(dict, body.get("apply_mappings", {}), f"{where}.apply_mappings", path).items()},
            tags={k: str(v) for k, v in _expect(dict, body.get("tags", {}), f"{where}.tags", path).items()},
            compile_parameters=dict(
                _expect(dict, body.get("compile_parameters", {}), f"{where}.compile_parameters", path)
            ),
            region=_optional(str, body.get("region"), f"{where}.region", path),
            profile=_optional(str, body.get("profile"), f"{where}.profile", path),
            role_arn=_optional(str, body.get("role_arn"), f"{where}.role_arn", path),
            capabilities=[str(c) for c in _expect(list, body.get("capabilities", []), f"stacks.{name}.capabilities",
                                                  path)],
            termination_protection=_optional(bool, body.get("termination_protection"),
                                             f"{where}.termination_protection", path),
            stack_policy=str(root / _expect(str, body["stack_policy"], f"{where}.stack_policy", path))
            if body.get("stack_policy") else None,
            hooks=_hooks(body.get("hooks", {}), f"stacks.{name}.hooks", path),
        )
    return cfg
