"""Stack group ordering over apply_stacks edges."""

from __future__ import annotations

import pytest

from sparkleform.config import StackConfig
from sparkleform.errors import ConfigError
from sparkleform.stacks.groups import group_order


def group(**edges: list[str]) -> dict[str, StackConfig]:
    return {name: StackConfig(name=name, template=name, apply_stacks=deps) for name, deps in edges.items()}


CAKE = group(asg=["elb", "vpc"], elb=["vpc"], vpc=[], dns=["aws:us-west-2:zone"])


def test_up_order_puts_dependencies_first():
    order = group_order(CAKE)
    assert order.index("vpc") < order.index("elb") < order.index("asg")
    assert sorted(order) == ["asg", "dns", "elb", "vpc"]


def test_up_selection_pulls_in_what_it_needs_only():
    assert group_order(CAKE, ["elb"]) == ["vpc", "elb"]


def test_down_selection_takes_dependents_in_reverse():
    assert group_order(CAKE, ["elb"], teardown=True) == ["asg", "elb"]
    full = group_order(CAKE, teardown=True)
    assert full.index("asg") < full.index("elb") < full.index("vpc")


def test_cycle_and_unknown_names_are_config_errors():
    with pytest.raises(ConfigError, match=r"cycle: .*a.*b"):
        group_order(group(a=["b"], b=["a"]))
    with pytest.raises(ConfigError, match="no stack nope"):
        group_order(CAKE, ["nope"])
    with pytest.raises(ConfigError, match="no stacks are defined"):
        group_order({})
