"""Checks that turn a template dict into Diagnostics (`run_checks`), without deploying.

Rules live in small modules by subject (structure, parameters, outputs, resources,
properties, references, functions, graph, transforms, iam), each declaring its rules beside
the checks that report them; `sparkleform.check.rules` is the registry that finds them.
"""

from __future__ import annotations

from sparkleform.check.diagnostic import ERROR, INFO, WARNING, Diagnostic
from sparkleform.check.runner import has_errors, relocate, run_checks

__all__ = ["ERROR", "INFO", "WARNING", "Diagnostic", "has_errors", "relocate", "run_checks"]
