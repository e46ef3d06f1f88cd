"""Facts about CloudFormation itself, stated once for every layer that needs them.

Names and values that CloudFormation's template format and stack API define (not choices
sparkleform makes). A leaf: it imports nothing from sparkleform, so dsl, check, engine,
providers, stacks and cli may all import it; a layer that needs a narrower view derives it
here from these and names it where it is used.
"""

from __future__ import annotations

# The top-level sections in the conventional order a template is written in. Hooks, which
# CloudFormation also accepts, has no conventional place and is left out of the order.
SECTION_ORDER: tuple[str, ...] = (
    "AWSTemplateFormatVersion",
    "Description",
    "Metadata",
    "Transform",
    "Parameters",
    "Rules",
    "Mappings",
    "Conditions",
    "Resources",
    "Outputs",
)
# Every top-level section CloudFormation accepts.
SECTIONS: frozenset[str] = frozenset({*SECTION_ORDER, "Hooks"})

# The keys a resource entry may have: Type, Properties and the resource attributes.
RESOURCE_KEYS: tuple[str, ...] = (
    "Type",
    "Properties",
    "DependsOn",
    "Condition",
    "Metadata",
    "DeletionPolicy",
    "UpdateReplacePolicy",
    "CreationPolicy",
    "UpdatePolicy",
    "Version",
)

PSEUDO_PARAMETERS: frozenset[str] = frozenset(
    {
        "AWS::AccountId",
        "AWS::NotificationARNs",
        "AWS::NoValue",
        "AWS::Partition",
        "AWS::Region",
        "AWS::StackId",
        "AWS::StackName",
        "AWS::URLSuffix",
    }
)

SAM_TRANSFORM = "AWS::Serverless-2016-10-31"
LANGUAGE_EXTENSIONS = "AWS::LanguageExtensions"

# The resource type of a nested stack (also the type of a stack's own events).
NESTED_STACK_TYPE = "AWS::CloudFormation::Stack"

# What a failed create may do (CreateStack's OnFailure).
ON_FAILURE_ACTIONS: tuple[str, ...] = ("ROLLBACK", "DELETE", "DO_NOTHING")

# Stack statuses that end an operation that did not do what was asked.
FAILED_STATES: frozenset[str] = frozenset(
    {
        "CREATE_FAILED",
        "ROLLBACK_COMPLETE",
        "ROLLBACK_FAILED",
        "DELETE_FAILED",
        "UPDATE_FAILED",
        "UPDATE_ROLLBACK_COMPLETE",
        "UPDATE_ROLLBACK_FAILED",
        "IMPORT_ROLLBACK_COMPLETE",
        "IMPORT_ROLLBACK_FAILED",
    }
)
