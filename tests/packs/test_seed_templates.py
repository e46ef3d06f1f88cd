"""Every template of the seed pack: compiles, checks clean (sparkleform and cfn-lint), and
deploys and deletes on the local engine."""

from __future__ import annotations

import json

import pytest
from seed_params import DEPLOY_PARAMS

import sparkleform
from sparkleform.dsl.collection import load_collection

PACK_TEMPLATES = sorted(e.name for e in load_collection(None).all("template") if e.source == "pack:seed")


@pytest.fixture(scope="module")
def compiled():
    cache: dict[str, sparkleform.Compiled] = {}

    def get(name: str) -> sparkleform.Compiled:
        if name not in cache:
            cache[name] = sparkleform.load_target(name)
        return cache[name]

    return get


def test_every_article_has_its_templates():
    expected = {"seed_vpc", "seed_ec2_instance", "seed_coolapp_elb", "seed_coolapp_asg", "nat_ha",
                "dynamodb_sessions", "iam_groups", "ad_federation", "ad_federation_saml", "sqlserver_rds",
                "sqlserver_ec2", "coreos_kubernetes"}
    assert set(PACK_TEMPLATES) == expected
    assert set(DEPLOY_PARAMS) == expected, "every pack template needs deploy parameters in tests/packs/params.py"


@pytest.mark.parametrize("name", PACK_TEMPLATES)
def test_compiles_and_checks_without_errors_or_warnings(name, compiled):
    result = compiled(name)
    assert result.template["Resources"], f"{name} has no resources"
    try:
        from sparkleform.check import run_checks
    except ImportError:
        pytest.skip("sparkleform.check.run_checks is not importable yet")
    findings = [d for d in run_checks(result.template, result.sources) if d.severity in ("error", "warning")]
    assert findings == [], "\n".join(f"{d.location}: {d.rule} {d.message}" for d in findings)


@pytest.mark.parametrize("name", PACK_TEMPLATES)
def test_cfn_lint_finds_no_errors_or_warnings(name, compiled):
    from cfnlint.api import lint

    matches = lint(json.dumps(compiled(name).template), regions=["us-east-1"])
    found = [m for m in matches if m.rule.severity in ("error", "warning")]
    assert found == [], "\n".join(f"{m.rule.id} {'/'.join(map(str, m.path))}: {m.message}" for m in found)


@pytest.mark.parametrize("name", PACK_TEMPLATES)
def test_deploys_and_deletes_on_the_local_engine(name, compiled, tmp_path):
    try:
        from sparkleform.providers import get_provider

        provider = get_provider("local", state=tmp_path / "state.db")
    except ImportError as exc:
        pytest.skip(f"the local engine is not available yet: {exc}")
    template = compiled(name).template
    stack_name = name.replace("_", "-")
    stack = provider.create_stack(stack_name, template, DEPLOY_PARAMS[name])
    assert stack.status == "CREATE_COMPLETE", stack.reason
    assert {r.logical_id for r in stack.resources} == set(template["Resources"])
    assert set(stack.output_map()) == set(template.get("Outputs", {}))
    assert all(value not in ("", None) for value in stack.output_map().values())
    provider.delete_stack(stack_name)
    assert not provider.stack_exists(stack_name)


def test_vpc_spans_the_availability_zones_it_is_compiled_for():
    for azs in (1, 2, 6):
        template = sparkleform.load_target("seed_vpc", overrides={"azs": str(azs)}).template
        types = [r["Type"] for r in template["Resources"].values()]
        assert types.count("AWS::EC2::Subnet") == 2 * azs
        assert types.count("AWS::EC2::RouteTable") == azs + 1
        assert types.count("AWS::EC2::SubnetRouteTableAssociation") == 2 * azs
        zones = {json.dumps(r["Properties"]["AvailabilityZone"]) for r in template["Resources"].values()
                 if r["Type"] == "AWS::EC2::Subnet"}
        assert len(zones) == azs
        assert {f"PublicSubnet{n}Id" for n in range(1, azs + 1)} <= set(template["Outputs"])
    with pytest.raises(sparkleform.SparkleformError, match="between 1 and 6"):
        sparkleform.load_target("seed_vpc", overrides={"azs": "7"})

