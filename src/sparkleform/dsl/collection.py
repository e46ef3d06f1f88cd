"""Finding components, dynamics, registry entries and templates in folders and packs.

A collection folder holds components/, dynamics/, registry/ and templates/ (any of them
may be missing; .py files directly in the folder that import sparkleform count too, and
JSON/YAML files under templates/ are templates). Every .py file is executed
and its decorated functions are registered under their names. Later sources override
earlier ones: built-in packs, then configured packs, then the project's own folder.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
import importlib.util
import os
import re
import sys
import weakref
from pathlib import Path

from sparkleform.dsl.documents import SUFFIXES as DOCUMENT_SUFFIXES
from sparkleform.dsl.documents import document_template
from sparkleform.dsl.location import display_path as _rel
from sparkleform.dsl.parts import Entry, Registry, reset_current, set_current
from sparkleform.errors import CollectionError

SUBFOLDERS = ("components", "dynamics", "registry", "templates")
ENTRY_POINT_GROUP = "sparkleform.packs"
# the files each registry has executed; weak, so a registry's id reused after it is gone
# never makes a new registry skip a file
_loaded_files: weakref.WeakKeyDictionary[Registry, set[str]] = weakref.WeakKeyDictionary()


def load_file(registry: Registry, path: Path, source: str) -> None:
    """Execute one collection file with `registry` as the place its decorators register."""
    path = path.resolve()
    loaded = _loaded_files.setdefault(registry, set())
    if str(path) in loaded:
        return
    digest = hashlib.sha1(f"{id(registry)}:{path}".encode()).hexdigest()[:12]
    module_name = f"_sparkleform_collection_{digest}_{path.stem}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise CollectionError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    previous_source = registry.source
    registry.source = source
    token = set_current(registry)
    try:
        spec.loader.exec_module(module)
    except SyntaxError as exc:
        sys.modules.pop(module_name, None)
        raise CollectionError(f"syntax error: {exc.msg}", location=f"{_rel(exc.filename or path)}:{exc.lineno}") from exc
    except BaseException as exc:  # sys.exit(), GeneratorExit, ... at import: the file's error
        sys.modules.pop(module_name, None)
        from sparkleform.dsl.templates import _user_frame, describe_exception

        what = f"{type(exc).__name__}" if isinstance(exc, Exception) else describe_exception(exc)
        suffix = f": {exc}" if isinstance(exc, Exception) else ""
        raise CollectionError(
            f"{what} while loading {_rel(path)}{suffix}", location=_user_frame(exc.__traceback__)
        ) from exc
    finally:
        reset_current(token)
        registry.source = previous_source
    loaded.add(str(path))


def load_folder(registry: Registry, folder: Path, source: str | None = None) -> None:
    """Load a collection folder: its subfolders in the order components, dynamics, registry,
    templates (any depth), then the `.py` files directly in it that use sparkleform.

    A template in a sub-folder of templates/ is also reachable as `dir__file` (SparkleFormation's
    naming); JSON/YAML files under templates/ are templates named the same way.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise CollectionError(f"collection folder {folder} does not exist")
    label = source or _rel(folder)
    for sub in SUBFOLDERS:
        base = folder / sub
        if not base.is_dir():
            continue
        for path in sorted(p for p in base.rglob("*.py") if p.name != "__init__.py"):
            load_file(registry, path, label)
            if sub == "templates":
                _alias_templates(registry, base, path)
        if sub == "templates":
            for path in sorted(p for p in base.rglob("*") if p.suffix in DOCUMENT_SUFFIXES and p.is_file()):
                _add_document(registry, base, path, label)
    for path in sorted(folder.glob("*.py")):
        if path.name != "__init__.py" and _uses_sparkleform(path):
            load_file(registry, path, label)


def _path_name(base: Path, path: Path) -> str:
    """templates/network/vpc.py -> network__vpc (SparkleFormation's name for it)."""
    parts = path.relative_to(base).with_suffix("").parts
    return "__".join(parts).replace("-", "_")


def _alias_templates(registry: Registry, base: Path, path: Path) -> None:
    if path.parent == base:
        return
    resolved = str(path.resolve())
    defined = [e for e in registry.all("template") if e.file and str(Path(e.file).resolve()) == resolved]
    prefix = _path_name(base, path.parent)
    for entry in defined:
        registry.alias("template", f"{prefix}__{entry.name}", entry)
    if len(defined) == 1:
        registry.alias("template", _path_name(base, path), defined[0])


def _add_document(registry: Registry, base: Path, path: Path, label: str) -> None:
    name = _path_name(base, path)
    registry.add(Entry(name, "template", document_template(path, name), label, str(path), 1, {"document": str(path)}))


_DECORATED = re.compile(r"^\s*@(?:\w+\.)?(?:template|component|dynamic|registry)\b", re.MULTILINE)


def _uses_sparkleform(path: Path) -> bool:
    """Only files that import sparkleform and decorate a part are run: a project folder
    (the collection when there is no sparkleformation/ folder) may hold other scripts."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return ("import sparkleform" in text or "from sparkleform" in text) and _DECORATED.search(text) is not None


BUILTIN_PACKS: dict[str, str] = {"seed": "sparkleform.packs.seed"}  # shipped with sparkleform


def _pack_folder(spec_name: str) -> tuple[str, Path]:
    """An entry-point name or a module path -> (label, folder of the pack)."""
    target = BUILTIN_PACKS.get(spec_name)
    if target is None:
        target = spec_name
        for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
            if ep.name == spec_name:
                target = ep.value
                break
    try:
        spec = importlib.util.find_spec(target)
    except (ImportError, ValueError) as exc:
        raise CollectionError(f"pack {spec_name!r} cannot be found: {exc}") from exc
    if spec is None or not spec.submodule_search_locations:
        raise CollectionError(
            f"pack {spec_name!r} is not an installed package (entry point group {ENTRY_POINT_GROUP!r} or module path)"
        )
    return f"pack:{spec_name}", Path(next(iter(spec.submodule_search_locations)))


def builtin_packs() -> list[str]:
    """The packs that ship with sparkleform itself (a static list: scanning entry points
    costs ~20 ms on every command)."""
    return list(BUILTIN_PACKS)


def load_pack(registry: Registry, name: str) -> None:
    label, folder = _pack_folder(name)
    load_folder(registry, folder, label)


_collections: dict[tuple, tuple[tuple, Registry]] = {}


def _fingerprint(folder: Path | str | None) -> tuple:
    """The sizes and modification times of the files `load_folder` reads (the subfolders at
    any depth, the .py files directly in the folder): a cached collection is used again only
    while these are unchanged, so a long-lived process that edits a component and compiles
    again sees the edit."""
    if folder is None or not Path(folder).is_dir():
        return ()
    found = []
    tops = [(str(folder), False)] + [(os.path.join(folder, sub), True) for sub in SUBFOLDERS]
    for top, deep in tops:
        for root, dirs, files in os.walk(top):
            dirs[:] = sorted(d for d in dirs if deep and not d.startswith(".") and d != "__pycache__")
            for name in sorted(files):
                if name.endswith((".py", *DOCUMENT_SUFFIXES)):
                    try:
                        st = os.stat(os.path.join(root, name))
                    except OSError:
                        continue
                    found.append((root, name, st.st_mtime_ns, st.st_size))
    return tuple(found)


def load_collection(
    folder: Path | str | None = None,
    *,
    packs: list[str] | tuple[str, ...] = (),
    builtin: bool = True,
) -> Registry:
    """A registry of built-in packs, then `packs`, then the project folder (later wins)."""
    key = (str(Path(folder).resolve()) if folder else None, tuple(packs), builtin)
    stamp = _fingerprint(folder)
    cached = _collections.get(key)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    registry = Registry()
    if builtin:
        for name in builtin_packs():
            load_pack(registry, name)
    for name in packs:
        load_pack(registry, name)
    if folder is not None and Path(folder).is_dir():
        load_folder(registry, Path(folder))
    _collections[key] = (stamp, registry)
    return registry

