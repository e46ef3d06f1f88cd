"""Write files only where the user asked: atomically, with the umask's modes, never through
a symbolic link and never outside the folder the user named.

Every verb that writes files (compile -o, convert -o, import -o, graph -o, new) goes through
`write_text`; nested templates and starter files name their place with `inside`.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path, PurePosixPath

from sparkleform.errors import SparkleformError


class WriteError(SparkleformError):
    """A file could not be written where asked, or would have been written somewhere else."""


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def inside(folder: Path, relative: str, what: str = "file name") -> Path:
    """folder/relative, refusing an absolute name or one that climbs out with '..'."""
    pure = PurePosixPath(relative.replace("\\", "/"))
    parts = pure.parts
    if not parts or pure.is_absolute() or ".." in parts or ":" in parts[0]:
        raise WriteError(
            f"the {what} {relative!r} would be written outside {folder}",
            hint="use a plain relative name (no '..', no leading '/')",
        )
    return folder / Path(*pure.parts)


def _no_links(path: Path, root: Path | None) -> None:
    """Refuse a path that is, or (below `root`) passes through, a symbolic link."""
    if path.is_symlink():
        raise WriteError(f"{path} is a symbolic link; sparkleform does not write through links")
    if root is None:
        return
    current = path.parent
    while current != root and root in current.parents:
        if current.is_symlink():
            raise WriteError(f"{current} is a symbolic link; sparkleform does not write through links")
        current = current.parent


def _special(path: Path) -> bool:
    try:
        return not stat.S_ISREG(path.stat().st_mode)
    except OSError:
        return False


def write_text(
    path: str | Path,
    text: str | bytes,
    *,
    force: bool = True,
    make_parents: bool = False,
    root: Path | None = None,
    protect: frozenset[Path] = frozenset(),
    mode: int | None = None,
) -> Path:
    """Write `text` to `path` atomically (temporary file + rename) with mode 0666 & ~umask.

    `force=False` refuses an existing file; `make_parents` creates missing folders;
    `root` is the folder the user asked for: no link between it and the file is followed;
    `protect` holds resolved paths that must never be overwritten (a template's own sources);
    `mode` replaces the umask's mode (rewriting a user's file in place keeps its mode).
    """
    path = Path(path)
    _no_links(path, root)
    if path.is_dir():
        raise WriteError(f"{path} is a folder; give a file name")
    if path.exists() and not force:
        raise WriteError(f"{path} already exists", hint="pass --force to overwrite it")
    if path.resolve() in protect:
        raise WriteError(f"{path} is one of the template's own source files; it would be overwritten",
                         hint="write the compiled templates to another folder")
    if _special(path):
        # a device, a pipe, a socket the user named (`-o /dev/null`, a FIFO): written into, never
        # replaced by a regular file (a rename over /dev/null would replace the machine's)
        try:
            with open(path, "wb") as fh:
                fh.write(text.encode("utf-8") if isinstance(text, str) else text)
        except OSError as exc:
            raise WriteError(f"cannot write {path}: {exc.strerror or exc}") from None
        return path
    parent = path.parent
    if make_parents:
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WriteError(f"cannot create the folder {parent}: {exc.strerror or exc}") from None
    elif not parent.is_dir():
        raise WriteError(f"cannot write {path}: the folder {parent} does not exist")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent)
    except OSError as exc:
        raise WriteError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        data = text.encode("utf-8") if isinstance(text, str) else text
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            os.fchmod(fh.fileno(), 0o666 & ~_umask() if mode is None else mode)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise WriteError(f"cannot write {path}: {exc.strerror or exc}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
