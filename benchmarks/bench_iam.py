"""Benchmark: 10,000 simulated requests against a 50-statement policy set, ours vs principalmapper.

    python benchmarks/bench_iam.py [--requests N] [--repeat R]

Both evaluators see the same policies (5 identity policies, 50 statements: wildcard actions
and ARNs, NotAction/NotResource, String/Numeric/Bool/IpAddress/Arn conditions) and the same
seeded requests, timed in CPU seconds (best of --repeat). Ours is timed twice: a Simulator compiled once (the library's fast path)
and `simulate()` handed the raw dicts on every call (compiles every time). principalmapper
(1.1.5, with its Python 3.10+ import workaround) is timed as a deny-then-allow scan with
`policy_has_matching_statement`, its own evaluation entry point for a policy document.
The decisions are compared too: the set stays inside the features both evaluate alike.
"""

from __future__ import annotations

import argparse
import collections
import collections.abc
import random
import time

from sparkleform.iam import Simulator, simulate

SERVICES = {
    "s3": ["GetObject", "PutObject", "DeleteObject", "ListBucket", "GetBucketPolicy", "PutBucketPolicy"],
    "ec2": ["DescribeInstances", "StartInstances", "StopInstances", "TerminateInstances", "RunInstances"],
    "dynamodb": ["GetItem", "PutItem", "Query", "Scan", "DeleteTable"],
    "sqs": ["SendMessage", "ReceiveMessage", "DeleteMessage"],
    "iam": ["PassRole", "CreateUser", "GetRole"],
    "lambda": ["InvokeFunction", "UpdateFunctionCode"],
}
ACTIONS = [f"{svc}:{name}" for svc, names in SERVICES.items() for name in names]
RESOURCES = (
    [f"arn:aws:s3:::bucket-{i}/key-{j}" for i in range(4) for j in range(3)]
    + [f"arn:aws:s3:::bucket-{i}" for i in range(4)]
    + [f"arn:aws:ec2:us-east-1:111122223333:instance/i-{i}" for i in range(6)]
    + [f"arn:aws:dynamodb:us-east-1:111122223333:table/t{i}" for i in range(4)]
    + [f"arn:aws:sqs:us-east-1:111122223333:q{i}" for i in range(3)]
    + ["arn:aws:iam::111122223333:role/app", "arn:aws:lambda:us-east-1:111122223333:function:f"]
)


def policy_set(rng: random.Random) -> list[dict]:
    """5 policies x 10 statements."""
    patterns = ["s3:Get*", "s3:*", "ec2:Describe*", "ec2:*Instances", "dynamodb:*", "dynamodb:Get*", "sqs:*Message",
                "iam:PassRole", "lambda:Invoke*", "s3:?utObject"]
    resource_patterns = ["*", "arn:aws:s3:::bucket-1/*", "arn:aws:s3:::bucket-?", "arn:aws:ec2:*:111122223333:instance/*",
                         "arn:aws:dynamodb:us-east-1:111122223333:table/t*", "arn:aws:sqs:*:*:q1",
                         "arn:aws:s3:::bucket-2/key-*", "arn:aws:ec2:us-east-1:111122223333:instance/i-3"]
    conditions = [
        {"StringEquals": {"aws:PrincipalTag/team": ["blue", "green"]}},
        {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.0.2.0/24"]}},
        {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
        {"NumericLessThan": {"s3:max-keys": "100"}},
        {"StringLike": {"s3:prefix": ["home/*", "public/*"]}},
        {"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:111122223333:*"}},
        {"StringNotEquals": {"ec2:ResourceTag/env": "prod"}},
    ]
    policies = []
    for p in range(5):
        statements = []
        for s in range(10):
            deny = rng.random() < 0.12
            st: dict = {"Sid": f"P{p}S{s}", "Effect": "Deny" if deny else "Allow"}
            acts = rng.sample(patterns, rng.randint(1, 3))
            st["NotAction" if rng.random() < 0.08 else "Action"] = acts
            res = rng.sample(resource_patterns, rng.randint(1, 2))
            st["NotResource" if rng.random() < 0.08 else "Resource"] = res
            if deny or rng.random() < 0.6:  # Deny statements are guards: always conditional
                st["Condition"] = dict(rng.choice(conditions))
            statements.append(st)
        policies.append({"Version": "2012-10-17", "Statement": statements})
    return policies


def requests(rng: random.Random, n: int) -> list[tuple[str, str, dict]]:
    out = []
    for _ in range(n):
        ctx: dict = {}
        if rng.random() < 0.6:
            ctx["aws:PrincipalTag/team"] = rng.choice(["blue", "red"])
        if rng.random() < 0.6:
            ctx["aws:SourceIp"] = rng.choice(["10.1.2.3", "203.0.113.9", "192.0.2.77"])
        if rng.random() < 0.5:
            ctx["aws:MultiFactorAuthPresent"] = rng.choice(["true", "false"])
        if rng.random() < 0.3:
            ctx["s3:max-keys"] = str(rng.choice([10, 500]))
        if rng.random() < 0.3:
            ctx["s3:prefix"] = rng.choice(["home/bob", "private/x"])
        if rng.random() < 0.3:
            ctx["aws:SourceArn"] = rng.choice(["arn:aws:sns:us-east-1:111122223333:t", "arn:aws:sqs:us-east-1:1:q"])
        if rng.random() < 0.4:
            ctx["ec2:ResourceTag/env"] = rng.choice(["prod", "dev"])
        out.append((rng.choice(ACTIONS), rng.choice(RESOURCES), ctx))
    return out


def load_principalmapper():
    for name in ("Mapping", "MutableMapping", "Sequence", "Iterable", "Callable"):
        if not hasattr(collections, name):
            setattr(collections, name, getattr(collections.abc, name))
    try:
        from principalmapper.querying import local_policy_simulation as lps
        from principalmapper.util.case_insensitive_dict import CaseInsensitiveDict
    except ImportError:
        return None
    return lps, CaseInsensitiveDict


def best_of(repeat: int, fn) -> tuple[float, list[str]]:
    times = []
    decisions: list[str] = []
    for _ in range(repeat):
        start = time.process_time()  # CPU time: steadier than wall time on a shared machine
        decisions = fn()
        times.append(time.process_time() - start)
    return min(times), decisions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(20261126)
    policies = policy_set(rng)
    reqs = requests(rng, args.requests)
    n = len(reqs)
    statements = sum(len(p["Statement"]) for p in policies)

    def ours_compiled() -> list[str]:
        sim = Simulator(policies)
        return [sim.simulate(a, r, c).decision for a, r, c in reqs]

    def ours_raw() -> list[str]:
        return [simulate(policies, a, r, c).decision for a, r, c in reqs]

    rows = []
    t_compiled, d_ours = best_of(args.repeat, ours_compiled)
    rows.append(("sparkleform Simulator (compiled once)", t_compiled))
    t_raw, _ = best_of(args.repeat, ours_raw)
    rows.append(("sparkleform simulate() (dicts each call)", t_raw))

    pm = load_principalmapper()
    t_pm = None
    agree = None
    if pm is not None:
        lps, cid = pm

        def theirs() -> list[str]:
            out = []
            for a, r, c in reqs:
                ctx = cid(c)
                if any(lps.policy_has_matching_statement(p, "Deny", a, r, ctx) for p in policies):
                    out.append("explicitDeny")
                elif any(lps.policy_has_matching_statement(p, "Allow", a, r, ctx) for p in policies):
                    out.append("allowed")
                else:
                    out.append("implicitDeny")
            return out

        t_pm, d_pm = best_of(args.repeat, theirs)
        rows.append(("principalmapper 1.1.5 local evaluation", t_pm))
        agree = sum(x == y for x, y in zip(d_ours, d_pm, strict=True))

    print(f"{n} requests x {statements} statements in {len(policies)} policies (best of {args.repeat}, CPU time)")
    print(f"{'evaluator':44} {'cpu s':>8} {'req/s':>10} {'vs principalmapper':>19}")
    for name, seconds in rows:
        ratio = f"{t_pm / seconds:.1f}x faster" if t_pm else "-"
        if name.startswith("principalmapper"):
            ratio = "1.0x"
        print(f"{name:44} {seconds:8.3f} {n / seconds:10,.0f} {ratio:>19}")
    counts = collections.Counter(d_ours)
    print("decisions:", ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    if agree is not None:
        print(f"agreement with principalmapper: {agree}/{n}")


if __name__ == "__main__":
    main()
