"""PolicyError: an IAM policy document that cannot be read or evaluated."""

from __future__ import annotations

from sparkleform.errors import SparkleformError


class PolicyError(SparkleformError):
    """A policy document is not valid IAM policy grammar (exit 2)."""
