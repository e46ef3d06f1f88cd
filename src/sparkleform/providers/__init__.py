"""Providers: where stacks run. `get_provider` builds one by name, importing it lazily."""

from __future__ import annotations

from typing import Any

from sparkleform.contract import Provider
from sparkleform.errors import SparkleformError


def get_provider(name: str, **options: Any) -> Provider:
    """"local" (the embedded engine; options: state, region) or "aws" (boto3; options:
    region, profile, endpoint_url, bucket, prefix)."""
    if name == "local":
        from sparkleform.providers.local import LocalProvider

        return LocalProvider(**options)
    if name == "aws":
        from sparkleform.providers.aws import AwsProvider

        return AwsProvider(**options)
    raise SparkleformError(f"unknown provider {name!r}: use 'local' or 'aws'")


__all__ = ["Provider", "get_provider"]
