"""tags(...): SparkleFormation's tags! and what the schemas say about tagging."""

import pytest

import sparkleform as sf
from sparkleform.errors import TemplateError


def _props(rtype, **props):
    t = sf.Template("tags")
    t.resource("thing", rtype, **props)
    return t.compile()["Resources"]["Thing"]["Properties"]


def test_a_mapping_becomes_a_key_value_list():
    props = _props("AWS::EC2::VPC", cidr_block="10.0.0.0/16", tags=sf.tags(environment="prod", cost_center=sf.ref("cost_center")))
    assert props["Tags"] == [
        {"Key": "Environment", "Value": "prod"},
        {"Key": "CostCenter", "Value": {"Ref": "CostCenter"}},
    ]


def test_mapping_keys_are_exact():
    assert sf.tags({"kubernetes.io/cluster/k": "owned", "team": "web"}) == [
        {"Key": "kubernetes.io/cluster/k", "Value": "owned"},
        {"Key": "team", "Value": "web"},
    ]


def test_map_shaped_tags_and_auto_scaling_groups():
    assert _props("AWS::SSM::Parameter", type="String", value="v", tags=sf.tags({"team": "web"}))["Tags"] == {"team": "web"}
    asg = _props("AWS::AutoScaling::AutoScalingGroup", max_size="2", min_size="1", tags=sf.tags(name="web"))
    assert asg["Tags"] == [{"Key": "Name", "Value": "web", "PropagateAtLaunch": True}]
    asg = _props("AWS::AutoScaling::AutoScalingGroup", tags=sf.tags(name="web", propagate_at_launch=False))
    assert asg["Tags"][0]["PropagateAtLaunch"] is False


def test_tree_style_and_untaggable_types():
    t = sf.Template("tags")
    with t.resources.web as r:
        r.type = "AWS::SQS::Queue"
        r.properties.tags = sf.tags(name="web")
    assert t.compile()["Resources"]["Web"]["Properties"]["Tags"] == [{"Key": "Name", "Value": "web"}]
    t.resources.assoc.type = "AWS::EC2::SubnetRouteTableAssociation"
    t.resources.assoc.properties.tags = sf.tags(name="x")
    with pytest.raises(TemplateError, match="SubnetRouteTableAssociation takes no tags") as err:
        t.compile()
    assert "test_tags.py" in str(err.value.location)


def test_taggable_types_from_the_schemas():
    assert sf.is_taggable("AWS::EC2::Instance")
    assert sf.is_taggable("AWS::SSM::Parameter")
    assert not sf.is_taggable("AWS::EC2::SubnetRouteTableAssociation")
    assert not sf.is_taggable("Custom::Thing")
