"""Reading `Key=Value` options and parameter files (JSON/YAML, plain map or AWS's list form)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sparkleform.errors import ParameterError


def parse_pairs(items: Iterable[str], option: str) -> dict[str, str]:
    """`["A=1", "B=x=y"]` -> {"A": "1", "B": "x=y"}; a later key wins. Bad items name the option."""
    result: dict[str, str] = {}
    for item in items:
        key, eq, value = item.partition("=")
        key = key.strip()
        if not eq or not key:
            # the item is not shown: a value typed without its key may be a secret
            raise ParameterError(f"{option} expects Key=Value, got an item without a key and '=' ({len(item)} characters)")
        result[key] = value
    return result


def parse_mapping(item: str) -> tuple[str | None, str, str]:
    """`--apply-mapping [STACK__]Output:Parameter` -> (stack or None, output, parameter)."""
    source, colon, parameter = item.rpartition(":")
    if not colon or not source or not parameter:
        raise ParameterError(f"--apply-mapping expects Output:Parameter, got {item!r}")
    stack, sep, output = source.rpartition("__")
    return (stack if sep and stack else None), (output if sep else source), parameter


def _scalar(value: Any, key: str, where: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return ",".join(str(v) for v in value)  # CommaDelimitedList / List<...> given as a list
    raise ParameterError(f"parameter {key!r} must be a string, number or list of them", location=where)


def parameters_from_data(data: Any, where: str) -> tuple[dict[str, str], set[str]]:
    """Values from a parsed parameters file, and the keys marked UsePreviousValue.

    Accepts {Key: Value}, AWS's [{ParameterKey, ParameterValue | UsePreviousValue}], and
    `{"Parameters": ...}` wrapping either (the shape `aws cloudformation` files often have).
    """
    if isinstance(data, dict) and set(data) == {"Parameters"}:
        data = data["Parameters"]
    values: dict[str, str] = {}
    previous: set[str] = set()
    if data is None:
        return values, previous
    if isinstance(data, dict):
        for key, value in data.items():
            values[str(key)] = _scalar(value, str(key), where)
        return values, previous
    if isinstance(data, list):
        for i, entry in enumerate(data):
            if not isinstance(entry, dict) or "ParameterKey" not in entry:
                raise ParameterError(
                    f"entry {i + 1} is not {{ParameterKey, ParameterValue}}", location=where
                )
            key = str(entry["ParameterKey"])
            if entry.get("UsePreviousValue"):
                previous.add(key)
            elif "ParameterValue" in entry:
                values[key] = _scalar(entry["ParameterValue"], key, where)
            else:
                raise ParameterError(f"parameter {key!r} has no ParameterValue", location=where)
        return values, previous
    raise ParameterError(
        "a parameters file holds {Key: Value} or [{ParameterKey, ParameterValue}]", location=where
    )


def load_parameters_file(path: str | Path) -> tuple[dict[str, str], set[str]]:
    """Read a JSON or YAML parameters file (see `parameters_from_data`)."""
    from sparkleform.inputs import check_document, read_input

    p = Path(path)
    if not p.exists():
        raise ParameterError(f"parameters file {p} does not exist")
    text = read_input(p, "parameters file")
    if p.suffix.lower() == ".json" or text.lstrip().startswith(("{", "[")):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ParameterError(f"not valid JSON: {exc.msg}", location=f"{p}:{exc.lineno}") from exc
        except (ValueError, RecursionError) as exc:  # 4,300+ digit integers, deep nesting
            raise ParameterError(f"not a usable parameters file: {_reason(exc)}", location=str(p)) from None
    else:
        import yaml

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            loc = f"{p}:{mark.line + 1}" if mark is not None else str(p)
            raise ParameterError(f"not valid YAML: {getattr(exc, 'problem', exc)}", location=loc) from exc
        except (ValueError, RecursionError) as exc:
            raise ParameterError(f"not a usable parameters file: {_reason(exc)}", location=str(p)) from None
    check_document(data, str(p))
    return parameters_from_data(data, str(p))


def _reason(exc: Exception) -> str:
    if isinstance(exc, RecursionError):
        return "it nests too deeply"
    return "a number is too long"  # the ValueError json and PyYAML raise past 4,300 digits
