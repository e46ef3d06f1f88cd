"""Template preparation: transforms, structure checks and static reference checks.

Runs before any state is touched, so every problem found here is a ValidationError that
leaves the stack (and the state file) exactly as it was.
"""

from __future__ import annotations

from typing import Any

from sparkleform.cfn import SECTIONS
from sparkleform.engine import messages
from sparkleform.engine.attributes import allowed_attribute
from sparkleform.engine.custom import is_custom
from sparkleform.engine.errors import TemplateFormatError, ValidationError
from sparkleform.intrinsics import references, sub_references
from sparkleform.spec import get_schema

PSEUDO = {
    "AWS::AccountId",
    "AWS::Region",
    "AWS::StackName",
    "AWS::StackId",
    "AWS::Partition",
    "AWS::URLSuffix",
    "AWS::NotificationARNs",
    "AWS::NoValue",
}

SUPPORTED_TRANSFORMS = {"AWS::Serverless-2016-10-31", "AWS::LanguageExtensions"}
IAM_TYPES = {
    "AWS::IAM::Role",
    "AWS::IAM::User",
    "AWS::IAM::Group",
    "AWS::IAM::Policy",
    "AWS::IAM::ManagedPolicy",
    "AWS::IAM::AccessKey",
    "AWS::IAM::InstanceProfile",
    "AWS::IAM::UserToGroupAddition",
}
NAMED_IAM = {"RoleName", "UserName", "GroupName", "ManagedPolicyName", "InstanceProfileName"}


def expand(template: Any, *, region: str, account_id: str, parameters: dict[str, str]) -> dict:
    """The template with supported transforms applied; unsupported macros are refused by name."""
    from sparkleform.sam import SAM_TRANSFORM, expand_sam, transforms_of

    if not isinstance(template, dict):
        raise TemplateFormatError("Template format error: the template must be a JSON or YAML object")
    declared = template.get("Transform")
    for item in declared if isinstance(declared, list) else [declared]:
        if isinstance(item, dict) and not isinstance(item.get("Name"), str):
            # AWS's text (LocalStack's test_template_engine snapshot, test_error_pass_macro_as_reference)
            raise ValidationError("Key Name of transform definition must be a string.")
    names = transforms_of(template)
    unsupported = [n for n in names if n not in SUPPORTED_TRANSFORMS]
    if unsupported:
        raise ValidationError(
            f"Transform {', '.join(unsupported)} is not supported by the local engine "
            f"(it expands only {' and '.join(sorted(SUPPORTED_TRANSFORMS))})"
        )
    if SAM_TRANSFORM in names:
        template = expand_sam(template, region=region, account_id=account_id, parameters=parameters)
    return template


def check_structure(template: dict) -> None:
    unknown = [k for k in template if k not in SECTIONS]
    if unknown:
        raise TemplateFormatError(
            f"Template format error: Invalid template property or properties [{', '.join(map(str, unknown))}]"
        )
    resources = template.get("Resources")
    if resources not in (None, {}) and not isinstance(resources, dict):
        raise TemplateFormatError("Template format error: Any Resources member must be an object.")
    if not isinstance(resources, dict) or not resources:
        raise TemplateFormatError("Template format error: At least one Resources member must be defined.")
    bad_types = []
    for logical, res in resources.items():
        if not isinstance(res, dict) or not isinstance(res.get("Type"), str):
            raise TemplateFormatError(
                f"Template format error: [/Resources/{logical}] Every Resources object must contain a Type member."
            )
        rtype = res["Type"]
        if rtype.startswith("AWS::Serverless::"):
            raise TemplateFormatError(
                f"Template format error: Unrecognized resource types: [{rtype}] "
                "(add Transform: AWS::Serverless-2016-10-31)"
            )
        if not is_custom(rtype) and get_schema(rtype) is None and rtype != "AWS::CloudFormation::Stack":
            bad_types.append(rtype)
    if bad_types:
        raise TemplateFormatError(
            f"Template format error: Unrecognized resource types: [{', '.join(sorted(set(bad_types)))}]"
        )
    for _name, out in (template.get("Outputs") or {}).items():
        if not isinstance(out, dict) or "Value" not in out:
            raise TemplateFormatError("Template format error: Every Outputs member must contain a Value object")


def _walk(node: Any, path: tuple | None, visit) -> None:
    """Visit every single-key dict under `node`; `path` (the keys leading to it) is only
    tracked when given: it is needed for an error message alone, and building it for every
    node of a large template costs more than the rest of the walk."""
    if isinstance(node, dict):
        if len(node) == 1:
            key, value = next(iter(node.items()))
            if visit(key, value, path):
                return
        if path is None:
            for v in node.values():
                if isinstance(v, (dict, list)):
                    _walk(v, None, visit)
        else:
            for k, v in node.items():
                _walk(v, (*path, k), visit)
    elif isinstance(node, list):
        if path is None:
            for v in node:
                if isinstance(v, (dict, list)):
                    _walk(v, None, visit)
        else:
            for i, v in enumerate(node):
                _walk(v, (*path, i), visit)


class _NeedPath(Exception):
    """A malformed node was found by the path-less walk: walk again with paths to name it."""


def check_references(
    template: dict,
    seen: set[str] | None = None,
    late: list[str] | None = None,
    refers: dict[str, set[str]] | None = None,
) -> bool:
    """Every Ref names a parameter, pseudo parameter or resource; every GetAtt a known attribute.

    -> whether the template uses Fn::ImportValue (so the caller can skip looking for them);
    `seen` (when given) collects which of Fn::Select, Fn::Split and Fn::FindInMap it uses;
    `late` (when given) collects the Outputs' GetAtts of attributes the type does not have,
    which AWS does not refuse up front: its create starts and rolls back with that reason
    (LocalStack's engine/test_attributes.snapshot.json, test_invalid_getatt_fails);
    `refers` (when given) gets, for each resource, the resources its Properties and Metadata
    refer to (Ref, Fn::GetAtt, Fn::Sub), as `graph.references` finds them: the same walk
    gives the dependencies (`graph.dependencies(..., refers=)`) without a second one."""
    resources = template.get("Resources") or {}
    params = template.get("Parameters") or {}
    conditions = template.get("Conditions") or {}
    problems: list[str] = []
    imports = False
    into: set[str] | None = None  # the resource being walked collects its references here

    def visit(key: str, value: Any, path: tuple) -> bool:
        nonlocal imports
        if key == "Fn::ImportValue":
            imports = True
        elif seen is not None and key in ("Fn::Select", "Fn::Split", "Fn::FindInMap"):
            seen.add(key)
        if key == "Ref" and isinstance(value, str):
            if value in resources:
                if into is not None:
                    into.add(value)
            elif value not in params and value not in PSEUDO:
                problems.append(value)
            return True
        if into is not None and key == "Fn::Sub":
            sub_references(value, resources, into)  # the names in its text; the walk goes on into its variables
            return False
        if key == "Fn::GetAtt":
            if isinstance(value, str) and "." in value:
                logical, attr = value.split(".", 1)
            elif isinstance(value, list) and len(value) == 2 and isinstance(value[0], str):
                logical, attr = value[0], value[1]
            elif path is None:
                raise _NeedPath
            else:
                raise TemplateFormatError(
                    f"Template error: Fn::GetAtt at {'/'.join(map(str, path))} is malformed", template_path=path
                )
            if logical not in resources:
                problems.append(logical)
                return True
            if into is not None:
                into.add(logical)
                if not isinstance(value, str) and isinstance(attr, (dict, list)):
                    references(attr, resources, into)  # an attribute named by a call
            if isinstance(attr, str):
                rtype = resources[logical].get("Type", "")
                if late is not None and path is not None and path[0] == "Outputs":
                    if _unknown_attribute(rtype, attr):
                        late.append(messages.OUTPUT_ATTRIBUTE.format(path="/".join(map(str, path)), type=rtype, attr=attr))
                    return True
                _check_attribute(logical, rtype, attr)
            return True
        if key == "Fn::If" and isinstance(value, list) and value and isinstance(value[0], str) and value[0] not in conditions:
                raise TemplateFormatError(
                    f"Template error: unresolved condition dependency {value[0]} in Fn::If"
                )
        return False

    try:
        if refers is None:
            _walk(resources, None, visit)
        else:
            for logical, decl in resources.items():
                found = refers[logical] = set()
                if not isinstance(decl, dict):
                    continue
                for key, value in decl.items():
                    if isinstance(value, (dict, list)):
                        into = found if key in ("Properties", "Metadata") else None
                        _walk(value, None, visit)
            into = None
        # Outputs with paths (they are few): a late problem names its place
        _walk(template.get("Outputs") or {}, ("Outputs",) if late is not None else None, visit)
    except _NeedPath:
        into = None
        # the same walk, in the same order, with paths: it raises at the same node, named
        for section in ("Resources", "Outputs"):
            _walk(template.get(section) or {}, (section,), visit)
    for logical, res in resources.items():
        cond = res.get("Condition") if isinstance(res, dict) else None
        if cond is not None and cond not in conditions:
            raise TemplateFormatError(
                f"Template format error: Unresolved condition dependency {cond} in resource {logical}"
            )
    if problems:
        names = ", ".join(dict.fromkeys(problems))
        raise TemplateFormatError(
            f"Template format error: Unresolved resource dependencies [{names}] in the Resources block of the template",
            template_path=first_use(template, problems[0]),
        )
    return imports


def first_use(template: dict, name: str) -> tuple:
    """The path of the first Ref / Fn::GetAtt / Fn::Sub naming `name` (for an error's source line)."""
    found: list[tuple] = []

    def visit(key: str, value: Any, path: tuple) -> bool:
        target = value if key == "Ref" else None
        if key == "Fn::GetAtt":
            target = value.split(".", 1)[0] if isinstance(value, str) else (value[0] if isinstance(value, list) and value else None)
        elif key == "Fn::Sub":
            text = value[0] if isinstance(value, list) and value else value
            target = name if isinstance(text, str) and ("${" + name) in text else None
        if target == name and not found:
            found.append(path)
        return key in ("Ref", "Fn::GetAtt")

    for section in ("Resources", "Outputs"):
        _walk(template.get(section) or {}, (section,), visit)
    return found[0] if found else ()


def _unknown_attribute(rtype: str, attr: str) -> bool:
    if rtype == "AWS::CloudFormation::Stack":
        if attr.startswith("Outputs.") or attr == "StackId":
            return False
    elif is_custom(rtype):
        return False
    return allowed_attribute(rtype, attr) is False


def _check_attribute(logical: str, rtype: str, attr: str) -> None:
    if _unknown_attribute(rtype, attr):
        raise TemplateFormatError(
            f"Template error: resource {logical} does not support attribute type {attr} in Fn::GetAtt",
            template_path=("Resources", logical),
        )


def required_capabilities(template: dict) -> list[str]:
    caps: set[str] = set()
    for res in (template.get("Resources") or {}).values():
        rtype = res.get("Type")
        if rtype in IAM_TYPES:
            caps.add("CAPABILITY_IAM")
            if any(k in (res.get("Properties") or {}) for k in NAMED_IAM):
                caps.add("CAPABILITY_NAMED_IAM")
    if "CAPABILITY_NAMED_IAM" in caps:
        caps.discard("CAPABILITY_IAM")
    return sorted(caps)


def check_capabilities(template: dict, given: list[str] | None, original: dict) -> None:
    if given is None:
        return
    needed = required_capabilities(template)
    from sparkleform.sam import transforms_of

    if transforms_of(original):
        needed.append("CAPABILITY_AUTO_EXPAND")
    have = set(given)
    if "CAPABILITY_NAMED_IAM" in have:
        have.add("CAPABILITY_IAM")
    missing = [c for c in needed if c not in have]
    if missing:
        raise ValidationError(f"Requires capabilities : [{', '.join(missing)}]")
