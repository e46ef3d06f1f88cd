"""Transforms: expand AWS::Serverless-2016-10-31 with aws-sam-translator before checking
(through `sparkleform.sam.expand_sam`), map findings on generated resources back to the SAM
resource, and say plainly what a macro we cannot expand keeps us from checking."""

from __future__ import annotations

from typing import Any

from sparkleform.cfn import LANGUAGE_EXTENSIONS, SAM_TRANSFORM
from sparkleform.check.context import transform_names
from sparkleform.check.diagnostic import ERROR, INFO, Diagnostic
from sparkleform.check.foreach import expand_foreach
from sparkleform.check.intrinsics import call_of
from sparkleform.check.rules import CFN_DOCS, rule
from sparkleform.errors import SparkleformError
from sparkleform.sam import expand_sam

RULES = (
    rule("SF5001", "transforms", ERROR, "The SAM transform rejected the template", CFN_DOCS + "transform-aws-serverless.html"),
    rule("SF5002", "transforms", INFO, "Macro not expanded: the parts it owns were not checked", CFN_DOCS + "template-macros.html"),
)

PLACEHOLDER_S3 = "s3://sparkleform-placeholder/artifact.zip"
PLACEHOLDER_IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/placeholder:latest"
PLACEHOLDER_TEMPLATE = "https://s3.amazonaws.com/sparkleform-placeholder/template.yaml"
# SAM properties that `sam package` fills in from local paths: type -> property names
ARTIFACTS: dict[str, tuple[str, ...]] = {
    "AWS::Serverless::Function": ("CodeUri",),
    "AWS::Serverless::LayerVersion": ("ContentUri",),
    "AWS::Serverless::Api": ("DefinitionUri",),
    "AWS::Serverless::HttpApi": ("DefinitionUri",),
    "AWS::Serverless::StateMachine": ("DefinitionUri",),
}


def _offline(template: dict) -> dict:
    """A copy ready for offline translation: local artifact paths (what `sam package`
    uploads) replaced by placeholder S3 URIs, nested applications by a placeholder
    template URL, so the translator needs neither the files nor AWS."""
    out = dict(template)
    resources = template.get("Resources")
    if not isinstance(resources, dict):
        return out
    new_resources = {}
    globals_fn = template.get("Globals", {}).get("Function", {}) if isinstance(template.get("Globals"), dict) else {}
    for name, res in resources.items():
        if not isinstance(res, dict) or not isinstance(res.get("Properties", {}), dict):
            new_resources[name] = res
            continue
        rtype = res.get("Type") if isinstance(res.get("Type"), str) else None
        props = dict(res.get("Properties") or {})
        for key in ARTIFACTS.get(rtype or "", ()):
            value = props.get(key)
            if (isinstance(value, str) and not value.startswith("s3://")) or call_of(value) is not None:
                props[key] = PLACEHOLDER_S3
        if rtype == "AWS::Serverless::Function":
            image = props.get("PackageType", globals_fn.get("PackageType") if isinstance(globals_fn, dict) else None) == "Image"
            if image and "ImageUri" not in props:
                props["ImageUri"] = PLACEHOLDER_IMAGE
            has_code = "CodeUri" in props or "InlineCode" in props or (isinstance(globals_fn, dict) and "CodeUri" in globals_fn)
            if not image and not has_code:
                props["CodeUri"] = PLACEHOLDER_S3
            if "AutoPublishCodeSha256" in props and not isinstance(props["AutoPublishCodeSha256"], str):
                props["AutoPublishCodeSha256"] = "placeholder"
        if rtype == "AWS::Serverless::Application" and not isinstance(props.get("Location"), str):
            props["Location"] = PLACEHOLDER_TEMPLATE
        new_resources[name] = {**res, "Properties": props}
    out["Resources"] = new_resources
    if isinstance(globals_fn, dict) and isinstance(globals_fn.get("CodeUri"), str) and not globals_fn["CodeUri"].startswith("s3://"):
        out["Globals"] = {**template["Globals"], "Function": {**globals_fn, "CodeUri": PLACEHOLDER_S3}}
    return out


class Expansion:
    """The template to check, and what the transform step found."""

    def __init__(self, template: dict) -> None:
        self.template = template
        self.origin_of: dict[str, str] = {}
        self.notes: list[Diagnostic] = []
        self.unexpanded: list[str] = []


def expand(template: dict) -> Expansion:
    names = transform_names(template)
    result = Expansion(template)
    if SAM_TRANSFORM in names:
        import logging  # here: only SAM templates need it, and it costs start-up time

        logging.getLogger("samtranslator").setLevel(logging.ERROR)
        try:
            expanded = expand_sam(_offline(template), parameters=_defaults(template))
        except SparkleformError as exc:
            result.unexpanded.append(SAM_TRANSFORM)
            result.notes.append(Diagnostic("SF5001", ERROR, ("Transform",), f"the SAM transform rejected the template: {exc.message}"))
            return result
        if isinstance(expanded, dict):
            result.template = expanded
            result.origin_of = _origins(template, expanded)
    if LANGUAGE_EXTENSIONS in names:
        result.template, made, left = expand_foreach(result.template)
        result.origin_of.update(made)
        if left:
            result.notes.append(
                Diagnostic(
                    "SF5002",
                    INFO,
                    ("Transform",),
                    f"{left} Fn::ForEach loop(s) over values known only at deploy time were not expanded or checked",
                )
            )
    for name in names:
        if name not in (SAM_TRANSFORM, LANGUAGE_EXTENSIONS):
            result.unexpanded.append(name)
            result.notes.append(
                Diagnostic(
                    "SF5002",
                    INFO,
                    ("Transform",),
                    f"macro {name} was not expanded: resources it adds or rewrites were not checked, and references "
                    "to names it may create, and unused declarations, were not judged",
                )
            )
    return result


def _defaults(template: dict) -> dict:
    params = template.get("Parameters")
    if not isinstance(params, dict):
        return {}
    out = {}
    for name, param in params.items():
        if not isinstance(param, dict):
            continue
        allowed = param.get("AllowedValues")
        if "Default" in param:
            out[name] = param["Default"]
        elif isinstance(allowed, list) and allowed:
            out[name] = allowed[0]
        elif param.get("Type") == "String":
            out[name] = "placeholder"  # stands in for a value given at deploy time
    return out


def _mapping(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _origins(original: dict, expanded: dict) -> dict[str, str]:
    """Generated logical id -> the SAM resource it came from (longest logical-id prefix)."""
    before = _mapping(original.get("Resources"))
    after = _mapping(expanded.get("Resources"))
    sam_ids = sorted(
        (k for k, v in before.items() if isinstance(v, dict) and str(v.get("Type", "")).startswith("AWS::Serverless::")),
        key=len,
        reverse=True,
    )
    out: dict[str, str] = {}
    for logical_id, res in after.items():
        if logical_id in before and not str(before[logical_id].get("Type", "")).startswith("AWS::Serverless::"):
            continue
        meta = res.get("Metadata") if isinstance(res, dict) else None
        origin = meta.get("SamResourceId") if isinstance(meta, dict) else None
        if not isinstance(origin, str):
            origin = next((s for s in sam_ids if isinstance(logical_id, str) and logical_id.startswith(s)), None)
        if origin:
            out[logical_id] = origin
    return out
