"""Update parameters through the CLI: kept like `aws cloudformation deploy` does, or reset to
the template's Defaults with --reset-parameters."""

from __future__ import annotations

import json


def test_update_keeps_previous_values_unless_reset(cli, tmp_path):
    template = {
        "Parameters": {"Label": {"Type": "String", "Default": "from-default"}},
        "Resources": {"T": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": {"Ref": "Label"}}}},
        "Outputs": {"Label": {"Value": {"Ref": "Label"}}},
    }
    path = tmp_path / "t.json"
    path.write_text(json.dumps(template))
    cli.run("create", "rp", str(path), "-p", "Label=chosen")
    template["Resources"]["Other"] = {"Type": "AWS::SNS::Topic"}
    path.write_text(json.dumps(template))
    cli.run("update", "rp", str(path), "--yes")
    outputs = {o["OutputKey"]: o["OutputValue"] for o in cli.json("describe", "rp")["Outputs"]}
    assert outputs == {"Label": "chosen"}  # not given: the stack's value is kept
    cli.run("update", "rp", str(path), "--yes", "--reset-parameters")
    outputs = {o["OutputKey"]: o["OutputValue"] for o in cli.json("describe", "rp")["Outputs"]}
    assert outputs == {"Label": "from-default"}
