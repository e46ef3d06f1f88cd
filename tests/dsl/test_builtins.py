"""Built-in resource dynamics: every schema type, found by a suffix of its type name."""

import pytest

import sparkleform as sf
from sparkleform.dsl.collection import load_collection
from sparkleform.dsl.parts import Registry
from sparkleform.errors import CollectionError, TemplateError


def test_builtin_dynamic_makes_the_resource_named_after_name_and_suffix():
    t = sf.Template("b", registry=Registry())
    web = t.dynamic("ec2_instance", "web", instance_type="t3.micro", image_id=sf.ref("ami"))
    web.properties.key_name = "default"
    t.dynamic("s3_bucket", "assets", versioning_configuration={"status": "Enabled"})
    res = t.compile()["Resources"]
    assert res["WebEc2Instance"] == {
        "Type": "AWS::EC2::Instance",
        "Properties": {"InstanceType": "t3.micro", "ImageId": {"Ref": "Ami"}, "KeyName": "default"},
    }
    assert res["AssetsS3Bucket"] == {
        "Type": "AWS::S3::Bucket",
        "Properties": {"VersioningConfiguration": {"Status": "Enabled"}},
    }


def test_namespace_prefixes_and_resource_name_suffix():
    """SparkleFormation's building-blocks page (FoobarOpsworksInstance, FoobarAwsOpsworksInstance,
    and resource_name_suffix=instance -> FoobarInstance), on a type every schema release has:
    AWS retired OpsWorks and cfn-lint's schemas from 1.53.1 on no longer list AWS::OpsWorks::Instance."""
    t = sf.Template("b", registry=Registry())
    t.dynamic("ec2_instance", "foobar")
    t.dynamic("aws_ec2_instance", "foobar")
    t.dynamic("aws_ec2_instance", "other", resource_name_suffix="instance")
    t.dynamic("rds_db_instance", "Main")
    res = t.compile()["Resources"]
    assert {k: v["Type"] for k, v in res.items()} == {
        "FoobarEc2Instance": "AWS::EC2::Instance",
        "FoobarAwsEc2Instance": "AWS::EC2::Instance",
        "OtherInstance": "AWS::EC2::Instance",
        "MainRdsDbInstance": "AWS::RDS::DBInstance",
    }


def test_ambiguous_and_unknown_names_and_properties():
    t = sf.Template("b", registry=Registry())
    with pytest.raises(CollectionError, match=r"'instance' is ambiguous.*AWS::EC2::Instance.*AWS::SSO::Instance"):
        t.dynamic("instance", "web")
    with pytest.raises(CollectionError, match=r"DocDB::DBInstance.*e.g. 'doc_db_db_instance'"):
        t.dynamic("db_instance", "web")
    with pytest.raises(CollectionError, match="no dynamic named 's3_bukket'"):
        t.dynamic("s3_bukket", "assets")
    with pytest.raises(TemplateError, match=r"AWS::EC2::Instance has no property 'instnce_type' .did you mean 'instance_type'") as err:
        t.dynamic("ec2_instance", "web", instnce_type="t3.micro")
    assert "test_builtins.py" in str(err.value.location)


def test_user_and_pack_dynamics_win_by_name(tmp_path):
    (tmp_path / "dynamics").mkdir()
    (tmp_path / "dynamics" / "mine.py").write_text(
        "from sparkleform import dynamic\n"
        "@dynamic\n"
        "def s3_bucket(t, name):\n"
        "    return t.resource(f'{name}_logs', 'AWS::S3::Bucket')\n"
    )
    registry = load_collection(tmp_path)
    t = sf.Template("b", registry=registry)
    t.dynamic("s3_bucket", "web")
    assert list(t.compile()["Resources"]) == ["WebLogs"]


def test_no_seed_pack_dynamic_hides_a_builtin():
    from sparkleform.dsl.builtins import builtin_type

    registry = load_collection(None)
    names = [e.name for e in registry.all("dynamic") if e.source == "pack:seed"]
    assert "chef_instance" in names
    for name in names:
        assert builtin_type(name) is None, name
    t = sf.Template("b", registry=registry)
    t.dynamic("ec2_instance", "web")  # the built-in, not the seed pack's Chef instance
    assert t.compile()["Resources"]["WebEc2Instance"] == {"Type": "AWS::EC2::Instance"}


def test_describe_shows_a_builtin_dynamic(tmp_path):
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "sparkleform.cli.main", "describe", "dynamic", "s3_bucket"],
                         cwd=tmp_path, capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert "Built-in dynamic: an AWS::S3::Bucket named `<name>_s3_bucket`" in out.stdout
    assert "versioning_configuration" in out.stdout
    out = subprocess.run([sys.executable, "-m", "sparkleform.cli.main", "describe", "dynamic", "instance"],
                         cwd=tmp_path, capture_output=True, text=True, check=False)
    assert out.returncode == 2
    assert "'instance' is ambiguous" in out.stderr
