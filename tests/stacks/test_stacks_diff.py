"""stacks.diff: nested property paths from a JSON patch, the data a plan destroys and what the
policies do, IAM / security-group changes between templates, and the destroy summary."""

from __future__ import annotations

from sparkleform.contract import Plan, ResourceChange
from sparkleform.stacks.diff import destroy_summary, leaf_changes, review, security_changes


def test_leaf_changes_are_nested_paths():
    before = {"LaunchTemplateData": {"InstanceType": "t3.micro", "Tags": [{"Key": "a", "Value": "1"}]}}
    after = {"LaunchTemplateData": {"InstanceType": "t3.small", "Tags": [{"Key": "a", "Value": "2"}],
                                    "ImageId": "ami-1"}}
    found = {(c.path, c.before, c.after, c.added) for c in leaf_changes("", before, after)}
    assert found == {
        ("LaunchTemplateData.InstanceType", "t3.micro", "t3.small", False),
        ("LaunchTemplateData.Tags.0.Value", "1", "2", False),
        ("LaunchTemplateData.ImageId", None, "ami-1", True),
    }
    (removed,) = leaf_changes("Tags", [{"Key": "a"}, {"Key": "b"}], [{"Key": "a"}])
    assert (removed.path, removed.before, removed.removed) == ("Tags.1", {"Key": "b"}, True)
    assert leaf_changes("X", 1, 1) == []


def test_review_data_loss_follows_the_policies():
    before = {"Resources": {
        "Logs": {"Type": "AWS::Logs::LogGroup", "DeletionPolicy": "Retain"},
        "Db": {"Type": "AWS::RDS::DBInstance", "Properties": {"Engine": "postgres"}},
        "Member": {"Type": "AWS::RDS::DBInstance", "Properties": {"DBClusterIdentifier": "c"}},
        "Topic": {"Type": "AWS::SNS::Topic"},
    }}
    after = {"Resources": {"Db": {"Type": "AWS::RDS::DBInstance", "UpdateReplacePolicy": "Delete",
                                  "Properties": {"Engine": "mysql"}}}}
    plan = Plan("s", [
        ResourceChange("Modify", "Db", "AWS::RDS::DBInstance", replacement="True", causes=["Engine"],
                       details=[{"property": "Engine", "before": "postgres", "after": "mysql",
                                 "requires_recreation": "Always"}]),
        ResourceChange("Remove", "Logs", "AWS::Logs::LogGroup"),
        ResourceChange("Remove", "Member", "AWS::RDS::DBInstance"),
        ResourceChange("Remove", "Topic", "AWS::SNS::Topic"),
    ])
    rev = review(plan, before, after)
    assert [(p.path, p.replaces) for p in rev.properties["Db"]] == [("Engine", True)]
    fates = {d.logical_id: (d.policy, d.value, d.explicit, d.destroys) for d in rev.data_loss}
    assert fates == {
        "Db": ("UpdateReplacePolicy", "Delete", True, True),
        "Logs": ("DeletionPolicy", "Retain", True, False),
        "Member": ("DeletionPolicy", "Delete", False, True),  # in a cluster: the default is Delete
    }


def test_security_changes_list_added_and_removed_grants_and_ports():
    def sg(*rules):
        return {"Resources": {"Sg": {"Type": "AWS::EC2::SecurityGroup",
                                     "Properties": {"SecurityGroupIngress": list(rules)}}}}

    ssh = {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "0.0.0.0/0"}
    web = {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "SourceSecurityGroupId": {"Ref": "Lb"}}
    changes = security_changes(sg(web), sg(ssh))
    assert [(c.sign, c.text, c.risky) for c in changes] == [
        ("+", "ingress tcp 22 from 0.0.0.0/0 (open to the world)", True),
        ("-", "ingress tcp 443 from ${Lb}", False),
    ]
    role = {"Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {"ManagedPolicyArns": [
        "arn:aws:iam::aws:policy/AdministratorAccess"]}}}}
    (grant,) = security_changes({"Resources": {}}, role)
    assert grant.text == "managed policy arn:aws:iam::aws:policy/AdministratorAccess" and grant.risky


def test_destroy_summary_line():
    template = {"Resources": {"Assets": {"Type": "AWS::S3::Bucket", "DeletionPolicy": "Retain"},
                              "Db": {"Type": "AWS::RDS::DBCluster"},
                              "Fn": {"Type": "AWS::Lambda::Function"}}}
    summary = destroy_summary([("Assets", "AWS::S3::Bucket"), ("Db", "AWS::RDS::DBCluster"),
                               ("Fn", "AWS::Lambda::Function")], template)
    assert summary.line("web") == "Delete stack web (3 resources; Assets retained; Db snapshotted)?"


def test_values_known_after_apply_inside_lists_are_diffed():
    # jsonpatch 1.4x compares list items through json.dumps: a plan value the engine cannot
    # know yet (an object, not JSON) was a TypeError traceback in `deploy`'s question
    from sparkleform.engine.intrinsics import UNKNOWN

    before = {"SecurityGroupIngress": [{"CidrIp": "10.0.0.0/8", "FromPort": 22}]}
    after = {"SecurityGroupIngress": [{"CidrIp": UNKNOWN, "FromPort": 22}, {"CidrIp": "0.0.0.0/0", "FromPort": 443}]}
    changes = leaf_changes("", before, after)
    assert any(c.path == "SecurityGroupIngress.0.CidrIp" and c.before == "10.0.0.0/8" and c.after is UNKNOWN
               for c in changes)
    assert any(c.path == "SecurityGroupIngress.1" and c.added and c.after == {"CidrIp": "0.0.0.0/0", "FromPort": 443}
               for c in changes)
