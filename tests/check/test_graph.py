"""sparkleform.check.graph: the dependency map and cycle finding other areas rely on."""

from __future__ import annotations

from sparkleform.check.graph import dependencies, find_cycles


def test_dependencies_follow_ref_getatt_sub_dependson_and_both_if_branches():
    t = {
        "Conditions": {"C": {"Fn::Equals": ["a", "b"]}},
        "Parameters": {"P": {"Type": "String"}},
        "Resources": {
            "A": {"Type": "AWS::SQS::Queue"},
            "B": {"Type": "AWS::SQS::Queue", "DependsOn": ["A"]},
            "C": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": {"Fn::Sub": "${B.QueueName}-${P}-${Local}", }}},
            "D": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": {"Fn::If": ["C", {"Ref": "A"}, {"Fn::GetAtt": "C.TopicName"}]}}},
            "E": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": {"Fn::Sub": ["${Local}", {"Local": {"Ref": "D"}}]}}},
        },
    }
    assert dependencies(t) == {"A": set(), "B": {"A"}, "C": {"B"}, "D": {"A", "C"}, "E": {"D"}}


def test_find_cycles_names_each_loop_once_as_a_closed_path():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"d"}, "e": {"a"}, "f": set()}
    assert find_cycles(graph) == [["a", "b", "c", "a"], ["d", "d"]]
    assert find_cycles({"x": {"y"}, "y": set()}) == []


def test_deep_chains_do_not_recurse():
    n = 5000
    graph = {f"n{i}": {f"n{i + 1}"} for i in range(n)}
    graph[f"n{n}"] = {"n0"}
    (cycle,) = find_cycles(graph)
    assert len(cycle) == n + 2 and cycle[0] == cycle[-1]
