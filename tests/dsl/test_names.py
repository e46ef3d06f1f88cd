"""Naming: snake -> CloudFormation names, schema-aware inside Properties."""

import string

from hypothesis import given
from hypothesis import strategies as st

import sparkleform as sf
from sparkleform.dsl.names import camel, identity, is_snake, snake


def test_plain_rule():
    assert camel("web_server") == "WebServer"
    assert camel("image_id") == "ImageId"
    assert camel("VPC") == "VPC"
    assert camel("us-east-1") == "us-east-1"


def _props(rtype, **props):
    t = sf.Template("x")
    r = t.resources.r
    with r.properties as p:
        for k, v in props.items():
            setattr(p, k, v)
    r.type = rtype  # Type set after the properties: resolved at compile time
    return t.compile()["Resources"]["R"]["Properties"]


def test_schema_decides_inside_properties():
    assert list(_props("AWS::RDS::DBInstance", db_instance_class="x", multi_az=True)) == [
        "DBInstanceClass",
        "MultiAZ",
    ]
    assert list(_props("AWS::AutoScaling::AutoScalingGroup", vpc_zone_identifier=["s"])) == ["VPCZoneIdentifier"]
    assert list(_props("AWS::EC2::Subnet", ipv6_cidr_block="x")) == ["Ipv6CidrBlock"]


def test_nested_property_types_use_the_schema():
    t = sf.Template("x")
    t.resources.b.type = "AWS::S3::Bucket"
    sse = t.resources.b.properties.bucket_encryption.server_side_encryption_configuration
    sse.server_side_encryption_by_default.sse_algorithm = "aws:kms"
    sse.server_side_encryption_by_default.kms_master_key_id = "k"
    props = t.compile()["Resources"]["B"]["Properties"]
    assert props == {
        "BucketEncryption": {
            "ServerSideEncryptionConfiguration": {
                "ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "k"}
            }
        }
    }


def test_unknown_types_and_properties_fall_back_to_camel_case():
    assert list(_props("Custom::Thing", service_token="arn", some_value=1)) == ["ServiceToken", "SomeValue"]
    assert list(_props("AWS::EC2::Instance", not_a_property=1)) == ["NotAProperty"]


def test_section_keys_and_resource_attributes():
    t = sf.Template("x")
    t.parameter("size", type="Number", min_value=1, no_echo=True, allowed_values=[1, 2])
    t.resource("q", "AWS::SQS::Queue", deletion_policy="Retain", update_replace_policy="Retain", depends_on=["other"])
    t.resources.other.type = "AWS::SQS::Queue"
    doc = t.compile()
    assert list(doc["Parameters"]["Size"]) == ["Type", "MinValue", "NoEcho", "AllowedValues"]
    assert doc["Resources"]["Q"] == {
        "Type": "AWS::SQS::Queue",
        "DependsOn": ["Other"],
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
    }


def test_cfn_init_keys_stay_as_written_and_mapping_keys_are_untouched():
    t = sf.Template("x")
    init = t.resources.i.metadata["AWS::CloudFormation::Init"]
    init.config.packages.yum.httpd = []
    init.config.services.sysvinit.httpd.enabled = "true"
    t.resources.i.type = "AWS::EC2::Instance"
    t.mappings.region_map["us-east-1"]["AMI"] = "ami-1"
    doc = t.compile()
    assert doc["Resources"]["I"]["Metadata"] == {
        "AWS::CloudFormation::Init": {
            "config": {"packages": {"yum": {"httpd": []}}, "services": {"sysvinit": {"httpd": {"enabled": "true"}}}}
        }
    }
    assert doc["Mappings"] == {"RegionMap": {"us-east-1": {"AMI": "ami-1"}}}


snake_names = st.lists(
    st.text(alphabet=string.ascii_lowercase, min_size=2, max_size=6), min_size=1, max_size=4
).map("_".join)


@given(snake_names)
def test_snake_round_trips_through_camel(name):
    converted = camel(name)
    assert converted[0].isupper() and "_" not in converted
    back = snake(converted)
    assert back is not None and camel(back) == converted
    assert identity(name) == identity(converted)


@given(st.text(min_size=1, max_size=12))
def test_non_snake_names_are_exact(name):
    if not is_snake(name):
        assert camel(name) == name
    back = snake(name)
    if back is not None:
        assert camel(back) == name


@given(snake_names, st.sampled_from(["AWS::EC2::Instance", "AWS::S3::Bucket", "AWS::RDS::DBInstance"]))
def test_schema_names_match_case_and_underscore_insensitively(name, rtype):
    from sparkleform.spec import get_schema, norm

    schema = get_schema(rtype)
    props = _props(rtype, **{name: 1})
    (key,) = props
    matches = [p for p in schema.properties if norm(p) == norm(name)]
    assert key == (matches[0] if matches else camel(name))


def test_get_att_attribute_refined_by_schema():
    t = sf.Template("x")
    t.resources.lb.type = "AWS::ElasticLoadBalancingV2::LoadBalancer"
    t.resources.db.type = "AWS::RDS::DBInstance"
    t.output("dns", sf.get_att("lb", "dns_name"))
    t.output("ep", sf.get_att("db", "endpoint.address"))
    t.output("n", sf.get_att("lb", "LoadBalancerName"))
    out = t.compile()["Outputs"]
    assert out["Dns"]["Value"] == {"Fn::GetAtt": ["Lb", "DNSName"]}
    assert out["Ep"]["Value"] == {"Fn::GetAtt": ["Db", "Endpoint.Address"]}
    assert out["N"]["Value"] == {"Fn::GetAtt": ["Lb", "LoadBalancerName"]}


def test_keys_inside_dict_and_list_values_follow_the_schema():
    """Listeners, ingress rules, block device mappings written as dicts: snake keys are named
    by the schema at that place, exact keys stay exact, free-form maps and intrinsics stay."""
    t = sf.Template("nested")
    t.resource(
        "lb", "AWS::ElasticLoadBalancing::LoadBalancer",
        listeners=[{"load_balancer_port": "80", "instance_port": "8080", "Protocol": "HTTP"}],
        health_check={"target": "HTTP:8080/", "healthy_threshold": "3", "unhealthy_threshold": "5",
                      "interval": "30", "timeout": "5"},
    )
    t.resource(
        "web", "AWS::EC2::Instance",
        block_device_mappings=[{"device_name": "/dev/sdf", "ebs": {"volume_size": 50, "delete_on_termination": True}}],
        network_interfaces=sf.if_("is_prod", [{"device_index": "0", "associate_public_ip_address": True}], sf.AWS.no_value),
    )
    t.resource("sg", "AWS::EC2::SecurityGroup", group_description="x",
               security_group_ingress=[{"ip_protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_ip": "10.0.0.0/8"}])
    t.resource("fn", "AWS::Lambda::Function", role="r", code={"zip_file": "x"},
               environment={"variables": {"db_host": "h", "LOG": "1"}})
    t.resource("role", "AWS::IAM::Role", assume_role_policy_document={"statement": []})
    res = t.compile()["Resources"]
    lb = res["Lb"]["Properties"]
    assert lb["Listeners"] == [{"LoadBalancerPort": "80", "InstancePort": "8080", "Protocol": "HTTP"}]
    assert list(lb["HealthCheck"]) == ["Target", "HealthyThreshold", "UnhealthyThreshold", "Interval", "Timeout"]
    web = res["Web"]["Properties"]
    assert web["BlockDeviceMappings"] == [{"DeviceName": "/dev/sdf", "Ebs": {"VolumeSize": 50, "DeleteOnTermination": True}}]
    assert web["NetworkInterfaces"]["Fn::If"][1] == [{"DeviceIndex": "0", "AssociatePublicIpAddress": True}]
    assert web["NetworkInterfaces"]["Fn::If"][0] == "IsProd"
    assert res["Sg"]["Properties"]["SecurityGroupIngress"] == [
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "10.0.0.0/8"}
    ]
    fn = res["Fn"]["Properties"]
    assert fn["Code"] == {"ZipFile": "x"}
    assert fn["Environment"] == {"Variables": {"db_host": "h", "LOG": "1"}}  # a free-form map: as written
    assert res["Role"]["Properties"]["AssumeRolePolicyDocument"] == {"statement": []}  # a JSON blob: as written


def test_unknown_snake_keys_inside_dict_values_are_kept_as_written():
    t = sf.Template("nested")
    t.resource("web", "AWS::EC2::Instance", block_device_mappings=[{"device_name": "/dev/sdf", "bogus_key": 1}])
    assert t.compile()["Resources"]["Web"]["Properties"]["BlockDeviceMappings"] == [
        {"DeviceName": "/dev/sdf", "bogus_key": 1}
    ]
