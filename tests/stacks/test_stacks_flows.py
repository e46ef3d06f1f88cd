"""The stack flows used from Python (sparkleform.Stacks) on the local engine: create, plan,
update with its confirm callback, destroy, the up/down loop over a stack group, and what a
Reporter hears. The same flows drive the CLI (tests/e2e)."""

from __future__ import annotations

import json

import pytest

import sparkleform
from sparkleform import NoUpdates, Reporter, StackNotFound, Stacks
from sparkleform.contract import NO_UPDATES, Plan
from sparkleform.errors import OperationFailed, ParameterError
from sparkleform.stacks.flows import Result

BASE = {
    "Parameters": {"Env": {"Type": "String", "Default": "dev"}},
    "Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": {"Fn::Sub": "base-${Env}"}}}},
    "Outputs": {"TopicArn": {"Value": {"Ref": "Topic"}}, "Env": {"Value": {"Ref": "Env"}}},
}
APP = {
    "Parameters": {"TopicArn": {"Type": "String"}},
    "Resources": {"Queue": {"Type": "AWS::SQS::Queue"}},
    "Outputs": {"UsedTopic": {"Value": {"Ref": "TopicArn"}}},
}


class Recorder(Reporter):
    def __init__(self) -> None:
        super().__init__()
        self.notes: list[str] = []
        self.plans: list[Plan] = []
        self.events: list[tuple[str, str]] = []
        self.totals: list[tuple[str, int | None]] = []

    def note(self, text: str) -> None:
        self.notes.append(text)

    def plan(self, plan: Plan) -> None:
        self.plans.append(plan)

    def watch(self, stack, title, *, total=None):
        self.totals.append((title, total))
        log = super().watch(stack, title)
        log.on_event = lambda ev: self.events.append((ev.logical_id, ev.status))
        return log


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SPARKLEFORM_STATE", raising=False)
    monkeypatch.delenv("SPARKLEFORM_PROVIDER", raising=False)
    (tmp_path / "base.json").write_text(json.dumps(BASE))
    (tmp_path / "app.json").write_text(json.dumps(APP))
    return tmp_path


def test_create_plan_update_destroy_on_the_local_engine(folder):
    reporter = Recorder()
    stacks = Stacks(state=folder / "state.db", reporter=reporter)
    assert stacks.provider.name == "local"
    stack = stacks.create("base", "base.json", parameters={"Env": "stage"})
    assert stack.status == "CREATE_COMPLETE"
    assert stacks.outputs("base")["Env"] == "stage"
    assert ("base", "CREATE_COMPLETE") in reporter.events

    plan = stacks.plan("base", "base.json", parameters={"Env": "prod"})
    assert [(c.action, c.logical_id, c.replacement) for c in plan.changes] == [("Modify", "Topic", "True")]

    asked: list[Plan] = []
    declined = stacks.update("base", "base.json", parameters={"Env": "prod"},
                             confirm=lambda p: asked.append(p) or False)
    assert declined is None and [c.logical_id for c in asked[0].changes] == ["Topic"]
    assert reporter.plans[-1] is asked[0] and reporter.notes[-1] == "nothing changed"
    assert stacks.outputs("base")["Env"] == "stage"

    updated = stacks.update("base", "base.json", parameters={"Env": "prod"}, confirm=lambda p: True)
    assert updated is not None and updated.status == "UPDATE_COMPLETE"
    assert updated.output_map()["Env"] == "prod"

    assert stacks.update("base", "base.json", parameters={"Env": "prod"}) is None
    assert reporter.notes[-1] == NO_UPDATES

    assert stacks.destroy("base", confirm=lambda s: s.name == "base") is Result.DELETED
    with pytest.raises(StackNotFound):
        stacks.describe("base")
    # The reporter is told each operation's total in advance: one resource made, one
    # replaced by the update, one deleted.
    assert reporter.totals == [("create base", 1), ("update base", 1), ("delete base", 1)]


def test_the_total_a_reporter_is_given_follows_conditions_and_transforms(folder):
    template = {
        "Parameters": {"Env": {"Type": "String", "Default": "dev"}},
        "Conditions": {"Prod": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
                       "East": {"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]}},
        "Resources": {"A": {"Type": "AWS::SNS::Topic"}, "B": {"Type": "AWS::SNS::Topic", "Condition": "Prod"}},
    }
    (folder / "cond.json").write_text(json.dumps(template))
    reporter = Recorder()
    stacks = Stacks(state=folder / "state.db", reporter=reporter)
    stacks.create("dev", "cond.json")
    stacks.create("prod", "cond.json", parameters={"Env": "prod"})
    # A condition on a pseudo parameter is the stack's to decide: no total, the view counts as it goes.
    template["Resources"]["C"] = {"Type": "AWS::SNS::Topic", "Condition": "East"}
    (folder / "cond.json").write_text(json.dumps(template))
    stacks.create("east", "cond.json")
    assert reporter.totals == [("create dev", 1), ("create prod", 2), ("create east", None)]


def test_apply_stack_wiring_and_missing_parameters(folder):
    stacks = Stacks(state=folder / "state.db")
    stacks.create("base", "base.json")
    with pytest.raises(ParameterError, match="TopicArn"):  # no terminal is asked from Python
        stacks.create("app", "app.json")
    app = stacks.create("app", "app.json", apply_stacks=["base"])
    assert app.output_map()["UsedTopic"] == stacks.outputs("base")["TopicArn"]


def test_a_failed_create_names_the_first_failure(folder):
    failing = {
        "Resources": {
            "Queue": {"Type": "AWS::SQS::Queue"},
            "Topic": {"Type": "AWS::SNS::Topic", "DependsOn": "Queue",
                      "Metadata": {"sparkleform:fail": "create", "sparkleform:fail-reason": "quota (injected)"}},
        }
    }
    (folder / "failing.json").write_text(json.dumps(failing))
    stacks = Stacks(state=folder / "state.db")
    with pytest.raises(OperationFailed, match=r"create of stack bad failed: Topic \(AWS::SNS::Topic\) "
                                              r"CREATE_FAILED: quota \(injected\)"):
        stacks.create("bad", "failing.json")


def test_up_and_down_over_a_stack_group(folder):
    (folder / "sparkleform.toml").write_text(
        '[stacks.app]\ntemplate = "app.json"\napply_stacks = ["base"]\n\n'
        '[stacks.base]\ntemplate = "base.json"\nparameters = { Env = "qa" }\n'
    )
    reporter = Recorder()
    stacks = Stacks(config=folder / "sparkleform.toml", reporter=reporter)
    assert stacks.up() == {"base": Result.CREATED, "app": Result.CREATED}
    assert reporter.notes[:2] == ["[1/2] base: create", "[2/2] app: create"]
    assert (folder / ".sparkleform" / "state.db").exists()  # the default state, beside the cwd
    assert stacks.outputs("app")["UsedTopic"] == stacks.outputs("base")["TopicArn"]

    assert stacks.up(confirm=lambda plan: pytest.fail("nothing to confirm")) == {
        "base": Result.UNCHANGED, "app": Result.UNCHANGED}
    assert reporter.notes.count(NO_UPDATES) == 2

    assert stacks.down("base", confirm=lambda names: names == ["app", "base"]) == ["app", "base"]
    assert stacks.provider.list_stacks() == []
    assert stacks.down() == [] and reporter.notes[-1] == "no stack of the group exists; nothing to delete"


def test_a_failure_in_the_group_names_the_stacks_not_attempted(folder):
    (folder / "sparkleform.toml").write_text(
        '[stacks.app]\ntemplate = "app.json"\napply_stacks = ["base"]\n\n'
        '[stacks.base]\ntemplate = "missing.json"\n'
    )
    stacks = Stacks(config=folder / "sparkleform.toml")
    with pytest.raises(sparkleform.SparkleformError) as info:
        stacks.up()
    assert info.value.hint and "not attempted: app" in info.value.hint


def test_no_updates_from_the_provider_is_the_contracts_class(folder):
    stacks = Stacks(state=folder / "state.db")
    stacks.create("base", "base.json")
    with pytest.raises(NoUpdates, match=NO_UPDATES):
        stacks.provider.update_stack("base", None, {})
