"""`update --no-rollback` (DisableRollback) through the CLI: the failed update is kept, as on AWS."""

from __future__ import annotations

import json


def test_update_no_rollback_keeps_the_failed_update(cli, tmp_path):
    good = {"Resources": {"T": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": "a"}}}}
    bad = {
        "Resources": {
            "T": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": "b"}},
            "Broken": {"Type": "AWS::SNS::Topic", "Metadata": {"sparkleform:fail": "create", "sparkleform:fail-reason": "no (injected)"}},
        }
    }
    (tmp_path / "good.json").write_text(json.dumps(good))
    (tmp_path / "bad.json").write_text(json.dumps(bad))
    cli.run("create", "nr", str(tmp_path / "good.json"))
    proc = cli.run("update", "nr", str(tmp_path / "bad.json"), "--yes", "--no-rollback", check=1)
    assert "UPDATE_FAILED" in proc.stderr and "UPDATE_ROLLBACK" not in proc.stdout + proc.stderr
    statuses = {s["StackName"]: s["StackStatus"] for s in cli.json("list-stacks")}
    assert statuses == {"nr": "UPDATE_FAILED"}
    cli.run("update", "nr", str(tmp_path / "good.json"), "--yes")
    assert {s["StackName"]: s["StackStatus"] for s in cli.json("list-stacks")} == {"nr": "UPDATE_COMPLETE"}
