"""Getting a template to CloudFormation: inline body or S3 upload, nested templates, capabilities.

Pure functions over template dicts, plus `TemplateShipper`, which uploads to S3 through a
client it is given (the provider owns the boto3 session).
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

from sparkleform.cfn import NESTED_STACK_TYPE
from sparkleform.providers.aws_errors import BucketRequired

INLINE_LIMIT = 51_200  # bytes: TemplateBody limit of CreateStack / CreateChangeSet
URL_LIMIT = 1_048_576  # bytes: a template read from S3 (TemplateURL)

# Resource types that need CAPABILITY_IAM (AWS docs: "Acknowledging IAM resources").
IAM_TYPES = {
    "AWS::IAM::AccessKey",
    "AWS::IAM::Group",
    "AWS::IAM::InstanceProfile",
    "AWS::IAM::ManagedPolicy",
    "AWS::IAM::Policy",
    "AWS::IAM::Role",
    "AWS::IAM::User",
    "AWS::IAM::UserToGroupAddition",
    "AWS::IAM::RolePolicy",
    "AWS::IAM::UserPolicy",
    "AWS::IAM::GroupPolicy",
}
# A custom name on one of these makes it CAPABILITY_NAMED_IAM.
IAM_NAME_PROPERTIES = {
    "AWS::IAM::Role": "RoleName",
    "AWS::IAM::User": "UserName",
    "AWS::IAM::Group": "GroupName",
    "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
    "AWS::IAM::InstanceProfile": "InstanceProfileName",
}


def dumps(template: dict) -> str:
    """The compact JSON body sent to CloudFormation (smallest size for the inline limit)."""
    return json.dumps(template, separators=(",", ":"), ensure_ascii=False, default=str)


def resources(template: dict) -> dict[str, dict]:
    res = template.get("Resources") if isinstance(template, dict) else None
    return {k: v for k, v in res.items() if isinstance(v, dict)} if isinstance(res, dict) else {}


def _has_fn_transform(node: Any) -> bool:
    if isinstance(node, dict):
        return "Fn::Transform" in node or any(_has_fn_transform(v) for v in node.values())
    if isinstance(node, list):
        return any(_has_fn_transform(v) for v in node)
    return False


def detect_capabilities(template: dict, nested: dict[str, dict] | None = None) -> list[str]:
    """The capabilities CloudFormation will ask to acknowledge for this template (and the
    nested templates it references), in CloudFormation's order."""
    found: set[str] = set()
    seen: set[int] = set()

    def visit(tpl: dict) -> None:
        if id(tpl) in seen:
            return
        seen.add(id(tpl))
        if tpl.get("Transform") or _has_fn_transform(tpl):
            found.add("CAPABILITY_AUTO_EXPAND")
        for res in resources(tpl).values():
            rtype = res.get("Type")
            props: dict = res["Properties"] if isinstance(res.get("Properties"), dict) else {}
            if rtype in IAM_TYPES:
                found.add("CAPABILITY_IAM")
                name_prop = IAM_NAME_PROPERTIES.get(rtype)
                if name_prop and props.get(name_prop) is not None:
                    found.add("CAPABILITY_NAMED_IAM")
            elif rtype == NESTED_STACK_TYPE:
                found.add("CAPABILITY_AUTO_EXPAND")
                url = props.get("TemplateURL")
                if isinstance(url, str) and nested and isinstance(nested.get(url), dict):
                    visit(nested[url])
            elif rtype == "AWS::Serverless::Application":
                found.add("CAPABILITY_AUTO_EXPAND")

    visit(template)
    order = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]
    return [c for c in order if c in found]


def nested_urls(template: dict) -> Iterator[tuple[str, str]]:
    """(logical id, TemplateURL) of every nested stack whose TemplateURL is a literal string."""
    for logical_id, res in resources(template).items():
        if res.get("Type") == NESTED_STACK_TYPE:
            url = (res.get("Properties") or {}).get("TemplateURL")
            if isinstance(url, str):
                yield logical_id, url


def is_remote(url: str) -> bool:
    return url.startswith(("https://", "http://", "s3://"))


class TemplateShipper:
    """Decides inline body vs S3 for a template, uploading it and its nested templates.

    `s3_factory` returns a boto3 S3 client (called only when an upload is needed);
    `object_url(bucket, key)` is the URL CloudFormation reads the object from.
    """

    def __init__(
        self,
        s3_factory: Callable[[], Any],
        object_url: Callable[[str, str], str],
        bucket: str | None,
        prefix: str | None,
    ) -> None:
        self._s3_factory = s3_factory
        self._object_url = object_url
        self.bucket = bucket
        self.prefix = (prefix or "").strip("/")
        self.uploaded: list[str] = []  # URLs uploaded by this shipper, in order

    def template_args(
        self, stack: str, template: dict, nested: dict[str, dict] | None = None, *, upload: bool = False
    ) -> dict[str, str]:
        """{"TemplateBody": ...} or {"TemplateURL": ...} for CreateStack/CreateChangeSet/UpdateStack:
        uploaded when `upload` (sfn's --upload-root-template) or when over the inline limit."""
        prepared = self.rewrite_nested(stack, template, nested or {})
        body = dumps(prepared)
        size = len(body.encode("utf-8"))
        if size <= INLINE_LIMIT and not upload:
            return {"TemplateBody": body}
        if size > URL_LIMIT:
            from sparkleform.errors import TemplateError

            raise TemplateError(
                f"template for stack {stack} is {size:,} bytes: CloudFormation reads at most "
                f"{URL_LIMIT:,} bytes from S3; split it into nested stacks"
            )
        reason = (f"the template is {size:,} bytes, over CloudFormation's {INLINE_LIMIT:,}-byte inline limit"
                  if size > INLINE_LIMIT else "--upload-root-template sends the template through S3")
        return {"TemplateURL": self.upload(stack, "template", body, reason)}

    def rewrite_nested(self, stack: str, template: dict, nested: dict[str, dict], _depth: int = 0) -> dict:
        """A copy of `template` whose nested-stack TemplateURLs that name an entry of `nested`
        point at the uploaded object instead; the input is never changed."""
        pending = [(lid, url) for lid, url in nested_urls(template) if url in nested]
        if not pending:
            unknown = [(lid, url) for lid, url in nested_urls(template) if not is_remote(url)]
            if unknown:
                from sparkleform.errors import TemplateError

                lid, url = unknown[0]
                raise TemplateError(
                    f"nested stack {lid} of stack {stack} has TemplateURL {url!r}, which is neither a URL "
                    "nor a nested template of this stack"
                )
            return template
        if _depth > 8:
            from sparkleform.errors import TemplateError

            raise TemplateError(f"nested stacks of stack {stack} are more than 8 levels deep (a cycle?)")
        out = copy.deepcopy(template)
        for lid, url in pending:
            child = self.rewrite_nested(stack, nested[url], nested, _depth + 1)
            body = dumps(child)
            reason = f"nested stack {lid} (TemplateURL {url!r}) must be uploaded for CloudFormation to read it"
            out["Resources"][lid]["Properties"]["TemplateURL"] = self.upload(stack, _stem(url), body, reason)
        unknown = [(lid, url) for lid, url in nested_urls(out) if not is_remote(url)]
        if unknown:
            from sparkleform.errors import TemplateError

            lid, url = unknown[0]
            raise TemplateError(
                f"nested stack {lid} of stack {stack} has TemplateURL {url!r}, which is neither a URL "
                "nor a nested template of this stack"
            )
        return out

    def upload(self, stack: str, stem: str, body: str, reason: str) -> str:
        if not self.bucket:
            raise BucketRequired(
                f"{reason}: set an S3 bucket for templates with --bucket (or `bucket` in sparkleform.toml)"
            )
        data = body.encode("utf-8")
        digest = hashlib.sha256(data).hexdigest()[:16]
        key = "/".join(p for p in (self.prefix, stack, f"{stem}-{digest}.json") if p)
        from sparkleform.providers.aws_errors import guard

        with guard("s3", "PutObject", stack=stack):
            self._s3_factory().put_object(Bucket=self.bucket, Key=key, Body=data, ContentType="application/json")
        url = self._object_url(self.bucket, key)
        self.uploaded.append(url)
        return url


def _stem(url: str) -> str:
    name = url.rstrip("/").rsplit("/", 1)[-1]
    for ext in (".json", ".yaml", ".yml", ".template"):
        if name.endswith(ext):
            name = name[: -len(ext)]
    safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in name)
    return safe or "nested"


def s3_object_url(bucket: str, key: str, *, region: str | None, endpoint_url: str | None) -> str:
    """Path-style URL on a custom endpoint (LocalStack, moto); regional virtual-hosted URL on AWS."""
    qkey = quote(key, safe="/")
    if endpoint_url:
        return f"{endpoint_url.rstrip('/')}/{bucket}/{qkey}"
    host = f"s3.{region}.amazonaws.com" if region else "s3.amazonaws.com"
    if region and region.startswith("cn-"):
        host += ".cn"
    return f"https://{bucket}.{host}/{qkey}"


def parse_template_body(body: Any) -> dict:
    """GetTemplate's TemplateBody (a dict for JSON, a string for YAML) as a dict."""
    if isinstance(body, dict):
        return json.loads(json.dumps(body, default=str))
    text = str(body or "")
    try:
        return json.loads(text)
    except ValueError:
        pass
    import yaml

    class _Loader(yaml.SafeLoader):
        pass

    def _tag(loader: Any, suffix: str, node: Any) -> Any:
        name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
            if suffix == "GetAtt" and isinstance(value, str):
                value = value.split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)
        return {name: value}

    _Loader.add_multi_constructor("!", _tag)
    data = yaml.load(text, Loader=_Loader)
    return data if isinstance(data, dict) else {}
