"""What each article's template promises, checked on the compiled templates: IAM policies
through the policy simulator, the pieces of each stack, and the reusable dynamics."""

from __future__ import annotations

import base64 as b64
from pathlib import Path

import pytest
from seed_params import SIDS
from seed_resolve import resolve

import sparkleform as sf
from sparkleform.errors import SparkleformError
from sparkleform.iam import ALLOWED, EXPLICIT_DENY, IMPLICIT_DENY, simulate

PACK_DIR = Path(sf.__file__).parent / "packs" / "seed"
ACCOUNT = "123456789012"


def compiled(name: str, **overrides: str) -> dict:
    return sf.load_target(name, overrides=overrides or None).template


def of_type(template: dict, kind: str) -> dict[str, dict]:
    return {k: r for k, r in template["Resources"].items() if r["Type"] == kind}


def inline_policies(resource: dict, refs: dict[str, str]) -> list[dict]:
    return [resolve(p["PolicyDocument"], refs) for p in resource["Properties"].get("Policies", [])]


# -- 1. network and compute ---------------------------------------------------------------
def test_instance_and_launch_template_share_the_cfn_init_metadata(seed_registry):
    t = sf.Template("shared", registry=seed_registry)
    t.load("compute_parameters")
    one = t.dynamic("chef_instance", "web", subnet_id="subnet-1", run_list=["recipe[web]", "role[base]"])
    many = t.dynamic("chef_launch_template", "web", run_list=["recipe[web]", "role[base]"])
    doc = t.compile()["Resources"]
    instance, template = doc[one._name], doc[many._name]
    init = instance["Metadata"]["AWS::CloudFormation::Init"]
    assert init == template["Metadata"]["AWS::CloudFormation::Init"]
    assert init["config"]["files"]["/etc/chef/first-boot.json"]["content"] == {"run_list": ["recipe[web]", "role[base]"]}
    assert "chef-client" in init["config"]["commands"]["02_converge"]["command"]
    # each runs cfn-init on its own metadata
    assert "--resource WebInstance" in instance["Properties"]["UserData"]["Fn::Base64"]["Fn::Sub"]
    data = template["Properties"]["LaunchTemplateData"]
    assert "--resource WebLaunchTemplate" in data["UserData"]["Fn::Base64"]["Fn::Sub"]
    assert data["KeyName"]["Fn::If"][0] == "HasKeyName"


def test_cfn_init_user_data_refuses_other_resources(seed_registry):
    t = sf.Template("bad", registry=seed_registry)
    queue = t.resource("queue", "AWS::SQS::Queue")
    with pytest.raises(SparkleformError, match="not an instance or launch template"):
        t.registry("cfn_init_user_data", queue)


def test_subnet_and_security_group_dynamics(seed_registry):
    t = sf.Template("net", registry=seed_registry)
    vpc = t.resource("vpc", "AWS::EC2::VPC", cidr_block="10.0.0.0/16")
    routes = t.resource("routes", "AWS::EC2::RouteTable", vpc_id=sf.ref(vpc))
    t.dynamic("routed_subnet", "lonely", vpc=vpc, cidr_block="10.0.0.0/24", availability_zone="us-east-1a")
    t.dynamic("routed_subnet", "routed", vpc=vpc, cidr_block="10.0.1.0/24", availability_zone="us-east-1b",
              route_table=routes, public=True)
    other = t.dynamic("ingress_group", "other", description="x", vpc=vpc)
    t.dynamic("ingress_group", "web", description="web", vpc=vpc, ingress=[
        (443, "0.0.0.0/0"), ((8000, 8100), other), (-1, {"CidrIp": sf.ref("office")}), (53, "self", "udp"),
    ])
    doc = t.compile()["Resources"]
    assert set(of_type({"Resources": doc}, "AWS::EC2::SubnetRouteTableAssociation")) == {
        "RoutedSubnetRouteTableAssociation"}
    assert doc["RoutedSubnet"]["Properties"]["MapPublicIpOnLaunch"] is True
    rules = doc["WebSecurityGroup"]["Properties"]["SecurityGroupIngress"]
    assert rules == [
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0"},
        {"IpProtocol": "tcp", "FromPort": 8000, "ToPort": 8100,
         "SourceSecurityGroupId": {"Fn::GetAtt": ["OtherSecurityGroup", "GroupId"]}},
        {"IpProtocol": "-1", "CidrIp": {"Ref": "Office"}},
    ]
    (self_rule,) = of_type({"Resources": doc}, "AWS::EC2::SecurityGroupIngress").values()
    props = self_rule["Properties"]
    assert props["GroupId"] == props["SourceSecurityGroupId"] == {"Fn::GetAtt": ["WebSecurityGroup", "GroupId"]}
    assert (props["IpProtocol"], props["FromPort"]) == ("udp", 53)


def test_coolapp_outputs_are_the_asg_parameters():
    elb, asg = compiled("seed_coolapp_elb"), compiled("seed_coolapp_asg")
    assert {"ElbName", "ElbSecurityGroup", "ElbDns"} <= set(elb["Outputs"])
    assert {"ElbName", "ElbSecurityGroup", "AppPort"} <= set(asg["Parameters"])
    vpc_outputs = set(compiled("seed_vpc")["Outputs"])
    for name in ("VpcId", "PrivateSubnetIds"):
        assert name in vpc_outputs and name in asg["Parameters"]
    (group,) = of_type(asg, "AWS::AutoScaling::AutoScalingGroup").values()
    assert group["Properties"]["LoadBalancerNames"] == [{"Ref": "ElbName"}]


# -- 2. NAT high availability -------------------------------------------------------------
NAT_ACTIONS = {
    "ec2:DescribeInstances", "ec2:DescribeRouteTables", "ec2:ReplaceRoute", "ec2:CreateRoute",
    "ec2:ModifyInstanceAttribute", "autoscaling:DescribeAutoScalingGroups",
    "autoscaling:DescribeAutoScalingInstances", "ec2:AssociateAddress",
}


def test_nat_role_allows_exactly_what_the_agent_needs():
    template = compiled("nat_ha")
    (role,) = of_type(template, "AWS::IAM::Role").values()
    (policy,) = inline_policies(role, {"VpcId": "vpc-1"})
    granted = {a for s in policy["Statement"] for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}
    assert granted == NAT_ACTIONS
    assert role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "ec2.amazonaws.com"}

    route_table = f"arn:aws:ec2:us-east-1:{ACCOUNT}:route-table/rtb-1"
    vpc = f"arn:aws:ec2:us-east-1:{ACCOUNT}:vpc/vpc-1"
    other_vpc = f"arn:aws:ec2:us-east-1:{ACCOUNT}:vpc/vpc-2"
    assert simulate([policy], "ec2:ReplaceRoute", route_table, {"ec2:Vpc": vpc}).decision == ALLOWED
    assert simulate([policy], "ec2:ReplaceRoute", route_table, {"ec2:Vpc": other_vpc}).decision == IMPLICIT_DENY
    for action in NAT_ACTIONS - {"ec2:ReplaceRoute", "ec2:CreateRoute"}:
        assert simulate([policy], action, "*").decision == ALLOWED
    for action in ("ec2:TerminateInstances", "iam:PassRole", "ec2:DeleteRoute", "s3:GetObject"):
        assert simulate([policy], action, "*", {"ec2:Vpc": vpc}).decision == IMPLICIT_DENY


def test_nat_instances_scale_in_twos_and_start_the_agent():
    template = compiled("nat_ha")
    count = template["Parameters"]["NatInstanceCount"]
    assert count["MinValue"] == 2 and count["Default"] >= 2
    (group,) = of_type(template, "AWS::AutoScaling::AutoScalingGroup").values()
    assert group["Properties"]["MinSize"] == {"Ref": "NatInstanceCount"}
    (lt,) = of_type(template, "AWS::EC2::LaunchTemplate").values()
    data = lt["Properties"]["LaunchTemplateData"]
    script, variables = data["UserData"]["Fn::Base64"]["Fn::Sub"]
    assert "--no-source-dest-check" in script and "ip_forward=1" in script and "MASQUERADE" in script
    assert "systemctl enable --now ${AgentService}" in script
    assert variables == {"RouteTables": {"Fn::Join": [",", {"Ref": "PrivateRouteTableIds"}]}}
    assert data["IamInstanceProfile"] == {"Arn": {"Fn::GetAtt": ["NatInstanceProfile", "Arn"]}}
    assert template["Parameters"]["PrivateRouteTableIds"]["Type"] == "CommaDelimitedList"


# -- 4. IAM ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def iam_policies():
    template = compiled("iam_groups")
    refs = {k: v["Default"] for k, v in template["Parameters"].items()}
    return {name: inline_policies(res, refs) for name, res in of_type(template, "AWS::IAM::Group").items()}


def test_bucket_readers_read_one_bucket_only(iam_policies):
    policy = iam_policies["BucketReadersGroup"]
    assert simulate(policy, "s3:GetObject", "arn:aws:s3:::coolapp-assets/logo.png").decision == ALLOWED
    assert simulate(policy, "s3:ListBucket", "arn:aws:s3:::coolapp-assets").decision == ALLOWED
    assert simulate(policy, "s3:GetObject", "arn:aws:s3:::other-bucket/logo.png").decision == IMPLICIT_DENY
    assert simulate(policy, "s3:PutObject", "arn:aws:s3:::coolapp-assets/logo.png").decision == IMPLICIT_DENY


def test_power_users_everything_but_iam_and_mfa_for_destruction(iam_policies):
    policy = iam_policies["PowerUsersGroup"]
    mfa, no_mfa = {"aws:MultiFactorAuthPresent": "true"}, {"aws:MultiFactorAuthPresent": "false"}
    assert simulate(policy, "ec2:RunInstances", "*", mfa).decision == ALLOWED
    assert simulate(policy, "ec2:RunInstances", "*", no_mfa).decision == IMPLICIT_DENY
    assert simulate(policy, "iam:CreateUser", "*", mfa).decision == IMPLICIT_DENY
    assert simulate(policy, "ec2:TerminateInstances", "*", mfa).decision == ALLOWED
    for context in (None, no_mfa):  # no MFA, or a long-term access key (no MFA key at all)
        assert simulate(policy, "ec2:TerminateInstances", "*", context).decision == EXPLICIT_DENY
        assert simulate(policy, "s3:DeleteBucket", "*", context).decision == EXPLICIT_DENY
    # the deny holds even when another policy grants the action without MFA
    other = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}]}
    assert simulate([*policy, other], "ec2:TerminateInstances", "*", no_mfa).decision == EXPLICIT_DENY


def test_office_only_denies_requests_from_elsewhere(iam_policies):
    policy = iam_policies["OfficeOnlyGroup"]
    outside = {"aws:SourceIp": "198.51.100.7", "aws:ViaAWSService": "false"}
    inside = {"aws:SourceIp": "203.0.113.7", "aws:ViaAWSService": "false"}
    assert simulate(policy, "s3:GetObject", "*", outside).decision == EXPLICIT_DENY
    assert simulate(policy, "s3:GetObject", "*", inside).decision == IMPLICIT_DENY  # grants nothing itself


def test_ec2_testers_resource_level_permissions(iam_policies):
    policy = iam_policies["Ec2TestersGroup"]

    def arn(instance):
        return f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/{instance}"

    assert simulate(policy, "ec2:DescribeInstances", "*").decision == ALLOWED
    for instance in ("i-123abc12", "i-4c3b2a1"):
        assert simulate(policy, "ec2:StopInstances", arn(instance)).decision == ALLOWED
    assert simulate(policy, "ec2:StartInstances", arn("i-99999999")).decision == IMPLICIT_DENY
    test_tag, prod_tag = {"ec2:ResourceTag/purpose": "test"}, {"ec2:ResourceTag/purpose": "prod"}
    assert simulate(policy, "ec2:TerminateInstances", arn("i-99999999"), test_tag).decision == ALLOWED
    assert simulate(policy, "ec2:TerminateInstances", arn("i-99999999"), prod_tag).decision == IMPLICIT_DENY


def test_iam_template_has_an_app_role_and_a_trail():
    template = compiled("iam_groups")
    (profile,) = of_type(template, "AWS::IAM::InstanceProfile").values()
    assert profile["Properties"]["Roles"] == [{"Ref": "AppRole"}]
    (trail,) = of_type(template, "AWS::CloudTrail::Trail").values()
    assert trail["Properties"]["IsLogging"] is True and trail["Properties"]["IsMultiRegionTrail"] is True
    assert trail["DependsOn"] == ["AuditTrailBucketPolicy"]
    (bucket_policy,) = of_type(template, "AWS::S3::BucketPolicy").values()
    statements = bucket_policy["Properties"]["PolicyDocument"]["Statement"]
    assert {s["Action"] for s in statements} == {"s3:GetBucketAcl", "s3:PutObject"}
    assert not of_type(template, "AWS::IAM::User") and not of_type(template, "AWS::IAM::AccessKey")


# -- 5. AD federation -----------------------------------------------------------------------
def test_ad_roles_require_the_group_sid_as_external_id():
    template = compiled("ad_federation")
    roles = of_type(template, "AWS::IAM::Role")
    assert {r["Properties"]["RoleName"] for r in roles.values()} == {"AWS-Administrators", "AWS-PowerUsers",
                                                                      "AWS-ReadOnly"}
    for role in roles.values():
        (trust,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        sid_param = trust["Condition"]["StringEquals"]["sts:ExternalId"]["Ref"]
        assert sid_param in SIDS and "AllowedPattern" in template["Parameters"][sid_param]
        assert trust["Principal"] == {"AWS": {"Fn::GetAtt": ["FederationProxyUser", "Arn"]}}
        assert role["Properties"]["MaxSessionDuration"] == 3600


def test_ad_proxy_lists_roles_and_assumes_only_these():
    template = compiled("ad_federation")
    roles = of_type(template, "AWS::IAM::Role")
    atts = {(name, "Arn"): f"arn:aws:iam::{ACCOUNT}:role/{r['Properties']['RoleName']}" for name, r in roles.items()}
    (policy,) = of_type(template, "AWS::IAM::Policy").values()
    assert policy["Properties"]["Groups"] == [{"Ref": "FederationProxyGroup"}]
    assert template["Resources"]["FederationProxyUser"]["Properties"]["Groups"] == [{"Ref": "FederationProxyGroup"}]
    document = resolve(policy["Properties"]["PolicyDocument"], {}, atts)
    assert simulate([document], "iam:ListRoles", "*").decision == ALLOWED
    for arn in atts.values():
        assert simulate([document], "sts:AssumeRole", arn).decision == ALLOWED
    other = f"arn:aws:iam::{ACCOUNT}:role/AWS-Other"
    assert simulate([document], "sts:AssumeRole", other).decision == IMPLICIT_DENY
    for action in ("iam:CreateRole", "iam:PassRole", "sts:GetFederationToken", "s3:ListAllMyBuckets"):
        assert simulate([document], action, "*").decision == IMPLICIT_DENY


def test_ad_groups_are_a_compile_time_parameter():
    template = compiled("ad_federation", groups="Cloud-Admins,dev.team")
    names = {r["Properties"]["RoleName"] for r in of_type(template, "AWS::IAM::Role").values()}
    assert names == {"Cloud-Admins", "dev.team"}
    assert {"CloudAdminsSid", "DevTeamSid"} <= set(template["Parameters"])
    with pytest.raises(SparkleformError, match="cannot be an IAM role name"):
        compiled("ad_federation", groups="bad group!")


def test_ad_saml_variant_trusts_the_provider():
    template = compiled("ad_federation_saml")
    (provider_name,) = of_type(template, "AWS::IAM::SAMLProvider")
    for role in of_type(template, "AWS::IAM::Role").values():
        (trust,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        assert trust["Action"] == "sts:AssumeRoleWithSAML"
        assert trust["Principal"] == {"Federated": {"Ref": provider_name}}
        assert trust["Condition"] == {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}
    assert not of_type(template, "AWS::IAM::User")


# -- 6. SQL Server ------------------------------------------------------------------------------
def test_sqlserver_rds_standard_licence_included_on_ssd():
    template = compiled("sqlserver_rds")
    (db,) = of_type(template, "AWS::RDS::DBInstance").values()
    props = db["Properties"]
    assert (props["Engine"], props["LicenseModel"]) == ("sqlserver-se", "license-included")
    assert props["MultiAZ"] == {"Ref": "MultiAZ"}
    assert template["Parameters"]["MultiAZ"]["AllowedValues"] == ["true", "false"]
    assert template["Parameters"]["StorageType"]["AllowedValues"] == ["gp3", "io1"]
    assert props["Iops"]["Fn::If"][0] == "IsIo1"
    assert props["BackupRetentionPeriod"] == {"Ref": "BackupRetentionPeriod"}
    assert props["StorageEncrypted"] is True and props["ManageMasterUserPassword"] is True
    assert db["DeletionPolicy"] == "Snapshot"
    (group,) = of_type(template, "AWS::RDS::DBParameterGroup").values()
    assert group["Properties"]["Family"] == "sqlserver-se-16.0"
    assert props["DBParameterGroupName"] == {"Ref": "DbParameterGroup"}
    older = compiled("sqlserver_rds", version="15.00.4460.4.v1")
    assert of_type(older, "AWS::RDS::DBParameterGroup")["DbParameterGroup"]["Properties"]["Family"] == "sqlserver-se-15.0"


def test_sqlserver_ec2_tempdb_on_instance_store_data_on_ebs_ssd():
    template = compiled("sqlserver_ec2")
    assert all("d." in t for t in template["Parameters"]["InstanceType"]["AllowedValues"])  # r6id.*: local NVMe
    (instance,) = of_type(template, "AWS::EC2::Instance").values()
    script = instance["Properties"]["UserData"]["Fn::Base64"]
    assert "T:\\tempdb\\tempdb.mdf" in script and "<persist>true</persist>" in script
    volumes = [m["Ebs"] for m in instance["Properties"]["BlockDeviceMappings"]]
    assert len(volumes) == 3 and all(v["Encrypted"] is True for v in volumes)
    assert [v["VolumeType"] for v in volumes] == ["gp3", {"Ref": "DataStorageType"}, "gp3"]  # never magnetic
    assert template["Parameters"]["DataStorageType"]["AllowedValues"] == ["gp3", "io1"]
    assert volumes[1]["Iops"]["Fn::If"][0] == "DataIsIo1"


# -- 7. CoreOS + Kubernetes ---------------------------------------------------------------------
def test_coreos_cluster_pieces():
    template = compiled("coreos_kubernetes")
    assert len(of_type(template, "AWS::EC2::SecurityGroup")) == 3
    groups = of_type(template, "AWS::AutoScaling::AutoScalingGroup")
    assert groups["KubernetesMinionAutoScalingGroup"]["Properties"]["DesiredCapacity"] == {"Ref": "MinionCount"}
    assert groups["KubernetesMasterAutoScalingGroup"]["Properties"]["MaxSize"] == "1"
    configs = {}
    for name, lt in of_type(template, "AWS::EC2::LaunchTemplate").items():
        text = lt["Properties"]["LaunchTemplateData"]["UserData"]["Fn::Base64"]["Fn::Sub"]
        assert text.startswith("#cloud-config\n") and "${DiscoveryUrl}" in text
        configs[name] = text
    master, minion = configs["KubernetesMasterLaunchTemplate"], configs["KubernetesMinionLaunchTemplate"]
    for common in ("etcd.service", "fleet.service", "flannel.service", "docker.service"):
        assert common in master and common in minion
    for unit in ("kube-apiserver", "kube-controller-manager", "kube-scheduler", "kube-register"):
        assert unit in master and unit not in minion
    for unit in ("kubelet.service", "kube-proxy.service"):
        assert unit in minion and unit not in master
    assert "role=master" in master and "role=minion" in minion


def test_coreos_cloud_config_is_valid_yaml():
    yaml = pytest.importorskip("yaml")
    from seed_resolve import resolve as _resolve

    template = compiled("coreos_kubernetes")
    for lt in of_type(template, "AWS::EC2::LaunchTemplate").values():
        sub = lt["Properties"]["LaunchTemplateData"]["UserData"]["Fn::Base64"]
        text = _resolve(sub, {"DiscoveryUrl": "https://discovery.etcd.io/abc", "KubernetesVersion": "v0.5.4"})
        config = yaml.safe_load(text)
        assert config["coreos"]["etcd"]["discovery"] == "https://discovery.etcd.io/abc"
        assert all({"name", "command"} <= set(unit) for unit in config["coreos"]["units"])
        b64.b64encode(text.encode())  # what Fn::Base64 does: any text encodes


def test_coreos_yaml_file_is_the_compiled_template():
    from sparkleform.formats import load_template

    doc, _sources = load_template(PACK_DIR / "files" / "coreos_kubernetes.yaml")
    assert doc == compiled("coreos_kubernetes"), (
        "files/coreos_kubernetes.yaml is stale: sparkleform compile coreos_kubernetes --format yaml -o it"
    )



# -- overriding the pack --------------------------------------------------------------------
def test_a_project_registry_entry_replaces_the_packs_for_seed_templates(tmp_path):
    (tmp_path / "registry").mkdir()
    (tmp_path / "registry" / "puppet.py").write_text(
        "from sparkleform import registry\n\n"
        "@registry\n"
        "def cfn_init(node, *, run_list=()):\n"
        '    """Puppet instead of Chef."""\n'
        '    node.metadata["AWS::CloudFormation::Init"].config.commands["apply"] = {"command": "puppet apply"}\n'
    )
    template = sf.compile("seed_ec2_instance", collection=tmp_path)
    init = template["Resources"]["WebInstance"]["Metadata"]["AWS::CloudFormation::Init"]
    assert init == {"config": {"commands": {"apply": {"command": "puppet apply"}}}}
    # the pack's own user data entry still runs cfn-init on that metadata
    assert "cfn-init" in template["Resources"]["WebInstance"]["Properties"]["UserData"]["Fn::Base64"]["Fn::Sub"]
