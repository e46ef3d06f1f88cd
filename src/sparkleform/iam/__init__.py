"""Offline IAM: the policy model and a policy simulator (AWS's evaluation logic).

The policy checks on templates are a check family that uses this package: sparkleform.check.iam.

    from sparkleform.iam import simulate
    result = simulate([policy], "s3:GetObject", "arn:aws:s3:::bucket/key")
    result.decision   # "allowed" | "explicitDeny" | "implicitDeny"
    result.statements # the deciding statements
"""

from __future__ import annotations

from sparkleform.iam.errors import PolicyError
from sparkleform.iam.evaluate import (
    ALLOWED,
    EXPLICIT_DENY,
    IMPLICIT_DENY,
    DecidingStatement,
    Result,
    Simulator,
    simulate,
)
from sparkleform.iam.policy import Policy, compile_policy

__all__ = [
    "ALLOWED",
    "EXPLICIT_DENY",
    "IMPLICIT_DENY",
    "DecidingStatement",
    "Policy",
    "PolicyError",
    "Result",
    "Simulator",
    "compile_policy",
    "simulate",
]
