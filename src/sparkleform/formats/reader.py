"""Read a template file or text, JSON or YAML decided by its content, into (dict, SourceMap)."""

from __future__ import annotations

from pathlib import Path

from sparkleform.errors import FormatError, InputError
from sparkleform.inputs import check_document, check_text, may_hold_surrogates, read_input
from sparkleform.sourcemap import SourceMap


def looks_like_json(text: str) -> bool:
    """JSON templates start with '{' (YAML flow mappings do too; the caller falls back)."""
    return text.lstrip(" \t\r\n").startswith("{")


def _strip_bom(text: str) -> str:
    return text[1:] if text.startswith("\ufeff") else text


def loads_template(
    text: str, filename: str = "<string>", *, notes: list[str] | None = None
) -> tuple[dict, SourceMap]:
    """Parse template text (JSON or YAML) into its dict and the line of every key and item.

    For YAML the line map is lazy: the text is read once without it, and walked again for
    the lines only if something asks for one (a finding to place, an error to point at).
    With a `notes` list, YAML 1.1 surprises (unquoted `yes` read as true, `0644` as 420)
    are described there as "file:line: ..." strings.
    """
    text = _strip_bom(text)
    if not text.isascii():
        check_text(text, filename)  # a str made in Python may hold a lone surrogate; a decoded file cannot
    try:
        doc, lines = _parse_template(text, filename, notes)
    except InputError as exc:
        exc.location = exc.location or filename
        raise
    return check_document(doc, filename, strings=may_hold_surrogates(text)), lines


def _parse_template(text: str, filename: str, notes: list[str] | None) -> tuple[dict, SourceMap]:
    from sparkleform.formats.json_reader import read_json
    from sparkleform.formats.yaml_reader import read_yaml_lazy

    if looks_like_json(text):
        try:
            return read_json(text, filename)
        except FormatError as json_error:
            if "duplicate key" in json_error.message or not json_error.message.startswith("JSON syntax"):
                raise
            try:  # a YAML flow mapping also starts with '{'
                return read_yaml_lazy(text, filename, notes)
            except FormatError:
                raise json_error from None
    return read_yaml_lazy(text, filename, notes)


def loads_document(text: str, filename: str = "<string>", *, notes: list[str] | None = None) -> dict:
    """Like loads_template without the SourceMap, and faster for JSON (conversion, benchmarks)."""
    text = _strip_bom(text)
    if not text.isascii():
        check_text(text, filename)  # a str made in Python may hold a lone surrogate; a decoded file cannot
    try:
        doc = _parse_document(text, filename, notes)
    except InputError as exc:
        exc.location = exc.location or filename
        raise
    return check_document(doc, filename, strings=may_hold_surrogates(text))


def _parse_document(text: str, filename: str, notes: list[str] | None) -> dict:
    from sparkleform.formats.json_reader import read_json_fast
    from sparkleform.formats.yaml_reader import read_yaml_document

    if looks_like_json(text):
        try:
            return read_json_fast(text, filename)
        except FormatError as json_error:
            if not json_error.message.startswith("JSON syntax"):
                raise
            try:
                return read_yaml_document(text, filename, notes)
            except FormatError:
                raise json_error from None
    return read_yaml_document(text, filename, notes)


def read_text(path: str | Path) -> str:
    """A template file's text (see sparkleform.inputs.read_input)."""
    return read_input(path, "file")


def load_template(path: str | Path) -> tuple[dict, SourceMap]:
    """Read a JSON or YAML template file into its dict and SourceMap (FormatError on problems)."""
    return loads_template(read_text(path), str(path))


def load_document(path: str | Path) -> dict:
    """Read a template file into its dict only (the fast path for conversion)."""
    return loads_document(read_text(path), str(path))
