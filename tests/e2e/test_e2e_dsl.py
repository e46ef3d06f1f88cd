"""A Python (DSL) template with a nested stack and --set, deployed through the CLI."""

from __future__ import annotations

PARTS = '''
from sparkleform import get_att, ref, template


@template()
def queues(t, *, count: int = 1):
    for i in range(count):
        t.resource(f"queue{i}", "AWS::SQS::Queue")
    t.output("first_queue", ref("queue0"))


@template()
def app(t, *, count: int = 2):
    t.nest("work", "queues", count=count)
    t.output("work_queue", get_att("work", "Outputs.FirstQueue"))
'''


def test_dsl_template_with_nested_stack_and_compile_time_set(cli):
    (cli.cwd / "templates").mkdir()
    (cli.cwd / "templates" / "parts.py").write_text(PARTS)
    cli.run("create", "app", "app", "--set", "count=3")
    stacks = {s["StackName"]: s["StackStatus"] for s in cli.json("list-stacks")}
    child = next(name for name in stacks if name.startswith("app-Work-"))
    assert stacks == {"app": "CREATE_COMPLETE", child: "CREATE_COMPLETE"}
    resources = cli.json("describe", child)["Resources"]
    assert sorted(r["LogicalResourceId"] for r in resources) == ["Queue0", "Queue1", "Queue2"]
    queue0 = next(r["PhysicalResourceId"] for r in resources if r["LogicalResourceId"] == "Queue0")
    assert cli.json("outputs", "app") == {"WorkQueue": queue0}
    bad = cli.run("create", "app2", "app", "--set", "nope=1", check=2)
    assert "nope" in bad.stderr and "Traceback" not in bad.stderr
    # `describe KIND NAME` describes the collection's part, `describe NAME` a stack
    part = cli.run("describe", "template", "queues").stdout
    assert "template queues(" in part and "count" in part
