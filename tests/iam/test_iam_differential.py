"""Differential property test: our simulator against principalmapper's local evaluator.

principalmapper 1.1.5 imports `collections.Mapping`, gone since Python 3.10; the aliases
below are its known workaround and live only in this test. Requests are generated over
the features both evaluators implement the same way; the situations where they differ
are excluded by `known_disagreement` and listed (with AWS's documented behaviour) in
docs/iam.md, and the disagreements themselves are pinned by explicit tests at the end.
"""

from __future__ import annotations

import collections
import collections.abc

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from sparkleform.iam import simulate

for _name in ("Mapping", "MutableMapping", "Sequence", "Iterable", "Callable"):
    if not hasattr(collections, _name):
        setattr(collections, _name, getattr(collections.abc, _name))

lps = pytest.importorskip("principalmapper.querying.local_policy_simulation")
CaseInsensitiveDict = pytest.importorskip("principalmapper.util.case_insensitive_dict").CaseInsensitiveDict


def pmapper_decision(policies: list[dict], action: str, resource: str, context: dict) -> str:
    ctx = CaseInsensitiveDict(context)
    if any(lps.policy_has_matching_statement(p, "Deny", action, resource, ctx) for p in policies):
        return "explicitDeny"
    if any(lps.policy_has_matching_statement(p, "Allow", action, resource, ctx) for p in policies):
        return "allowed"
    return "implicitDeny"


ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:ListBucket", "ec2:StartInstances", "ec2:DescribeInstances",
           "iam:PassRole", "sqs:SendMessage"]
ACTION_PATTERNS = ["*", "s3:*", "s3:Get*", "s3:?etObject", "ec2:*Instances", "iam:*", "sqs:Send*", "EC2:describe*"]
RESOURCES = ["arn:aws:s3:::bucket-a/key1", "arn:aws:s3:::bucket-b", "arn:aws:s3:::home/bob/notes",
             "arn:aws:ec2:us-east-1:111122223333:instance/i-1", "arn:aws:ec2:eu-west-1:444455556666:instance/i-2"]
RESOURCE_PATTERNS = ["*", "arn:aws:s3:::bucket-a/*", "arn:aws:s3:::bucket-?", "arn:aws:s3:::*",
                     "arn:aws:ec2:*:111122223333:instance/*", "arn:aws:ec2:us-east-1:*:instance/i-?",
                     "arn:aws:s3:::home/${aws:username}/*", *RESOURCES]
STRINGS = ["alpha", "Alpha", "beta", "gamma-1", "prod-x"]
STRING_PATTERNS = ["alpha", "al*", "*a", "gamma-?", "prod-*", "Beta"]
NUMBERS = ["0", "1", "5", "10", "-3"]
DATES = ["2024-01-01T00:00:00Z", "2024-06-01T12:00:00Z", "2025-01-01T00:00:00Z"]
IPS = ["10.0.0.1", "10.1.2.3", "192.0.2.9", "2001:db8::1"]
CIDRS = ["10.0.0.0/8", "10.0.0.0/24", "192.0.2.0/24", "2001:db8::/32"]
ARNS = ["arn:aws:sns:us-east-1:111122223333:topic-a", "arn:aws:sqs:us-east-1:111122223333:queue-b"]
ARN_PATTERNS = [*ARNS, "arn:aws:sns:*:111122223333:*", "arn:aws:sns:*", "arn:aws:sq?:us-east-1:*:queue-*"]

# operator -> (key, values drawn from)
OPERATORS = {
    **{op: ("k:str", STRINGS) for op in ("StringEquals", "StringNotEquals", "StringEqualsIgnoreCase",
                                         "StringNotEqualsIgnoreCase", "StringEqualsIfExists")},
    **{op: ("k:str", STRING_PATTERNS) for op in ("StringLike", "StringNotLike", "StringLikeIfExists")},
    **{op: ("k:num", NUMBERS) for op in ("NumericEquals", "NumericNotEquals", "NumericLessThan",
                                         "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals")},
    **{op: ("k:date", DATES) for op in ("DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals",
                                        "DateGreaterThan", "DateGreaterThanEquals")},
    "Bool": ("k:bool", ["true", "false"]),
    "BoolIfExists": ("k:bool", ["true", "false"]),
    "IpAddress": ("aws:SourceIp", CIDRS),
    "NotIpAddress": ("aws:SourceIp", CIDRS),
    **{op: ("aws:SourceArn", ARN_PATTERNS) for op in ("ArnLike", "ArnEquals", "ArnNotLike", "ArnNotEquals")},
    "ForAllValues:StringEquals": ("k:multi", STRINGS),
    "ForAllValues:StringNotEquals": ("k:multi", STRINGS),
    "ForAllValues:StringLike": ("k:multi", STRING_PATTERNS),
    "ForAnyValue:StringEquals": ("k:multi", STRINGS),
    "ForAnyValue:StringLike": ("k:multi", STRING_PATTERNS),
}
NULL_KEYS = ["k:str", "k:num", "k:bool", "k:multi", "aws:SourceIp"]


@st.composite
def conditions(draw):
    block: dict[str, dict[str, list[str]]] = {}
    for op in draw(st.lists(st.sampled_from(sorted(OPERATORS)), max_size=3, unique=True)):
        key, pool = OPERATORS[op]
        # principalmapper's Date range operators read only the first value: draw one (see known_disagreement)
        most = 1 if op.startswith("Date") and op not in ("DateEquals", "DateNotEquals") else 3
        block[op] = {key: draw(st.lists(st.sampled_from(pool), min_size=1, max_size=most, unique=True))}
    if draw(st.booleans()) and draw(st.booleans()):
        block["Null"] = {draw(st.sampled_from(NULL_KEYS)): draw(st.sampled_from(["true", "false"]))}
    return block


@st.composite
def statements(draw):
    statement: dict = {"Effect": draw(st.sampled_from(["Allow", "Allow", "Deny"]))}
    actions = draw(st.lists(st.sampled_from(ACTION_PATTERNS + ACTIONS), min_size=1, max_size=3, unique=True))
    statement["NotAction" if draw(st.integers(0, 4)) == 0 else "Action"] = actions
    resources = draw(st.lists(st.sampled_from(RESOURCE_PATTERNS), min_size=1, max_size=3, unique=True))
    statement["NotResource" if draw(st.integers(0, 4)) == 0 else "Resource"] = resources
    block = draw(conditions())
    if block:
        statement["Condition"] = block
    return statement


@st.composite
def contexts(draw):
    ctx: dict = {}
    pools = {"k:str": STRINGS, "k:num": NUMBERS, "k:date": DATES, "k:bool": ["true", "false", "TRUE"],
             "aws:SourceIp": IPS, "aws:SourceArn": ARNS}
    for key, pool in pools.items():
        if draw(st.booleans()):
            ctx[key if draw(st.booleans()) else key.upper()] = draw(st.sampled_from(pool))
    if draw(st.booleans()):
        ctx["k:multi"] = draw(st.lists(st.sampled_from(STRINGS), min_size=1, max_size=3, unique=True))
    if draw(st.booleans()):
        ctx["aws:username"] = "bob"
    return ctx


def known_disagreement(policies: list[dict], context: dict) -> str | None:
    """The documented cases where principalmapper departs from AWS (see docs/iam.md)."""
    present = {k.lower() for k in context}
    for policy in policies:
        for statement in policy["Statement"]:
            for op, keys in statement.get("Condition", {}).items():
                for key in keys:
                    if op == "StringNotLike" and key.lower() not in present:
                        return "negated operator on an absent key is true (AWS); principalmapper's StringNotLike says false"
                    if op.startswith("Date") and op not in ("DateEquals", "DateNotEquals") and len(keys[key]) > 1:
                        return "values of one key are ORed (AWS); principalmapper's Date range operators read only the first"
    return None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    policies=st.lists(
        st.lists(statements(), min_size=1, max_size=4).map(lambda s: {"Version": "2012-10-17", "Statement": s}),
        min_size=1,
        max_size=2,
    ),
    action=st.sampled_from(ACTIONS),
    resource=st.sampled_from(RESOURCES),
    context=contexts(),
)
def test_agrees_with_principalmapper(policies, action, resource, context):
    assume(known_disagreement(policies, context) is None)
    ours = simulate(policies, action, resource, context).decision
    theirs = pmapper_decision(policies, action, resource, context)
    assert ours == theirs, (policies, action, resource, context)


# --- the disagreements, pinned: ours follows AWS's documentation -----------------------------


def _one(statement):
    return [{"Version": "2012-10-17", "Statement": [statement]}]


def test_disagreement_string_not_like_absent_key():
    policies = _one({"Effect": "Allow", "Action": "s3:*", "Resource": "*",
                     "Condition": {"StringNotLike": {"k:str": "prod-*"}}})
    assert simulate(policies, "s3:GetObject", "*", {}).decision == "allowed"
    assert pmapper_decision(policies, "s3:GetObject", "*", {}) == "implicitDeny"


def test_disagreement_resource_arn_case():
    policies = _one({"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::Bucket/*"})
    assert simulate(policies, "s3:GetObject", "arn:aws:s3:::bucket/x").decision == "implicitDeny"
    assert pmapper_decision(policies, "s3:GetObject", "arn:aws:s3:::bucket/x", {}) == "allowed"


def test_disagreement_numeric_if_exists():
    policies = _one({"Effect": "Allow", "Action": "s3:*", "Resource": "*",
                     "Condition": {"NumericLessThanIfExists": {"s3:max-keys": "10"}}})
    assert simulate(policies, "s3:ListBucket", "*", {"s3:max-keys": "5"}).decision == "allowed"
    assert pmapper_decision(policies, "s3:ListBucket", "*", {"s3:max-keys": "5"}) == "implicitDeny"


def test_disagreement_arn_condition_wildcard_stays_in_its_segment():
    # ArnLike checks the six ARN components separately (AWS); principalmapper globs the whole string.
    policies = _one({"Effect": "Allow", "Action": "sqs:*", "Resource": "*",
                     "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:topic"}}})
    ctx = {"aws:SourceArn": "arn:aws:sns:us-east-1:111122223333:topic"}
    assert simulate(policies, "sqs:SendMessage", "*", ctx).decision == "implicitDeny"
    assert pmapper_decision(policies, "sqs:SendMessage", "*", ctx) == "allowed"


def test_resource_star_ending_a_segment_crosses_colons_in_both():
    # AWS, Resource element: a * that ends an ARN segment can match beyond colon boundaries.
    policies = _one({"Effect": "Allow", "Action": "sns:*", "Resource": "arn:aws:sns:*:topic"})
    arn = "arn:aws:sns:us-east-1:111122223333:topic"
    assert simulate(policies, "sns:Publish", arn).decision == "allowed"
    assert pmapper_decision(policies, "sns:Publish", arn, {}) == "allowed"


def test_disagreement_for_any_value_negated():
    policies = _one({"Effect": "Allow", "Action": "s3:*", "Resource": "*",
                     "Condition": {"ForAnyValue:StringNotEquals": {"aws:TagKeys": "secret"}}})
    ctx = {"aws:TagKeys": ["secret", "team"]}
    assert simulate(policies, "s3:PutObject", "*", ctx).decision == "allowed"  # "team" is not "secret"
    assert pmapper_decision(policies, "s3:PutObject", "*", ctx) == "implicitDeny"


def test_disagreement_date_range_multiple_values():
    policies = _one({"Effect": "Allow", "Action": "s3:*", "Resource": "*",
                     "Condition": {"DateLessThan": {"aws:CurrentTime": ["2024-01-01T00:00:00Z", "2025-01-01T00:00:00Z"]}}})
    ctx = {"aws:CurrentTime": "2024-06-01T00:00:00Z"}
    assert simulate(policies, "s3:GetObject", "*", ctx).decision == "allowed"  # before the second date
    assert pmapper_decision(policies, "s3:GetObject", "*", ctx) == "implicitDeny"


def test_disagreement_variable_value_is_literal():
    policies = _one({"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::home/${aws:username}/*"})
    ctx = {"aws:username": "*"}
    assert simulate(policies, "s3:GetObject", "arn:aws:s3:::home/alice/x", ctx).decision == "implicitDeny"
    assert pmapper_decision(policies, "s3:GetObject", "arn:aws:s3:::home/alice/x", ctx) == "allowed"


# --- properties of our own evaluator (no peer needed) ------------------------------------------


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(statements=st.lists(statements(), min_size=1, max_size=6), action=st.sampled_from(ACTIONS),
       resource=st.sampled_from(RESOURCES), context=contexts(), data=st.data())
def test_decision_ignores_statement_order_and_policy_split(statements, action, resource, context, data):
    whole = simulate([{"Version": "2012-10-17", "Statement": statements}], action, resource, context)
    shuffled = data.draw(st.permutations(statements))
    cut = data.draw(st.integers(0, len(shuffled)))
    parts = [p for p in (shuffled[:cut], shuffled[cut:]) if p]
    split = simulate([{"Version": "2012-10-17", "Statement": p} for p in parts], action, resource, context)
    assert split.decision == whole.decision
    assert sorted(s.sid or repr(s.statement) for s in split.statements) == sorted(
        s.sid or repr(s.statement) for s in whole.statements
    )
    # a matching Deny always wins; an unconditional Allow of everything turns implicit into allowed
    deny = {"Effect": "Deny", "Action": "*", "Resource": "*"}
    allow = {"Effect": "Allow", "Action": "*", "Resource": "*"}
    assert simulate([{"Version": "2012-10-17", "Statement": [*statements, deny]}], action, resource,
                    context).decision == "explicitDeny"
    widened = simulate([{"Version": "2012-10-17", "Statement": [*statements, allow]}], action, resource, context)
    assert widened.decision == ("explicitDeny" if whole.decision == "explicitDeny" else "allowed")
