"""The 200-resource templates the crash and concurrency tests run (chains of dependencies,
so operations pass through many waves; variant "b" modifies, replaces, adds and removes)."""

from __future__ import annotations


def big_template(variant: str = "a", n: int = 200, export: str = "crash-first") -> dict:
    resources: dict[str, dict] = {}
    for i in range(n):
        deps = {} if i % 20 == 0 else {"DependsOn": f"R{i - 1}"}
        changed = variant == "b" and i % 10 == 3
        if i % 4 == 0:
            replaced = variant == "b" and i % 40 == 0
            props = {"QueueName": f"{export}-q{i}-{'b' if replaced else 'a'}", "DelaySeconds": 2 if changed else 1}
            resources[f"R{i}"] = {"Type": "AWS::SQS::Queue", "Properties": props, **deps}
        elif i % 4 == 1:
            resources[f"R{i}"] = {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": f"t{i}"}, **deps}
        elif i % 4 == 2:
            ref = {"Fn::GetAtt": [f"R{i - 2}", "Arn"]}
            resources[f"R{i}"] = {"Type": "AWS::SSM::Parameter", "Properties": {"Type": "String", "Value": ref}, **deps}
        else:
            days = 14 if changed else 7
            resources[f"R{i}"] = {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": days}, **deps}
    if variant == "fail":  # like "b", but the last resource fails: create/update roll back
        out = big_template("b", n, export)
        out["Resources"][f"R{n - 2}"]["Metadata"] = {"sparkleform:fail": True}
        return out
    if variant == "b":
        for i in range(19, n, 40):  # chain ends: removable without breaking DependsOn
            resources.pop(f"R{i}", None)
        for i in range(5):
            resources[f"Extra{i}"] = {"Type": "AWS::SNS::Topic"}
    return {"Resources": resources, "Outputs": {"First": {"Value": {"Ref": "R0"}, "Export": {"Name": export}}}}
