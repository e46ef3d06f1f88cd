"""Prompts and confirmations when the CLI runs on a terminal (a real pty)."""

from __future__ import annotations

import os

import pytest
from e2e_support import Terminal

pytestmark = pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")


def test_missing_parameters_are_prompted_and_update_is_confirmed(cake, data):
    cli = cake.cli
    term = Terminal(cli, "create", "asg2", str(data / "coolapp_asg.json"), "-p", "ElbSecurityGroup=sg-typed")
    term.expect("name of the load balancer to register with")  # the parameter's Description
    term.expect("ElbName:")
    term.send("typed-elb")
    assert term.finish() == 0, term.text
    params = {p["ParameterKey"]: p["ParameterValue"] for p in cli.json("describe", "asg2")["Parameters"]}
    assert params["ElbName"] == "typed-elb"

    declined = Terminal(cli, "update", "asg2", "-p", "Size=2")
    declined.expect("Update stack asg2? [y/N]")
    declined.send("n")
    assert declined.finish() == 0
    assert "nothing changed" in declined.text
    accepted = Terminal(cli, "update", "asg2", "-p", "Size=2")
    accepted.expect("Update stack asg2? [y/N]")
    accepted.send("y")
    assert accepted.finish() == 0, accepted.text
    params = {p["ParameterKey"]: p["ParameterValue"] for p in cli.json("describe", "asg2")["Parameters"]}
    assert params["Size"] == "2" and params["ElbName"] == "typed-elb"
