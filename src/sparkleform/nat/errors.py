"""The agent's errors: bad settings (exit 2) and an unreachable lock service."""

from __future__ import annotations

from sparkleform.errors import SparkleformError


class NatAgentError(SparkleformError):
    """The agent's settings are missing or wrong (config file, options, lock URL)."""


class LockUnavailable(Exception):
    """The lock service did not answer (or answered with a server error); the caller retries."""


class Fenced(Exception):
    """A write was refused because this agent no longer holds the lock."""
