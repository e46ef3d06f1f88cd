"""Write a template dict as JSON: keys in template order, 2-space indent (or compact), newline at end."""

from __future__ import annotations

import json
from typing import Any

from sparkleform.errors import FormatError


def _default(value: Any) -> Any:
    isoformat = getattr(value, "isoformat", None)
    if isoformat is not None:  # dates from other YAML loaders
        return isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"a template cannot hold a {type(value).__name__} ({value!r})")


def dump_json(doc: dict, *, compact: bool = False) -> str:
    """The template as JSON text; non-ASCII text is written as is (UTF-8)."""
    options: dict[str, Any] = {"separators": (",", ":")} if compact else {"indent": 2}
    try:
        text = json.dumps(doc, ensure_ascii=False, allow_nan=False, default=_default, **options)
    except ValueError as exc:  # inf / nan
        raise FormatError(f"the template cannot be written as JSON: {exc}") from None
    except TypeError as exc:
        raise FormatError(str(exc)) from None
    return text + "\n"
