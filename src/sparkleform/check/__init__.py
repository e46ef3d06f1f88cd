"""Checks that turn a template dict into Diagnostics (`run_checks`), without deploying.

Rules live in small modules by subject (structure, parameters, outputs, resources,
properties, references, functions, conditions, graph, transforms); the catalogue of rule
ids is `sparkleform.check.rules.RULES`.
"""

from __future__ import annotations

from sparkleform.check.diagnostic import ERROR, INFO, WARNING, Diagnostic
from sparkleform.check.runner import has_errors, relocate, run_checks

__all__ = ["ERROR", "INFO", "WARNING", "Diagnostic", "has_errors", "relocate", "run_checks"]
