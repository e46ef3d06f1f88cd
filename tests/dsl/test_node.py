"""The tree: auto-vivifying, exact keys, merge rules, the underscore API."""

import pytest

import sparkleform as sf
from sparkleform.dsl.node import Node
from sparkleform.errors import TemplateError


def test_attribute_access_makes_children_and_with_yields_node():
    root = Node()
    with root.a.b as b:
        assert b is root.a.b
        b.c = 1
    assert root._data() == {"A": {"B": {"C": 1}}}


def test_exact_keys_are_kept_and_two_spellings_are_one_key():
    root = Node()
    root["us-east-1"].ami = "ami-1"
    root.cidr_block = "10.0.0.0/16"
    root["CidrBlock"] = "10.1.0.0/16"
    assert root._data() == {"us-east-1": {"Ami": "ami-1"}, "CidrBlock": "10.1.0.0/16"}
    assert root._keys() == ["us-east-1", "CidrBlock"]


def test_set_is_exact_even_for_snake_keys():
    root = Node()
    root._set("table_name", "x")
    root["other_name"] = "y"  # bracket access with a plain snake key follows the naming rule
    assert root._data() == {"table_name": "x", "OtherName": "y"}


def test_assigning_replaces_children_and_lists_replace_whole():
    root = Node()
    root.x.y = 1
    root.x = "flat"
    assert root._data() == {"X": "flat"}
    root.l = [1, 2]
    root.l = [3]
    assert root._data()["L"] == [3]


def test_assigned_dict_becomes_a_node_when_changed_in_place():
    root = Node()
    root.policy = {"Version": "2012-10-17", "Statement": []}
    root.policy.version = "2008-10-17"  # same key by identity
    assert root._data() == {"Policy": {"Version": "2008-10-17", "Statement": []}}


def test_merge_nodes_merge_values_overwrite():
    root = Node()
    root.p.type = "String"
    root.p.default = "a"
    root._merge({"P": {"Default": "b", "AllowedValues": ["b"]}})
    assert root._data() == {"P": {"Type": "String", "Default": "b", "AllowedValues": ["b"]}}


def test_get_delete_keys_path_source():
    root = Node()
    root.a.b = 1
    assert root.a._get("b") == 1
    assert root.a._get("missing", "dflt") == "dflt"
    assert root._keys() == ["A"]  # _get never creates
    assert root.a._path() == ("A",)
    loc = root.a._source("b")
    assert loc is not None and loc.file.endswith("test_node.py")
    root.a._delete("b")
    assert root.a._data() == {}


def test_underscore_names_are_never_keys():
    root = Node()
    with pytest.raises(AttributeError):
        root._nonexistent  # noqa: B018
    with pytest.raises(AttributeError):
        root._x = 1


def test_value_then_attribute_is_a_clear_error():
    root = Node()
    root.a = 5
    with pytest.raises(TemplateError, match="holds a value"):
        root.a.b = 1


def test_node_is_not_iterable():
    with pytest.raises(TypeError, match="_keys"):
        list(Node())


def test_assigning_a_node_copies_it():
    t = sf.Template("x")
    tags = Node()
    tags.team = "core"
    t.metadata.owner = tags
    tags.team = "changed"
    assert t.compile()["Metadata"] == {"Owner": {"Team": "core"}}
