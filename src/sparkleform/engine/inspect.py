"""Inspecting a stack: every resource's GetAtt values as the engine answers them (the stored
ones, its top-level scalar properties, and the schema's read-only attributes derived from the
resource's seed as a GetAtt would), NoEcho values masked."""

from __future__ import annotations

from typing import Any

from sparkleform.engine.attributes import SEED, attribute_value
from sparkleform.engine.context import OpContext
from sparkleform.engine.errors import ResourceFailure
from sparkleform.errors import SparkleformError
from sparkleform.secrets import Masker, registry
from sparkleform.spec import get_schema


def resource_attributes(cx: OpContext, name: str) -> dict[str, dict[str, Any]]:
    """logical id -> {attribute: value} for each resource of the stack, in creation order."""
    row = cx.store.require(name, describe=True)  # registers the stack's NoEcho values for masking
    stack_id = row["stack_id"]
    sim = cx.sim_context(row["name"], stack_id)
    out: dict[str, dict[str, Any]] = {}
    for logical, res in cx.store.resources(stack_id).items():
        values = {k: v for k, v in res.attributes.items() if k != SEED}
        # GetAtt also answers a resource's top-level scalar properties (VPC CidrBlock ...)
        values.update({k: v for k, v in (res.properties or {}).items()
                       if isinstance(v, str | int | float | bool) and k not in values})
        schema = get_schema(res.type)
        if schema is not None and res.physical_id is not None:
            for attr in schema.read_only:
                if attr in values or "/" in attr or "." in attr:
                    continue  # nested attribute paths are reached through their parent
                try:
                    values[attr] = attribute_value(sim, res.type, logical, attr, res.properties, res.physical_id,
                                                   res.attributes.get(SEED))
                except (SparkleformError, ResourceFailure):  # one it cannot derive is left out
                    continue
        out[logical] = dict(sorted(values.items()))
    masker = Masker(registry.secrets)
    return {logical: {k: masker.value(v) for k, v in attrs.items()} for logical, attrs in out.items()}
