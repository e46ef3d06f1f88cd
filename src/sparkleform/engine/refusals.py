"""What CloudFormation refuses when the request arrives (a ValidationError, nothing created),
which the engine would otherwise only find while creating a resource: Ref/GetAtt of a
resource whose Condition is false, Mappings of the wrong shape, a FindInMap key that is not
there, a malformed Fn::Select / Fn::Split, null values, unknown resource attributes,
logical ids that are not alphanumeric.

Each text is AWS's own, as recorded in LocalStack's AWS snapshots (tests/fidelity cases).
"""

from __future__ import annotations

import contextlib
import re
from typing import Any

from sparkleform.engine.errors import ResourceFailure, TemplateFormatError, ValidationError
from sparkleform.errors import SparkleformError

RESOURCE_KEYS = frozenset(
    {
        "Type", "Properties", "DependsOn", "Condition", "Metadata", "DeletionPolicy",
        "UpdateReplacePolicy", "CreationPolicy", "UpdatePolicy", "Description", "Version",
    }
)
SELECT_TEXT = "Template error: Fn::Select requires a list argument with two elements: an integer index and a list"
SPLIT_TEXT = (
    "Template error: every Fn::Split object requires two parameters, (1) a string delimiter and "
    "(2) a string to be split or a function that returns a string to be split."
)
STATIC = ("Fn::Select", "Fn::Split", "Fn::FindInMap")
_ALNUM = re.compile(r"[A-Za-z0-9]+")


def check_shape(template: dict) -> None:
    """The template's own shape: resource attributes, Mappings, null output values."""
    for logical, res in template["Resources"].items():
        if not _ALNUM.fullmatch(logical):  # AWS's text, LocalStack's api/test_resources snapshot
            raise TemplateFormatError(f"Template format error: Resource name {logical} is non alphanumeric.")
        for key in res:
            if key not in RESOURCE_KEYS:
                raise ValidationError(f"Invalid template resource property '{key}'")
    for name, mapping in (template.get("Mappings") or {}).items():
        if not isinstance(mapping, dict):
            raise TemplateFormatError(f"Template format error: Every Mappings member {name} must be a map")
        for key, attrs in mapping.items():
            if not isinstance(attrs, dict):
                raise TemplateFormatError(f"Template format error: Every Mappings member {key} must be a map")
            for value in attrs.values():
                if isinstance(value, dict) or value is None:
                    raise TemplateFormatError("Template format error: Every Mappings attribute must be a String or a List.")
    for name, out in (template.get("Outputs") or {}).items():
        if isinstance(out, dict) and "Value" in out and out["Value"] is None:
            raise ValidationError(f"[/Outputs/{name}/Value] 'null' values are not allowed in templates")


def check_request(template: dict, active: set[str], condition: Any, static_eval: Any) -> None:
    """What needs the parameters and conditions: references to resources whose Condition is
    false (outside Fn::If branches not taken), and Select/Split/FindInMap whose arguments are
    known now. `condition(name)` evaluates a condition; `static_eval(node)` evaluates a node
    with every resource attribute unknown."""
    resources = template["Resources"]
    skipped = set(resources) - active

    def walk(node: Any, block: str) -> None:
        if isinstance(node, dict):
            if len(node) == 1:
                (key, value), = node.items()
                if key == "Fn::If" and isinstance(value, list) and len(value) == 3 and isinstance(value[0], str):
                    taken = None
                    with contextlib.suppress(SparkleformError):
                        taken = value[1] if condition(value[0]) else value[2]
                    if taken is not None:
                        walk(taken, block)
                    return
                target = None
                if key == "Ref" and isinstance(value, str):
                    target = value
                elif key == "Fn::GetAtt":
                    if isinstance(value, list) and value and isinstance(value[0], str):
                        target = value[0]
                    elif isinstance(value, str):
                        target = value.split(".", 1)[0]
                if target in skipped:
                    prefix = "Template format error: " if block == "Resources" else ""
                    raise ValidationError(
                        f"{prefix}Unresolved resource dependencies [{target}] in the {block} block of the template"
                    )
                if key in STATIC:
                    _static(key, node, static_eval)
            for v in node.values():
                walk(v, block)
        elif isinstance(node, list):
            for v in node:
                walk(v, block)

    for logical in resources:
        if logical in active:
            walk(resources[logical].get("Properties"), "Resources")
    for out in (template.get("Outputs") or {}).values():
        if not isinstance(out, dict):
            continue
        cond = out.get("Condition")
        with contextlib.suppress(SparkleformError):
            if cond is not None and not condition(cond):
                continue
        walk(out.get("Value"), "Outputs")


def _static(key: str, node: dict, static_eval: Any) -> None:
    try:
        static_eval(node)
    except ResourceFailure:
        return  # something only a created resource can answer
    except SparkleformError as exc:
        if key == "Fn::Select":
            raise ValidationError(SELECT_TEXT) from None
        if key == "Fn::Split":
            raise ValidationError(SPLIT_TEXT) from None
        message = getattr(exc, "message", str(exc))
        if "Unable to get mapping" in message:
            raise ValidationError(message) from None
