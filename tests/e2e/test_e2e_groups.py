"""`up` / `down` over the [stacks.*] of sparkleform.toml, in dependency order."""

from __future__ import annotations


def _write_group(cli, data):
    (cli.cwd / "params").mkdir()
    (cli.cwd / "params" / "asg.yaml").write_text("InstanceType: t3.small\nSize: 5\n")
    (cli.cwd / "sparkleform.toml").write_text(
        f"""
[stacks.coolapp-asg]
template = "{data / 'coolapp_asg.json'}"
apply_stacks = ["coolapp-elb"]
parameters_file = "params/asg.yaml"   # relative to this file
parameters = {{ Size = "2" }}         # wins over the file

[stacks.coolapp-elb]
template = "{data / 'coolapp_elb.json'}"
parameters = {{ Environment = "stage" }}
"""
    )


def test_up_deploys_in_dependency_order_and_down_tears_down_in_reverse(cli, data):
    _write_group(cli, data)
    up = cli.run("up")
    assert up.stdout.index("[1/2] coolapp-elb: create") < up.stdout.index("[2/2] coolapp-asg: create")
    asg = cli.json("describe", "coolapp-asg")
    params = {p["ParameterKey"]: p["ParameterValue"] for p in asg["Parameters"]}
    assert params["Size"] == "2"
    assert params["InstanceType"] == "t3.small"
    assert params["ElbName"] == cli.json("outputs", "coolapp-elb")["ElbName"]

    again = cli.run("up")  # nothing changed: both unchanged
    assert again.stdout.count("No updates are to be performed.") == 2

    down = cli.run("down", "coolapp-elb", "--yes")  # takes the dependent asg with it, first
    assert down.stdout.index("coolapp-asg: delete") < down.stdout.index("coolapp-elb: delete")
    assert cli.json("list-stacks") == []


def test_up_selection_deploys_only_what_is_needed(cli, data):
    _write_group(cli, data)
    cli.run("up", "coolapp-elb")
    assert [s["StackName"] for s in cli.json("list-stacks")] == ["coolapp-elb"]
    # a configured stack can be created by name alone: template and wiring come from the toml
    cli.run("create", "coolapp-asg")
    assert cli.json("outputs", "coolapp-asg")["UsedElb"] == cli.json("outputs", "coolapp-elb")["ElbName"]


def test_down_needs_yes_without_a_terminal(cli, data):
    _write_group(cli, data)
    cli.run("up")
    proc = cli.run("down", check=2)
    assert "--yes" in proc.stderr
    assert len(cli.json("list-stacks")) == 2
