"""Expanding `Transform: AWS::Serverless-2016-10-31` templates with aws-sam-translator.

aws-sam-translator is imported lazily (it is heavy). The expansion runs offline: managed
policy names resolve from the translator's bundled map, nothing is fetched from AWS.
"""

from __future__ import annotations

import copy
from typing import Any

from sparkleform.errors import TemplateError

SAM_TRANSFORM = "AWS::Serverless-2016-10-31"


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
    try:
        import boto3
        from samtranslator.model.exceptions import InvalidDocumentException, InvalidTemplateException
        from samtranslator.parser.parser import Parser
        from samtranslator.translator.arn_generator import ArnGenerator
        from samtranslator.translator.translator import Translator
        from samtranslator.utils.py27hash_fix import (
            to_py27_compatible_template,
            undo_mark_unicode_str_in_template,
        )
    except ImportError as exc:  # pragma: no cover - it is a declared dependency
        raise TemplateError(f"the SAM transform needs aws-sam-translator: {exc}") from None
    ArnGenerator.BOTO_SESSION_REGION_NAME = region
    values = {"AWS::Region": region, "AWS::AccountId": account_id}
    values.update({k: v for k, v in (parameters or {}).items()})
    fragment = copy.deepcopy(template)
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
    if isinstance(result.get("Transform"), (str, list)):
        rest = [t for t in transforms_of(result) if t != SAM_TRANSFORM]
        if rest:
            result["Transform"] = rest
        else:
            result.pop("Transform", None)
    return result
