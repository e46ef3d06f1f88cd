"""Expanding `Transform: AWS::Serverless-2016-10-31` templates with aws-sam-translator.

aws-sam-translator is imported lazily (it is heavy). The expansion runs offline: managed
policy names resolve from the translator's bundled map, nothing is fetched from AWS.
"""

from __future__ import annotations

import copy
import os
from typing import Any

from sparkleform.cfn import SAM_TRANSFORM
from sparkleform.errors import TemplateError


def transforms_of(template: dict) -> list[str]:
    """The template's Transform value(s) as a list of names (dict entries: their Name)."""
    value = template.get("Transform")
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if isinstance(item, dict):
            out.append(str(item.get("Name", "")))
        else:
            out.append(str(item))
    return out


LOCAL_BUCKET = "sparkleform-local-artifacts"
# (resource type, property) holding a code/definition location that `sam package` uploads
ARTIFACT_PROPERTIES = {
    ("AWS::Serverless::Function", "CodeUri"),
    ("AWS::Serverless::LayerVersion", "ContentUri"),
    ("AWS::Serverless::Api", "DefinitionUri"),
    ("AWS::Serverless::HttpApi", "DefinitionUri"),
    ("AWS::Serverless::StateMachine", "DefinitionUri"),
    ("AWS::Serverless::Application", "Location"),
}


def _package_local_artifacts(template: dict, account_id: str, region: str) -> None:
    """Do what `sam package` does before deploying, without uploading: local paths in
    CodeUri/ContentUri/DefinitionUri become s3:// URIs in a placeholder bucket, and image
    functions without an ImageUri get a placeholder ECR image."""
    resources = template.get("Resources")
    if not isinstance(resources, dict):
        return
    globals_fn = ((template.get("Globals") or {}).get("Function") or {}) if isinstance(template.get("Globals"), dict) else {}
    for res in resources.values():
        if not isinstance(res, dict) or not isinstance(res.get("Properties", {}), dict):
            continue
        rtype = res.get("Type")
        props = res.setdefault("Properties", {})
        if rtype == "AWS::Serverless::Application" and isinstance(props.get("Location"), dict):
            raise TemplateError(
                f"Transform {SAM_TRANSFORM}: AWS::Serverless::Application from the Serverless Application "
                "Repository (Location.ApplicationId) needs AWS; locally, give Location as a template file path"
            )
        for kind, prop in ARTIFACT_PROPERTIES:
            if rtype != kind:
                continue
            value = props.get(prop)
            if isinstance(value, dict) and isinstance(value.get("Fn::Sub"), str):
                # what AWS::LanguageExtensions does first: pseudo parameters resolved in place
                text = value["Fn::Sub"]
                for pseudo, real in (
                    ("AWS::AccountId", account_id),
                    ("AWS::Region", region),
                    ("AWS::Partition", "aws-cn" if region.startswith("cn-") else "aws"),
                    ("AWS::URLSuffix", "amazonaws.com"),
                ):
                    text = text.replace("${" + pseudo + "}", real)
                if "${" not in text:
                    props[prop] = value = text
            if isinstance(value, str) and not value.startswith("s3://") and not value.startswith("https://"):
                if rtype == "AWS::Serverless::Application":
                    continue
                props[prop] = f"s3://{LOCAL_BUCKET}/{value.strip('./') or 'code'}"
        if rtype == "AWS::Serverless::Function":
            package_type = props.get("PackageType", globals_fn.get("PackageType"))
            if package_type == "Image" and "ImageUri" not in props and "ImageUri" not in globals_fn:
                props["ImageUri"] = f"{account_id}.dkr.ecr.{region}.amazonaws.com/sparkleform-local:latest"
            if (
                package_type != "Image"
                and "CodeUri" not in props
                and "InlineCode" not in props
                and "CodeUri" not in globals_fn
                and "InlineCode" not in globals_fn
            ):
                props["CodeUri"] = f"s3://{LOCAL_BUCKET}/code"


class _OfflinePolicyLoader:
    def load(self) -> dict[str, str]:
        return {}


def expand_sam(
    template: dict,
    *,
    region: str = "us-east-1",
    account_id: str = "123456789012",
    parameters: dict[str, Any] | None = None,
) -> dict:
    """The plain CloudFormation template a SAM template expands to (the input is not changed)."""
    import boto3
    from samtranslator.model.exceptions import InvalidDocumentException, InvalidTemplateException
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.arn_generator import ArnGenerator
    from samtranslator.translator.translator import Translator
    from samtranslator.utils.py27hash_fix import (
        to_py27_compatible_template,
        undo_mark_unicode_str_in_template,
    )

    ArnGenerator.BOTO_SESSION_REGION_NAME = region
    values = {"AWS::Region": region, "AWS::AccountId": account_id}
    values.update({k: v for k, v in (parameters or {}).items()})
    fragment = copy.deepcopy(template)
    _package_local_artifacts(fragment, account_id, region)
    saved_region = os.environ.get("AWS_DEFAULT_REGION")
    os.environ["AWS_DEFAULT_REGION"] = region  # parts of the translator ask boto3 for a region
    try:
        session = boto3.session.Session(region_name=region)
        to_py27_compatible_template(fragment, values)
        translator = Translator(None, Parser(), boto_session=session)
        result = translator.translate(
            fragment, parameter_values=values, get_managed_policy_map=_OfflinePolicyLoader().load
        )
        result = undo_mark_unicode_str_in_template(result)
    except InvalidDocumentException as exc:
        causes = "; ".join(getattr(c, "message", str(c)) for c in getattr(exc, "causes", []) or [])
        raise TemplateError(f"Transform {SAM_TRANSFORM} failed: {causes or exc}") from None
    except InvalidTemplateException as exc:
        raise TemplateError(f"Transform {SAM_TRANSFORM} failed: {exc}") from None
    except Exception as exc:  # the translator raises assorted errors on malformed input
        raise TemplateError(f"Transform {SAM_TRANSFORM} failed: {type(exc).__name__}: {exc}") from None
    finally:
        if saved_region is None:
            os.environ.pop("AWS_DEFAULT_REGION", None)
        else:
            os.environ["AWS_DEFAULT_REGION"] = saved_region
    if isinstance(result.get("Transform"), (str, list)):
        rest = [t for t in transforms_of(result) if t != SAM_TRANSFORM]
        if rest:
            result["Transform"] = rest
        else:
            result.pop("Transform", None)
    return result
