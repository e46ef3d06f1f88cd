"""Templates: sections, keyword helpers, reuse and override order, compile-time parameters,
nesting, source locations and user errors."""

import textwrap

import pytest

import sparkleform as sf
from sparkleform.dsl.collection import load_collection
from sparkleform.dsl.parts import Registry, reset_current, set_current
from sparkleform.dsl.templates import build
from sparkleform.errors import CollectionError, ParameterError, TemplateError


@pytest.fixture
def reg():
    """A private registry, so tests never see each other's parts."""
    registry = Registry()
    token = set_current(registry)
    yield registry
    reset_current(token)


def test_sections_in_cloudformation_order_whatever_the_code_order():
    t = sf.Template("x")
    t.outputs.o.value = "v"
    t.resources.q.type = "AWS::SQS::Queue"
    t.conditions.c = sf.equals("a", "a")
    t.mappings.m["k"]["v"] = 1
    t.parameters.p.type = "String"
    t.metadata.note = "n"
    t.description = "d"
    t.transform = "AWS::Serverless-2016-10-31"
    t.rules.r.assertions = []
    assert list(t.compile()) == [
        "AWSTemplateFormatVersion",
        "Description",
        "Metadata",
        "Transform",
        "Parameters",
        "Rules",
        "Mappings",
        "Conditions",
        "Resources",
        "Outputs",
    ]


def test_format_version_default_and_override():
    t = sf.Template("x")
    assert t.compile()["AWSTemplateFormatVersion"] == "2010-09-09"
    t.aws_template_format_version = "2010-09-09"
    assert t.compile()["AWSTemplateFormatVersion"] == "2010-09-09"


def test_keyword_helpers():
    t = sf.Template("x")
    t.parameter("instance_type", default="t3.micro", allowed_values=["t3.micro", "t3.small"])
    vpc = t.resource("vpc", "AWS::EC2::VPC", cidr_block="10.0.0.0/16")
    t.output("vpc_id", sf.ref(vpc), export=sf.sub("${AWS::StackName}-VpcId"), description="d", condition="is_prod")
    t.condition("is_prod", sf.equals(sf.ref("instance_type"), "t3.small"))
    t.mapping("region_map", {"us-east-1": {"AMI": "ami-1"}})
    doc = t.compile()
    assert doc["Parameters"]["InstanceType"] == {
        "Type": "String",
        "Default": "t3.micro",
        "AllowedValues": ["t3.micro", "t3.small"],
    }
    assert doc["Resources"]["Vpc"] == {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}}
    assert doc["Outputs"]["VpcId"] == {
        "Description": "d",
        "Condition": "IsProd",
        "Value": {"Ref": "Vpc"},
        "Export": {"Name": {"Fn::Sub": "${AWS::StackName}-VpcId"}},
    }
    assert doc["Conditions"] == {"IsProd": {"Fn::Equals": [{"Ref": "InstanceType"}, "t3.small"]}}
    assert doc["Mappings"] == {"RegionMap": {"us-east-1": {"AMI": "ami-1"}}}


def test_body_then_components_in_order_then_overrides(reg):
    """SparkleFormation's order: the base block, then the components, then the overrides."""
    calls = []

    @sf.component
    def environment(t):
        calls.append("environment")
        t.parameter("environment", default="test", allowed_values=["test", "staging", "production"])

    @sf.component
    def second(t):
        calls.append("second")
        t.parameters.environment.default = "staging"

    @sf.template(load=["environment", "second", "environment"])
    def site(t):
        calls.append("body")
        t.parameters.environment.allowed_values = ["body's", "values"]  # the component replaces these
        t.resources.b.type = "AWS::S3::Bucket"

        @t.overrides
        def narrow(t):
            calls.append("overrides")
            t.parameters.environment.allowed_values = ["test", "production"]

    doc = build(reg.get("template", "site"), reg).compile()
    assert calls == ["body", "environment", "second", "overrides"]
    assert doc["Parameters"]["Environment"] == {
        "Type": "String",
        "Default": "staging",
        "AllowedValues": ["test", "production"],
    }


def test_a_bare_yield_splits_base_block_and_overrides(reg):
    @sf.component
    def sizes(t):
        t.parameter("size", default="small", allowed_values=["small", "large"])

    @sf.template(load=["sizes"])
    def sized(t, *, big: bool = False):
        t.resources.b.type = "AWS::S3::Bucket"
        yield  # the components are applied here
        if big:
            t.parameters.size.default = "large"

    assert build(reg.get("template", "sized"), reg, {"big": "yes"}).compile()["Parameters"]["Size"]["Default"] == "large"
    assert build(reg.get("template", "sized"), reg).compile()["Parameters"]["Size"]["Default"] == "small"


def test_dynamics_return_their_node_and_registry_entries_write_into_nodes(reg):
    @sf.registry
    def tagged(node, *, team):
        node.properties.tags = [{"Key": "team", "Value": team}]

    @sf.dynamic
    def queue(t, name, *, fifo=False):
        with t.resources[f"{name}_queue"] as q:
            q.type = "AWS::SQS::Queue"
            q.properties.fifo_queue = fifo
            t.registry("tagged", q, team="core")
        return q

    t = sf.Template("x", registry=reg)
    a = t.dynamic("queue", "orders")
    b = t.dynamic("queue", "events", fifo=True)
    a.properties.visibility_timeout = 30  # the caller keeps changing the returned node
    queue(t, "direct")  # plain call works too
    doc = t.compile()
    assert list(doc["Resources"]) == ["OrdersQueue", "EventsQueue", "DirectQueue"]
    assert doc["Resources"]["OrdersQueue"]["Properties"] == {
        "FifoQueue": False,
        "Tags": [{"Key": "team", "Value": "core"}],
        "VisibilityTimeout": 30,
    }
    assert b._name == "EventsQueue"


def test_later_sources_override_earlier_ones(tmp_path):
    pack = tmp_path / "first"
    project = tmp_path / "second"
    for folder, size in ((pack, "small"), (project, "large")):
        (folder / "dynamics").mkdir(parents=True)
        (folder / "dynamics" / "box.py").write_text(
            textwrap.dedent(
                f"""
                from sparkleform import dynamic

                @dynamic
                def box(t, name):
                    t.resources[name].type = "AWS::SQS::Queue"
                    t.resources[name].properties.queue_name = "{size}"
                """
            )
        )
    (project / "templates").mkdir()
    (project / "templates" / "boxes.py").write_text(
        "from sparkleform import template\n\n@template\ndef boxes(t):\n    t.dynamic('box', 'one')\n"
    )
    from sparkleform.dsl.collection import load_folder

    registry = Registry()
    load_folder(registry, pack, "pack:first")
    load_folder(registry, project)
    entry = registry.get("dynamic", "box")
    assert entry.source != "pack:first"
    doc = build(registry.get("template", "boxes"), registry).compile()
    assert doc["Resources"]["One"]["Properties"] == {"QueueName": "large"}


def test_compile_time_parameters_converted_by_annotation(reg):
    @sf.template
    def net(t, *, cidr: str = "10.0.0.0/16", subnets: int = 3, public: bool = False, zones: tuple[str, ...] = ("a",)):
        for i in range(subnets):
            t.resources[f"s{i}"].type = "AWS::EC2::Subnet"
        t.outputs.info.value = f"{cidr} {public} {','.join(zones)}"

    entry = reg.get("template", "net")
    doc = build(entry, reg, {"subnets": "4", "public": "yes", "zones": "a,b"}).compile()
    assert len(doc["Resources"]) == 4
    assert doc["Outputs"]["Info"]["Value"] == "10.0.0.0/16 True a,b"
    with pytest.raises(ParameterError, match=r"no compile-time parameter 'subnetz'.*takes: cidr, public, subnets, zones"):
        build(entry, reg, {"subnetz": "4"})
    with pytest.raises(ParameterError, match="not a valid int"):
        build(entry, reg, {"subnets": "four"})
    with pytest.raises(ParameterError, match="not a valid bool"):
        build(entry, reg, {"public": "maybe"})


def test_required_compile_time_parameter(reg):
    @sf.template
    def needs(t, *, size: int):
        t.resources.q.type = "AWS::SQS::Queue"

    with pytest.raises(ParameterError, match="needs compile-time parameter"):
        build(reg.get("template", "needs"), reg)
    assert build(reg.get("template", "needs"), reg, {"size": 2}).compile()["Resources"]


def test_nested_stacks_wire_sibling_outputs(reg):
    @sf.template
    def network(t):
        t.resources.vpc.type = "AWS::EC2::VPC"
        t.resources.vpc.properties.cidr_block = "10.0.0.0/16"
        t.output("vpc_id", sf.ref("vpc"))

    @sf.template
    def app(t, *, size: int = 1):
        t.parameter("vpc_id")
        t.parameter("env")
        t.resources.sg.type = "AWS::EC2::SecurityGroup"
        t.resources.sg.properties.group_description = f"size {size}"
        t.resources.sg.properties.vpc_id = sf.ref("vpc_id")

    @sf.template
    def parent(t):
        t.nest("network", "network")
        t.nest("app", "app", parameters={"env": "prod"}, size=3)

    compiled = build(reg.get("template", "parent"), reg).compile_all()
    res = compiled.template["Resources"]
    assert res["Network"]["Properties"] == {"TemplateURL": "parent-Network.template"}
    assert res["App"]["Properties"] == {
        "TemplateURL": "parent-App.template",
        "Parameters": {"VpcId": {"Fn::GetAtt": ["Network", "Outputs.VpcId"]}, "Env": "prod"},
    }
    child = compiled.nested["parent-App.template"].template
    assert child["Resources"]["Sg"]["Properties"]["GroupDescription"] == "size 3"
    assert set(compiled.nested) == {"parent-Network.template", "parent-App.template"}


def test_nest_with_unknown_parameter_is_an_error(reg):
    @sf.template
    def leaf(t):
        t.resources.q.type = "AWS::SQS::Queue"

    @sf.template
    def top(t):
        t.nest("leaf", "leaf", parameters={"nope": 1})

    with pytest.raises(TemplateError, match="no parameter"):
        build(reg.get("template", "top"), reg).compile()


def test_every_value_remembers_the_users_line():
    t = sf.Template("x")
    line = _lineno() + 1
    t.resources.web.type = "AWS::EC2::Instance"
    t.resources.web.properties.image_id = "ami-1"
    _, sources = t.compile_with_sources()
    assert str(sources.get(("Resources", "Web", "Type"))).endswith(f"test_template.py:{line}")
    assert sources.get(("Resources", "Web", "Properties", "ImageId")).line == line + 1
    # nearest ancestor for values inside an assigned value
    assert sources.get(("Resources", "Web", "Properties", "ImageId", "deep")).line == line + 1


def test_user_exception_names_their_line(reg):
    @sf.template
    def broken(t):
        t.resources.q.type = "AWS::SQS::Queue"
        raise ValueError("boom")

    with pytest.raises(TemplateError) as info:
        build(reg.get("template", "broken"), reg)
    assert "ValueError" in str(info.value) and "boom" in str(info.value)
    assert "test_template.py:" in info.value.location


def test_unknown_names_suggest_the_nearest(reg):
    @sf.component
    def environment(t):
        pass

    t = sf.Template("x", registry=reg)
    with pytest.raises(CollectionError, match="did you mean 'environment'"):
        t.load("enviroment")


def test_collection_loading_errors_point_at_the_file(tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "bad.py").write_text("def oops(:\n")
    with pytest.raises(CollectionError, match="syntax error") as info:
        load_collection(tmp_path, builtin=False)
    assert "bad.py:1" in info.value.location


def test_library_use_without_folders(reg):
    @sf.template
    def single(t):
        t.resources.q.type = "AWS::SQS::Queue"

    token = set_current(None)
    try:
        from sparkleform.dsl.parts import DEFAULT

        DEFAULT.add(reg.get("template", "single"))
        assert sf.compile("single")["Resources"] == {"Q": {"Type": "AWS::SQS::Queue"}}
    finally:
        reset_current(token)
        DEFAULT.entries["template"].pop("single", None)


def _lineno():
    import inspect

    return inspect.currentframe().f_back.f_lineno


def test_a_node_given_as_depends_on_names_the_resource():
    t = sf.Template("x")
    attachment = t.resource("gateway_attachment", "AWS::EC2::VPCGatewayAttachment")
    route = t.resource("route", "AWS::EC2::Route", depends_on=attachment)
    other = t.resource("other", "AWS::EC2::Route")
    other.depends_on = attachment
    other.properties.route_table_id = sf.ref(route)
    res = t.compile()["Resources"]
    assert res["Route"]["DependsOn"] == "GatewayAttachment"
    assert res["Other"]["DependsOn"] == "GatewayAttachment"
    assert res["Other"]["Properties"]["RouteTableId"] == {"Ref": "Route"}


def test_resource_properties_named_name_and_type():
    t = sf.Template("x")
    t.resource("saml", "AWS::IAM::SAMLProvider", name="corp", saml_metadata_document="<xml/>")
    t.resource("param", "AWS::SSM::Parameter", type="String", value="v")
    t.parameter("p", description="d")
    res = t.compile()["Resources"]
    assert res["Saml"]["Properties"] == {"Name": "corp", "SamlMetadataDocument": "<xml/>"}
    assert res["Param"] == {"Type": "AWS::SSM::Parameter", "Properties": {"Type": "String", "Value": "v"}}


def test_format_version_can_be_left_out_and_mapping_keys_stay_distinct():
    t = sf.Template("x")
    t.aws_template_format_version = None
    t.mapping("names", {"k": {"Name": "a", "name": "b"}})
    doc = t.compile()
    assert "AWSTemplateFormatVersion" not in doc
    assert doc["Mappings"] == {"Names": {"k": {"Name": "a", "name": "b"}}}


def test_values_a_template_cannot_hold_are_refused_at_the_users_line():
    import datetime

    t = sf.Template("x")
    t.resources.q.type = "AWS::SQS::Queue"
    line = _lineno() + 1
    t.outputs.when.value = {"Nested": [datetime.date(2024, 1, 1)]}
    with pytest.raises(TemplateError, match=r"Outputs\.When\.Value\.Nested\[0\]: a date value cannot go") as info:
        t.compile()
    assert info.value.location.endswith(f"test_template.py:{line}")
    t.outputs.when.value = float("nan")
    with pytest.raises(TemplateError, match="nan cannot go in a template"):
        t.compile()
    t.outputs.when.value = object()
    with pytest.raises(TemplateError, match="an object value"):
        t.compile()
