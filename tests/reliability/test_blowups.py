"""Issue 19 item 2: templates that used to hang or eat gigabytes end quickly with an error.

(No timings are asserted; a regression shows as the test hanging, which pytest's callers bound.)"""

from __future__ import annotations

import json
import resource
import threading

import pytest
from cli_runner import assert_input_error, run_cli


def base64_tower(depth: int) -> dict:
    value: object = "abc"
    for _ in range(depth):
        value = {"Fn::Base64": value}
    return {"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": value}}}}


def test_nested_base64_is_cut_at_the_string_limit(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "b.json").write_text(json.dumps(base64_tower(65)))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = run_cli("create", "b", "b.json", "--state", "state.db")
    assert result.code == 1, result.stderr
    assert "Fn::Base64 gives a string of" in result.stderr and "the limit is 1,048,576" in result.stderr
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 200, grown_mb
    assert (tmp_path / "state.db").stat().st_size < 20 * 1024 * 1024


PATTERN_TEMPLATE = {
    "Parameters": {"P": {"Type": "String", "AllowedPattern": "(a|aa)+$"}},
    "Resources": {"Q": {"Type": "AWS::SQS::Queue"}},
}


def _with_default(pattern: str, default: str) -> str:
    doc = json.loads(json.dumps(PATTERN_TEMPLATE))
    doc["Parameters"]["P"].update(AllowedPattern=pattern, Default=default)
    return json.dumps(doc)


def _bounded(fn, seconds=30):
    box = {}
    thread = threading.Thread(target=lambda: box.update(result=fn()), daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "the verb hung"
    return box["result"]


# '(a+)+$' is linear on the regex engine; '(a|aa)+$' backtracks there too and hits the time bound.
@pytest.mark.parametrize(
    "verb", [("validate", "t.json"), ("compile", "t.json"), ("create", "s", "t.json"), ("plan", "s", "t.json")]
)
@pytest.mark.parametrize("pattern", ["(a+)+$", "(a|aa)+$"])
def test_catastrophic_allowed_pattern_does_not_hang(tmp_path, monkeypatch, verb, pattern):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "t.json").write_text(_with_default(pattern, "a" * 60 + "!"))
    result = _bounded(lambda: run_cli(*verb, "--state", "state.db"))
    assert "Traceback" not in result.stderr
    if pattern == "(a+)+$":
        assert result.code in (1, 2) and ("does not match AllowedPattern" in result.stdout + result.stderr
                                           or "must match pattern" in result.stderr), result
    else:
        assert_input_error(result, "took more than 1 s")


def test_up_with_a_catastrophic_pattern(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "t.json").write_text(_with_default("(a|aa)+$", "a" * 60 + "!"))
    (tmp_path / "sparkleform.toml").write_text('[stacks.a]\ntemplate = "t.json"\n')
    result = _bounded(lambda: run_cli("up", "--yes", "--state", "state.db"))
    assert_input_error(result, "took more than 1 s")
