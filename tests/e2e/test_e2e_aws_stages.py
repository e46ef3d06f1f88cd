"""Through the CLI, on the local engine: the stage and wording AWS has for three answers
recorded in LocalStack's AWS snapshots (docs/engine.md, "Fidelity"): a plan with nothing to
change is the FAILED change set's text (an update that changes nothing keeps UpdateStack's);
an import of an export that does not exist yet is planned and fails when executed; an
Output's GetAtt of an attribute the type does not have starts the create and rolls back."""

from __future__ import annotations

import json

NO_CHANGES = "The submitted information didn't contain changes. Submit different information to create a change set."
TOPIC = {"Resources": {"T": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": "one"}}}}


def _write(cli, name: str, template: dict) -> str:
    path = cli.cwd / name
    path.write_text(json.dumps(template))
    return str(path)


def test_a_plan_with_nothing_to_change_says_what_aws_change_sets_say(cli):
    tpl = _write(cli, "topic.json", TOPIC)
    cli.run("create", "same", tpl)
    planned = cli.run("plan", "same", tpl)
    assert NO_CHANGES in planned.stdout and "No updates are to be performed." not in planned.stdout
    updated = cli.run("update", "same", tpl, "--yes")
    assert "No updates are to be performed." in updated.stdout  # UpdateStack's wording
    assert NO_CHANGES not in updated.stdout


def test_an_import_of_a_missing_export_is_planned_then_fails_when_created(cli):
    tpl = _write(cli, "imp.json", {"Resources": {"MyFoo": {
        "Type": "AWS::SSM::Parameter", "Properties": {"Type": "String", "Value": {"Fn::ImportValue": "later"}}}}})
    planned = cli.run("plan", "imp", tpl)
    assert "Add" in planned.stdout and "MyFoo" in planned.stdout
    failed = cli.run("create", "imp", tpl, check=1)
    assert "No export named later found." in failed.stdout + failed.stderr
    stacks = {s["StackName"]: s["StackStatus"] for s in cli.json("list-stacks")}
    assert stacks == {"imp": "ROLLBACK_COMPLETE"}


def test_an_output_getatt_of_a_missing_attribute_rolls_the_create_back(cli):
    tpl = _write(cli, "att.yaml", {
        "Resources": {"MyResource": {"Type": "AWS::SSM::Parameter", "Properties": {"Type": "String", "Value": "x"}}},
        "Outputs": {"InvalidOutput": {"Value": {"Fn::GetAtt": "MyResource.Invalid"}}},
    })
    # the checks before a deploy see it first (validate's rule); past them, the engine does what AWS does
    checked = cli.run("create", "att", tpl, check=1)
    assert "nothing was deployed" in checked.stderr
    assert cli.json("list-stacks") == []
    failed = cli.run("create", "att", tpl, "--no-check", check=1)
    reason = "[Error] /Outputs/InvalidOutput/Value/Fn::GetAtt: Resource type AWS::SSM::Parameter does not support attribute {Invalid}"
    assert reason in failed.stdout + failed.stderr
    events = cli.json("events", "att")
    statuses = [(e["LogicalResourceId"], e["ResourceStatus"]) for e in events]
    assert sorted(statuses) == sorted([("att", "CREATE_IN_PROGRESS"), ("att", "ROLLBACK_IN_PROGRESS"), ("att", "ROLLBACK_COMPLETE")])
