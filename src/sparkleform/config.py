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

    [stacks.vpc]                         # a stack group, deployed by `up` in dependency order
    template = "vpc"
    parameters = { Environment = "dev" }
    apply_stacks = []
"""

from __future__ import annotations

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


def _expect(kind: type, value: Any, key: str, path: Path) -> Any:
    if not isinstance(value, kind):
        raise ConfigError(f"`{key}` must be a {kind.__name__}, not {type(value).__name__}", location=str(path))
    return value


HOOK_EVENTS = ("before_create", "after_create", "before_update", "after_update", "before_destroy",
               "after_destroy", "on_failure")


def _hooks(value: Any, key: str, path: Path) -> dict[str, str]:
    table = _expect(dict, value, key, path)
    unknown = sorted(set(table) - set(HOOK_EVENTS))
    if unknown:
        raise ConfigError(f"`{key}`: unknown hook(s) {', '.join(unknown)}; known: {', '.join(HOOK_EVENTS)}",
                          location=str(path))
    return {event: _expect(str, command, f"{key}.{event}", path) for event, command in table.items()}


def load_config(path: Path | None = None) -> Config:
    """Read the project configuration (an explicit path, or found upwards from the cwd)."""
    if path is None:
        path = find_config_file()
    if path is None:
        return Config(root=Path.cwd())
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"config file {path} does not exist") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {exc}", location=str(path)) from exc
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("sparkleform", {})
    root = path.parent.resolve()
    known = {"collection", "packs", "provider", "region", "state", "schemas", "bucket", "prefix", "stacks", "apply_nesting", "hooks"}
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
    cfg = Config(root=root, path=path, raw=data)
    if "collection" in data:
        cfg.collection = (root / _expect(str, data["collection"], "collection", path)).resolve()
    cfg.packs = list(_expect(list, data.get("packs", []), "packs", path))
    if "provider" in data:
        cfg.provider = _expect(str, data["provider"], "provider", path)
        if cfg.provider not in ("local", "aws"):
            raise ConfigError(f"provider must be 'local' or 'aws', not {cfg.provider!r}", location=str(path))
    cfg.region = data.get("region")
    if "state" in data:
        cfg.state = str(root / _expect(str, data["state"], "state", path))
    if "schemas" in data:
        cfg.schemas = root / _expect(str, data["schemas"], "schemas", path)
    cfg.bucket = data.get("bucket")
    cfg.prefix = data.get("prefix")
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
        cfg.stacks[name] = StackConfig(
            name=name,
            template=str(body["template"]),
            parameters={k: str(v) for k, v in body.get("parameters", {}).items()},
            parameters_file=body.get("parameters_file"),
            apply_stacks=list(body.get("apply_stacks", [])),
            apply_mappings=dict(body.get("apply_mappings", {})),
            tags={k: str(v) for k, v in body.get("tags", {}).items()},
            compile_parameters=dict(body.get("compile_parameters", {})),
            hooks=_hooks(body.get("hooks", {}), f"stacks.{name}.hooks", path),
        )
    return cfg
