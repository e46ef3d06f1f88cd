"""Fixtures of the reliability tests."""

from reliability_cli import cli  # noqa: F401
