"""Ref, GetAtt and ImportValue for a run's evaluator, answered from the run's live resources
(and, for a GetAtt value not stored with a resource, derived by `attributes`)."""

from __future__ import annotations

from typing import Any

from sparkleform.engine.attributes import SEED, attribute_value
from sparkleform.engine.custom import is_custom
from sparkleform.engine.errors import ResourceFailure, TemplateFormatError
from sparkleform.engine.handlers import STACK_TYPE
from sparkleform.engine.intrinsics import UNKNOWN
from sparkleform.engine.model import ResourceRow, Run
from sparkleform.engine.store import StackStore


class RunResolver:
    """Ref/GetAtt/ImportValue for an evaluator, from a run's live resources; while
    `planning`, what is not known yet is UNKNOWN."""

    def __init__(self, store: StackStore, run: Run, *, planning: bool = False) -> None:
        self.store = store
        self.run = run
        self.planning = planning

    def _resource(self, logical_id: str) -> ResourceRow | None:
        """The created resource a Ref/GetAtt names, or None while planning what is not yet known."""
        if self.planning and logical_id in self.run.planning_unknown:
            return None
        res = self.run.resources.get(logical_id)
        if res is None or res.physical_id is None:
            if self.planning:
                return None
            raise TemplateFormatError(
                f"Template format error: Unresolved resource dependencies [{logical_id}] in the Resources block of the template"
            )
        return res

    def ref(self, logical_id: str) -> Any:
        res = self._resource(logical_id)
        return UNKNOWN if res is None else res.physical_id

    def get_att(self, logical_id: str, attribute: str) -> Any:
        res = self._resource(logical_id)
        if res is None or (self.planning and logical_id in self.run.planning_modified):
            return UNKNOWN
        if attribute in res.attributes:
            return res.attributes[attribute]
        if is_custom(res.type):
            raise ResourceFailure(
                f"CustomResource attribute error: Vendor response doesn't contain {attribute} key in object "
                f"{res.physical_id}"
            )
        if res.type == STACK_TYPE:
            raise ResourceFailure(f"Template error: stack {res.physical_id} has no output {attribute.removeprefix('Outputs.')}")
        assert res.physical_id is not None
        return attribute_value(
            self.run.sim, res.type, logical_id, attribute, res.properties, res.physical_id, res.attributes.get(SEED)
        )

    def import_value(self, name: str) -> Any:
        value = self.store.export_value(name)
        if value is None:
            raise ResourceFailure(f"No export named {name} found.")
        self.run.imports.add(name)
        return value
