"""Templates with the SAM transform are expanded before checking; findings on generated
resources point at the SAM resource; rejected templates are reported, not raised."""

from __future__ import annotations

from sparkleform.check import run_checks
from sparkleform.sourcemap import Location, SourceMap

SAM = "AWS::Serverless-2016-10-31"


def sam_template(**function_props):
    props = {"Handler": "index.handler", "Runtime": "python3.12", "CodeUri": "./src", **function_props}
    return {
        "Transform": SAM,
        "Resources": {
            "Fn": {"Type": "AWS::Serverless::Function", "Properties": props},
            "Table": {"Type": "AWS::DynamoDB::Table", "Properties": {
                "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
                "BillingMode": "PAY_PER_REQUEST"}},
        },
        "Outputs": {"Role": {"Value": {"Fn::GetAtt": ["FnRole", "Arn"]}}},
    }


def test_expanded_template_is_checked_without_false_alarms():
    # FnRole exists only after expansion: a Ref to it is not an error
    found = run_checks(sam_template())
    assert not [d for d in found if d.severity == "error"], [str(d) for d in found]


def test_findings_on_generated_resources_point_at_the_sam_resource():
    sources = SourceMap({("Resources", "Fn"): Location("template.yaml", 4)})
    found = run_checks(sam_template(Architectures=["sparc"]), sources)
    bad = [d for d in found if d.severity == "error"]
    assert bad, "an architecture outside the enum is caught on the generated function"
    assert all(d.extra.get("generated_from") == "Fn" for d in bad)
    assert all(str(d.location) == "template.yaml:4" for d in bad)
    assert "generated from SAM resource Fn" in bad[0].message


def test_translator_rejection_is_a_finding():
    t = sam_template()
    t["Resources"]["Fn"]["Properties"]["Events"] = {"E": {"Type": "NoSuchEvent", "Properties": {}}}
    found = run_checks(t)
    assert [d.rule for d in found if d.severity == "error"] == ["SF5001"]
