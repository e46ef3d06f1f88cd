"""The rule registry: every diagnostic code is a Rule declared beside the check that reports it.

A check module declares its rules at the top (`rule(...)`: id, family, default severity,
short text, the CloudFormation documentation page it enforces) and marks the functions that
report them with `@check`. `all_rules()` and `checks()` import every module of
sparkleform.check once, so a module joins by being in the package: there is no list to keep.
The families match the rows of docs/cfn-lint-coverage.md; docs/validate.md's rule table is
generated from here (`python -m sparkleform.check.docs`).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sparkleform.check.context import CheckContext

# the documentation sets the rules cite
CFN_DOCS = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/"
IAM_DOCS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/"
# the registry schema language the resource schemas are written in (enum, pattern, limits, ...)
SCHEMA_DOCS = "https://docs.aws.amazon.com/cloudformation-cli/latest/userguide/resource-type-schema.html"

# The published rule table (docs/validate.md, one anchor per rule).
RULES_DOC_URL = "https://github.com/sparkleform/sparkleform/blob/main/docs/validate.md"
CFN_LINT_RULES_URL = "https://github.com/aws-cloudformation/cfn-lint/blob/main/docs/rules.md"


@dataclass(frozen=True, slots=True)
class Rule:
    """One diagnostic code: what it means and where the behaviour it enforces is documented."""

    id: str
    family: str
    severity: str
    description: str
    source_url: str

    @property
    def anchor(self) -> str:
        """The rule's anchor in docs/validate.md (`docs/validate.md#sf1001`)."""
        return self.id.lower()

    @property
    def help_uri(self) -> str:
        """Where a report links the rule to: its row in docs/validate.md."""
        return f"{RULES_DOC_URL}#{self.anchor}"


@dataclass(frozen=True, slots=True)
class Check:
    """A function that reports findings on a CheckContext.

    `written`: it reads the template as written (before the SAM and Fn::ForEach expansion),
    as the IAM checks do; the others read the expanded template. `family`: the check's
    module (`iam` for sparkleform.check.iam), which `run_checks(iam=False)` leaves out.
    """

    run: Callable[[CheckContext], None]
    family: str
    written: bool = False

    @property
    def name(self) -> str:
        return f"{self.run.__module__}.{self.run.__qualname__}"


_RULES: dict[str, Rule] = {}
_CHECKS: list[Check] = []


def rule(id: str, family: str, severity: str, description: str, source_url: str) -> Rule:
    """Declare a rule; its id must be new (one code, one meaning)."""
    declared = Rule(id, family, severity, description, source_url)
    if _RULES.setdefault(id, declared) != declared:
        raise ValueError(f"rule {id} is declared twice")
    return declared


def check(*, written: bool = False) -> Callable[[Callable[[CheckContext], None]], Callable[[CheckContext], None]]:
    """Mark a function of a check module as a check the runner runs."""

    def register(func: Callable[[CheckContext], None]) -> Callable[[CheckContext], None]:
        family = func.__module__.rpartition(".")[2]
        if all(c.run is not func for c in _CHECKS):
            _CHECKS.append(Check(func, family, written))
        return func

    return register


@cache
def _discover() -> None:
    """Import every module of sparkleform.check, so their rules and checks are declared."""
    package = importlib.import_module("sparkleform.check")
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        importlib.import_module(f"{package.__name__}.{info.name}")


def all_rules() -> dict[str, Rule]:
    """Every declared rule by id."""
    _discover()
    return _RULES


@cache
def checks() -> tuple[Check, ...]:
    """Every check, by module name and then in source order (whatever was imported first)."""
    _discover()
    return tuple(sorted(_CHECKS, key=lambda c: (c.run.__module__, c.run.__code__.co_firstlineno)))


def family_of(rule_id: str) -> str:
    found = all_rules().get(rule_id)
    if found:
        return found.family
    if rule_id[:1] in "EWI" and rule_id[1:].isdigit():
        return "cfn-lint"
    return "other"
