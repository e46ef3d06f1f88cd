"""Where resource schema files come from: cfn-lint's bundled data, or a user's folder.

This is the one module that knows cfn-lint's data layout, so a change there touches only
this file. cfn-lint is never imported (its import takes over a second); its data files are
located through importlib and read as JSON.
"""

from __future__ import annotations

import importlib.util
import json
import re
from functools import cache
from pathlib import Path

from sparkleform.errors import SpecError

_TYPE_LINE = re.compile(r'^\s*"([A-Za-z0-9:]+)":\s*"([0-9a-f]+)",?\s*$', re.MULTILINE)


@cache
def cfn_lint_data_dir() -> Path:
    spec = importlib.util.find_spec("cfnlint")
    if spec is None or not spec.submodule_search_locations:
        raise SpecError(
            "the CloudFormation resource schemas come from the cfn-lint package, which is not installed",
            hint="pip install 'cfn-lint>=1.51,<1.53.1', or pass --schemas DIR",
        )
    return Path(next(iter(spec.submodule_search_locations))) / "data"


@cache
def _provider_index(region: str = "us-east-1") -> dict[str, Path]:
    """type name -> schema file, from cfn-lint's per-region index.

    cfn-lint has shipped two layouts of that index: `providers/us-east-1.json` (a JSON
    object, newer releases) and `providers/us_east_1.py` (a module holding the same dict,
    read here as text, never imported). Both map a type name to a schema file's digest
    under `resources/`.
    """
    base = cfn_lint_data_dir() / "schemas"
    json_index = base / "providers" / f"{region}.json"
    py_index = base / "providers" / (region.replace("-", "_") + ".py")
    try:
        if json_index.is_file():
            pairs = json.loads(json_index.read_text(encoding="utf-8")).items()
        else:
            pairs = _TYPE_LINE.findall(py_index.read_text(encoding="utf-8"))
    except (OSError, ValueError, AttributeError) as exc:
        raise SpecError(
            f"cannot read cfn-lint's schema index for {region} (looked for {json_index.name} and "
            f"{py_index.name} in {json_index.parent}): {exc}",
            hint="install a cfn-lint release in the supported range (pyproject.toml), or pass --schemas DIR",
        ) from exc
    resources = base / "resources"
    index = {name: resources / f"{digest}.json" for name, digest in pairs}
    if not index:
        raise SpecError(f"cfn-lint's schema index in {json_index.parent} lists no resource types")
    return index


def index_schema_dir(folder: str | Path) -> dict[str, Path]:
    """type name -> file for a folder of CloudFormation registry schema files (*.json)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise SpecError(f"schema folder {folder} does not exist")
    found: dict[str, Path] = {}
    for path in sorted(folder.rglob("*.json")):
        try:
            head = path.read_text(encoding="utf-8")
            name = json.loads(head).get("typeName")
        except (OSError, ValueError, AttributeError) as exc:
            raise SpecError(f"{path} is not a CloudFormation resource schema: {exc}") from exc
        if isinstance(name, str):
            found[name] = path
    if not found:
        raise SpecError(f"no resource schema files (JSON with a typeName) in {folder}")
    return found


def bundled_index() -> dict[str, Path]:
    return _provider_index()


def read_schema_file(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SpecError(f"cannot read resource schema {path}: {exc}") from exc
