"""Fn::ForEach loops over literal collections are unrolled and checked; others are noted."""

from __future__ import annotations

from sparkleform.check import run_checks
from sparkleform.check.foreach import expand_foreach
from sparkleform.sourcemap import Location, SourceMap

LOOP = {
    "Transform": "AWS::LanguageExtensions",
    "Resources": {
        "Fn::ForEach::Queues": [
            "Name",
            ["Orders", "Bills"],
            {"Queue${Name}": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Ref": "Name"}, "DelaySeconds": 5}}},
        ]
    },
    "Outputs": {"O": {"Value": {"Fn::GetAtt": ["QueueOrders", "Arn"]}}},
}


def test_loops_are_unrolled():
    expanded, origin, left = expand_foreach(LOOP)
    assert left == 0
    assert set(expanded["Resources"]) == {"QueueOrders", "QueueBills"}
    assert expanded["Resources"]["QueueBills"]["Properties"]["QueueName"] == "Bills"
    assert origin == {"QueueOrders": "Fn::ForEach::Queues", "QueueBills": "Fn::ForEach::Queues"}
    assert not [d for d in run_checks(LOOP) if d.severity == "error"]


def test_findings_in_a_loop_point_at_the_loop():
    import copy

    bad = copy.deepcopy(LOOP)
    bad["Resources"]["Fn::ForEach::Queues"][2]["Queue${Name}"]["Properties"]["DelaySeconds"] = 5000
    sources = SourceMap({("Resources", "Fn::ForEach::Queues"): Location("t.yaml", 3)})
    errors = [d for d in run_checks(bad, sources) if d.severity == "error"]
    assert sorted(d.path[1] for d in errors) == ["QueueBills", "QueueOrders"]
    assert all(str(d.location) == "t.yaml:3" and "the loop Fn::ForEach::Queues" in d.message for d in errors)


def test_loop_over_deploy_time_values_is_noted_not_judged():
    t = {
        "Transform": "AWS::LanguageExtensions",
        "Parameters": {"Names": {"Type": "CommaDelimitedList"}},
        "Resources": {"Fn::ForEach::Q": ["N", {"Ref": "Names"}, {"Q${N}": {"Type": "AWS::SQS::Queue"}}]},
    }
    found = run_checks(t)
    assert not [d for d in found if d.severity == "error"]
    assert any(d.rule == "SF5002" and "Fn::ForEach" in d.message for d in found)
