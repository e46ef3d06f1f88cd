"""The catalogue of rule ids: family, default severity and a one-line description.

Rules report with these ids; the SARIF writer and docs/validate.md list them from here.
The family names match the rows of docs/cfn-lint-coverage.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sparkleform.check.diagnostic import ERROR, INFO, WARNING


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    family: str
    severity: str
    description: str


_RULES = [
    # template structure
    Rule("SF1001", "structure", ERROR, "Unknown top-level section"),
    Rule("SF1002", "structure", ERROR, "Resources section missing or empty"),
    Rule("SF1003", "structure", ERROR, "Section has the wrong shape (not a mapping, not a string)"),
    Rule("SF1004", "structure", ERROR, "Logical id not alphanumeric or longer than 255 characters"),
    Rule("SF1005", "structure", ERROR, "Template limit exceeded (resources, parameters, outputs, mappings)"),
    Rule("SF1006", "structure", WARNING, "Template body too large to pass inline (51,200 bytes) or to upload (1 MB)"),
    Rule("SF1007", "structure", ERROR, "AWSTemplateFormatVersion is not 2010-09-09"),
    Rule("SF1008", "structure", ERROR, "The same logical id is used in two sections"),
    # parameters
    Rule("SF1101", "parameters", ERROR, "Parameter has no Type or an invalid Type"),
    Rule("SF1102", "parameters", ERROR, "Parameter has an unknown attribute or an attribute of the wrong type"),
    Rule("SF1103", "parameters", ERROR, "Parameter Default outside AllowedValues, AllowedPattern, lengths or values"),
    Rule("SF1104", "parameters", ERROR, "Parameter constraint malformed (bad regex, min above max)"),
    # mappings
    Rule("SF1201", "mappings", ERROR, "Mapping is not a two-level map of names to values"),
    # outputs
    Rule("SF1301", "outputs", ERROR, "Output has no Value, an unknown attribute, or the wrong shape"),
    Rule("SF1302", "outputs", ERROR, "Export name used twice or malformed"),
    # resources against their schema
    Rule("SF2001", "resources", ERROR, "Unknown or malformed resource type"),
    Rule("SF2002", "properties", ERROR, "Unknown property"),
    Rule("SF2003", "properties", ERROR, "Required property missing"),
    Rule("SF2004", "properties", ERROR, "Value of the wrong JSON type"),
    Rule("SF2005", "properties", ERROR, "Value not among the allowed values"),
    Rule("SF2006", "properties", ERROR, "Value does not match the pattern"),
    Rule("SF2007", "properties", ERROR, "Value, length or item count outside its limits"),
    Rule("SF2008", "properties", ERROR, "Mutually exclusive or dependent properties"),
    Rule("SF2009", "resources", ERROR, "Resource entry malformed (no Type, unknown key, Properties not a mapping)"),
    Rule("SF2011", "resources", ERROR, "Nested stack Parameters do not match the local child template"),
    Rule("SF2012", "resources", ERROR, "Route 53 record value not in the form its record type needs"),
    Rule("SF2013", "resources", ERROR, "Subnet associated with more than one route table"),
    Rule("SF2014", "resources", ERROR, "DynamoDB AttributeDefinitions do not match the key schemas"),
    Rule("SF2015", "resources", ERROR, "Lambda runtime deprecated (error once creation is blocked)"),
    Rule("SF2016", "resources", ERROR, "Two resources with the same primary identifier"),
    Rule("SF2101", "attributes", ERROR, "Resource attribute malformed (DependsOn, Condition, DeletionPolicy, ...)"),
    # references
    Rule("SF3001", "references", ERROR, "Ref to an unknown parameter or resource"),
    Rule("SF3002", "references", ERROR, "Fn::GetAtt on an unknown resource"),
    Rule("SF3003", "references", ERROR, "Fn::GetAtt attribute not declared by the resource type"),
    Rule("SF3004", "references", ERROR, "Fn::Sub variable names nothing"),
    Rule("SF3005", "references", ERROR, "DependsOn names an unknown resource"),
    Rule("SF3006", "references", ERROR, "Condition names an unknown condition"),
    Rule("SF3007", "references", ERROR, "Fn::FindInMap names an unknown mapping or key"),
    Rule("SF3008", "references", ERROR, "Reference not allowed here (resource in Conditions, ...)"),
    Rule("SF3010", "references", ERROR, "Circular dependency"),
    Rule("SF3011", "conditions", ERROR, "Circular condition definitions"),
    Rule("SF3020", "unused", WARNING, "Parameter never used"),
    Rule("SF3021", "unused", WARNING, "Condition never used"),
    Rule("SF3022", "unused", WARNING, "Mapping never used"),
    # intrinsic functions
    Rule("SF4001", "functions", ERROR, "Intrinsic function has the wrong arguments"),
    Rule("SF4002", "functions", ERROR, "Unknown intrinsic function"),
    Rule("SF4003", "functions", ERROR, "Intrinsic function not allowed here"),
    Rule("SF4004", "conditions", ERROR, "Condition definition malformed"),
    # transforms
    Rule("SF5001", "transforms", ERROR, "The SAM transform rejected the template"),
    Rule("SF5002", "transforms", INFO, "Macro not expanded: the parts it owns were not checked"),
]

RULES: dict[str, Rule] = {r.id: r for r in _RULES}


@cache
def all_rules() -> dict[str, Rule]:
    """This catalogue plus the IAM checks' rules (sparkleform.iam.checks), which run in validate too."""
    rules = dict(RULES)
    try:
        from sparkleform.iam.checks import RULES as IAM_RULES
    except ImportError:
        return rules
    rules.update(IAM_RULES)
    return rules


def family_of(rule_id: str) -> str:
    rule = all_rules().get(rule_id)
    if rule:
        return rule.family
    if rule_id.startswith("SF90"):
        return "iam"  # sparkleform.iam.checks
    if rule_id[:1] in "EWI" and rule_id[1:].isdigit():
        return "cfn-lint"
    return "other"
