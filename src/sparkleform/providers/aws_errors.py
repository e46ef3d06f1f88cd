"""Map boto3/botocore exceptions into the contract's error vocabulary, once.

`guard(service, operation, stack=...)` wraps every AWS call of the provider and re-raises
what botocore raises as the error it means (`translate`), as httpx's transport maps its
backend's exceptions: StackNotFound, StackExists, NoUpdates and the rest are the contract's
classes (sparkleform.contract), also AwsError here so a remote refusal can be told apart.
AWS's wording stays in the messages. Nothing here imports boto3 (it reads exception class
names and error codes); this module is also the one place that reads AWS's texts where AWS
gives no code (a change set that "didn't contain changes").
"""

from __future__ import annotations

import re
from typing import Any

from sparkleform import contract
from sparkleform.contract import NO_UPDATES
from sparkleform.errors import ConfigError, OperationFailed, SparkleformError, TemplateError

_NO_CHANGES_REASONS = (
    "didn't contain changes",
    "No updates are to be performed",
)


class AwsError(contract.StackError):
    """An AWS call was refused (credentials, permissions, limits, bad input)."""


class AwsCredentialsError(AwsError):
    """No usable credentials, or the ones found were rejected or expired."""


class AwsAccessDenied(AwsError):
    """The caller is not allowed to perform an action."""


class AwsThrottled(AwsError):
    """AWS kept throttling after botocore's retries."""


class StackNotFound(contract.StackNotFound, AwsError):
    """The named stack does not exist in this account and region."""


class StackAlreadyExists(contract.StackExists, AwsError):
    """A create named a stack that is already there."""


class NoUpdates(contract.NoUpdates, AwsError):
    """AWS said the submitted template and parameters change nothing."""


class StackStateRefused(contract.StackStateError, AwsError):
    """AWS refuses the operation in the stack's current state."""


class StackBusy(contract.StackBusy, AwsError):
    """An operation is still in progress on the stack."""


class BucketRequired(ConfigError):
    """A template must go through S3 and no bucket was configured."""


class WaitInterrupted(SparkleformError):
    """Ctrl-C while waiting: the stack operation goes on in AWS, we only stopped watching."""

    exit_code = 130


_THROTTLE = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "RequestThrottled",
    "SlowDown",
}
_DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError"}
_BAD_CREDENTIALS = {
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "SignatureDoesNotMatch",
    "InvalidAccessKeyId",
    "AuthFailure",
}
_EXPIRED = {"ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired"}

_CREDENTIAL_HINT = (
    "use --profile / AWS_PROFILE, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or `aws sso login`"
)


def is_no_changes(message: str | None) -> bool:
    """Does AWS's text (a change set's StatusReason, a ValidationError) mean "nothing to change"?"""
    return bool(message) and any(m in (message or "") for m in _NO_CHANGES_REASONS)


def error_code(exc: BaseException) -> str:
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


def error_message(exc: BaseException) -> str:
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Message", "") or exc)


def _references(node: Any, target: str) -> bool:
    """Does this template node refer to `target` (Ref, GetAtt, Sub ${target}, DependsOn)?"""
    if isinstance(node, dict):
        if node.get("Ref") == target:
            return True
        att = node.get("Fn::GetAtt")
        if isinstance(att, list) and att and att[0] == target:
            return True
        if isinstance(att, str) and att.split(".", 1)[0] == target:
            return True
        sub = node.get("Fn::Sub")
        text = sub[0] if isinstance(sub, list) and sub else sub
        if isinstance(text, str) and re.search(r"\$\{" + re.escape(target) + r"[.}]", text):
            return True
        return any(_references(v, target) for v in node.values())
    if isinstance(node, list):
        return any(_references(v, target) for v in node)
    return False


def locate(message: str, template: dict | None = None) -> str | None:
    """Where in the template an AWS validation message points, as a dotted path (best effort)."""
    m = re.search(r"\[(/(?:Resources|Outputs|Parameters|Conditions|Mappings)/[^\]]+)\]", message)
    if m:
        return ".".join(p for p in m.group(1).split("/") if p)
    resources = (template or {}).get("Resources") or {}
    sections = {k: v for k, v in (template or {}).items() if isinstance(v, dict)}
    m = re.search(r"Unrecognized resource types: \[([^\]]+)\]", message)
    if m:
        wanted = {t.strip() for t in m.group(1).split(",")}
        for lid, res in resources.items():
            if isinstance(res, dict) and res.get("Type") in wanted:
                return f"Resources.{lid}.Type"
    m = re.search(r"Unresolved resource dependencies \[([^\]]+)\] in the (\w+) block", message)
    if m:
        target, block = m.group(1).split(",")[0].strip(), m.group(2)
        for key, node in (sections.get(block) or {}).items():
            if _references(node, target):
                return f"{block}.{key}"
        return block
    m = re.search(r"Fn::GetAtt references undefined resource (\w+)", message)
    if m:
        for block in ("Resources", "Outputs"):
            for key, node in (sections.get(block) or {}).items():
                if _references(node, m.group(1)):
                    return f"{block}.{key}"
    m = re.search(r"Invalid template resource property '(\w+)'", message)
    if m:
        for lid, res in resources.items():
            if isinstance(res, dict) and m.group(1) in (res.get("Properties") or {}):
                return f"Resources.{lid}.Properties.{m.group(1)}"
    m = re.search(r"\b(?:resource|Resource) \[?(\w+)\]?", message)
    if m and m.group(1) in resources:
        return f"Resources.{m.group(1)}"
    return None


class TemplateRejected(TemplateError):
    """AWS refused the template; `path` is where in it, when that could be found."""

    def __init__(self, message: str, path: str | None = None) -> None:
        super().__init__(message + (f" (at {path})" if path else ""))
        self.aws_message = message
        self.path = path


def translate(
    exc: BaseException, service: str, operation: str, *, stack: str | None = None, region: str | None = None
) -> SparkleformError:
    """The sparkleform error for a boto3/botocore exception raised by `service:operation`."""
    if isinstance(exc, SparkleformError):
        return exc
    kind = type(exc).__name__
    action = f"{service}:{operation}"
    where = f" in {region}" if region else ""
    if kind in ("NoCredentialsError", "PartialCredentialsError", "CredentialRetrievalError"):
        return AwsCredentialsError(f"no AWS credentials found for {action}: {_CREDENTIAL_HINT}")
    if kind in ("SSOTokenLoadError", "UnauthorizedSSOTokenError", "TokenRetrievalError"):
        return AwsCredentialsError(f"the AWS SSO session has expired or is missing: run `aws sso login` ({exc})")
    if kind == "NoRegionError":
        return ConfigError("no AWS region set: pass --region, set AWS_REGION, or `region` in sparkleform.toml")
    if kind == "ProfileNotFound":
        return ConfigError(f"{exc}: check --profile / AWS_PROFILE against ~/.aws/config")
    if kind in ("EndpointConnectionError", "ConnectTimeoutError", "ConnectionClosedError"):
        return AwsError(f"cannot reach the AWS endpoint for {action}: {exc} (check --endpoint-url and network)")
    if kind == "ResponseParserError":
        return AwsError(
            f"the endpoint sent a response to {action} that botocore cannot read "
            "(it may not implement this operation)"
        )
    code = error_code(exc)
    message = error_message(exc)
    if not code:
        return AwsError(f"{action} failed: {message}")
    if code in _DENIED:
        return AwsAccessDenied(f"access denied: {action}{' on stack ' + stack if stack else ''}: {message}")
    if code in _THROTTLE:
        return AwsThrottled(
            f"AWS throttled {action} even after retries: try again later, or set retry_mode = \"adaptive\""
        )
    if code in _EXPIRED:
        return AwsCredentialsError(f"the AWS credentials have expired ({action}): refresh them ({_CREDENTIAL_HINT})")
    if code in _BAD_CREDENTIALS:
        return AwsCredentialsError(f"AWS rejected the credentials for {action}: {message}")
    if code == "AlreadyExistsException":
        return StackAlreadyExists(f"stack {stack} already exists{where}: use `sparkleform update {stack}`")
    if code == "InsufficientCapabilitiesException":
        return AwsError(f"{action}: {message} (capabilities are detected from the template; pass them explicitly)")
    if code == "NoSuchBucket":
        return BucketRequired(
            f"S3 bucket for templates does not exist ({message}): create it or set another with --bucket / `bucket`"
        )
    if code in ("ValidationError", "ValidationException"):
        if is_no_changes(message):
            return NoUpdates(NO_UPDATES)
        if stack and re.search(r"does not exist", message) and "Stack" in message:
            return StackNotFound(f"stack {stack} does not exist{where}")
        if message.startswith("Template") or "Template error" in message or "Template format error" in message:
            return TemplateRejected(message, locate(message))
        return AwsError(f"{action}{' (stack ' + stack + ')' if stack else ''}: {message}")
    if code == "LimitExceededException":
        return OperationFailed(f"{action}: AWS limit reached: {message}")
    return AwsError(f"{action} failed: {code}: {message}")


def guard(service: str, operation: str, *, stack: str | None = None, region: str | None = None) -> Any:
    """A context manager that re-raises boto errors as sparkleform errors."""
    return _Guard(service, operation, stack, region)


class _Guard:
    __slots__ = ("operation", "region", "service", "stack")

    def __init__(self, service: str, operation: str, stack: str | None, region: str | None) -> None:
        self.service, self.operation, self.stack, self.region = service, operation, stack, region

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> None:
        if exc is None or isinstance(exc, (SparkleformError, KeyboardInterrupt)):
            return
        if not isinstance(exc, Exception):
            return
        mod = type(exc).__module__ or ""
        if not (mod.startswith("botocore") or mod.startswith("boto3") or hasattr(exc, "response")):
            return
        raise translate(exc, self.service, self.operation, stack=self.stack, region=self.region) from exc
