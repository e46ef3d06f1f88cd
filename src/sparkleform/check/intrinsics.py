"""What intrinsic functions look like to the checks: the table's names, and finding calls.

A call is a mapping with exactly one key that is `Ref` or starts with `Fn::`
(`Condition` counts too, inside Conditions and condition functions). Values produced by a
call are never judged as literals by the schema rules. Recognising and walking calls, and
reading Fn::Sub / Fn::GetAtt arguments, live with the table of functions
(sparkleform/intrinsics.py); this module names the views of it the checks use.
"""

from __future__ import annotations

from typing import Any

from sparkleform.intrinsics import (
    CONDITIONS,
    RULES_ONLY,
    Call,
    call_of,
    get_att_parts,
    needs_language_extensions,
    sub_parts,
    sub_variables,
    walk_calls,
)
from sparkleform.intrinsics import (
    FUNCTIONS as TABLE,
)

__all__ = [
    "CONDITION_ARGUMENTS",
    "FUNCTIONS",
    "LANGUAGE_EXTENSIONS",
    "RULE_FUNCTIONS",
    "Call",
    "call_of",
    "get_att_parts",
    "is_no_value",
    "may_be_absent",
    "sub_parts",
    "sub_variables",
    "walk_calls",
]

# The functions usable in a template's Resources, Outputs and Conditions ("Condition",
# a call only inside condition functions, is recognised apart).
FUNCTIONS = frozenset(name for name, row in TABLE.items() if row.placement != RULES_ONLY and name != "Condition")
# Functions of the Rules section (template constraints checked at deploy time)
RULE_FUNCTIONS = frozenset(name for name, row in TABLE.items() if row.placement == RULES_ONLY)
LANGUAGE_EXTENSIONS = frozenset(name for name in TABLE if needs_language_extensions(name))
# the functions whose arguments are conditions
CONDITION_ARGUMENTS = frozenset(name for name, row in TABLE.items() if row.context == CONDITIONS)


def is_no_value(value: Any) -> bool:
    return type(value) is dict and len(value) == 1 and value.get("Ref") == "AWS::NoValue"


def may_be_absent(value: Any) -> bool:
    """True if the value is, or may be (one Fn::If branch), AWS::NoValue."""
    if is_no_value(value):
        return True
    call = call_of(value)
    if call and call[0] == "Fn::If" and isinstance(call[1], list) and len(call[1]) == 3:
        return may_be_absent(call[1][1]) or may_be_absent(call[1][2])
    return False
