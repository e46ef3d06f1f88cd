"""One operation's working state: the resource rows (`_Res`), the run on one stack (`_Run`)
and the resolver that answers Ref/GetAtt/ImportValue from the run's live resources.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sparkleform.engine.attributes import SEED, attribute_value
from sparkleform.engine.custom import is_custom
from sparkleform.engine.errors import ResourceFailure, TemplateFormatError
from sparkleform.engine.handlers import STACK_TYPE
from sparkleform.engine.intrinsics import UNKNOWN, Evaluator
from sparkleform.contract import EventCallback, StackOptions

if TYPE_CHECKING:
    from sparkleform.engine.engine import Engine


@dataclass
class _Res:
    logical_id: str
    type: str
    physical_id: str | None
    status: str
    properties: dict
    attributes: dict
    policy: dict
    seq: int
    reason: str | None = None
    props_json: str | None = None  # `properties` serialized, when already known
    attrs_json: str | None = None  # `attributes` serialized, when already known (never modified in place)

    def to_state(self) -> dict[str, Any]:
        """The row as the stack's snapshot and cleanup list keep it (JSON; `from_state` reads it)."""
        return {
            "physical_id": self.physical_id,
            "type": self.type,
            "status": self.status,
            "properties": self.properties,
            "attributes": self.attributes,
            "policy": self.policy,
            "seq": self.seq,
        }

    @staticmethod
    def from_state(logical_id: str, v: dict[str, Any]) -> _Res:
        return _Res(logical_id, v["type"], v["physical_id"], v["status"], v["properties"], v["attributes"], v["policy"], v["seq"])

    def clone(self) -> _Res:
        """What copy.copy(self) gives (a new object sharing the field values), without
        copy's generic __reduce_ex__ round trip: updates copy every row of a stack twice."""
        new = object.__new__(_Res)
        new.__dict__.update(self.__dict__)
        return new


@dataclass
class _Run:
    """One operation on one stack: its template, values and the live resource table."""

    stack_id: str
    name: str
    template: dict
    values: dict[str, Any]
    raw: dict[str, str]
    no_echo: set[str]
    options: StackOptions
    on_event: EventCallback | None
    resources: dict[str, _Res] = field(default_factory=dict)
    evaluator: Evaluator | None = None
    active: list[str] = field(default_factory=list)
    imports: set[str] = field(default_factory=set)
    planning_unknown: set[str] = field(default_factory=set)
    old_decls: dict[str, Any] = field(default_factory=dict)
    deps: dict[str, set[str]] = field(default_factory=dict)
    current: dict[str, _Res] = field(default_factory=dict)  # resources before an update
    planned: dict[str, dict] = field(default_factory=dict)  # properties the plan evaluated
    changed_ids: set[str] = field(default_factory=set)
    policy: dict | None = None  # the stack policy updates are checked against


class _RunResolver:
    """Ref/GetAtt/ImportValue for an evaluator, from a run's live resources."""

    def __init__(self, engine: Engine, run: _Run, *, planning: bool = False) -> None:
        self.engine = engine
        self.run = run
        self.planning = planning

    def _resource(self, logical_id: str) -> Any:
        """The created resource a Ref/GetAtt names, or UNKNOWN while planning what is not yet known."""
        if self.planning and logical_id in self.run.planning_unknown:
            return UNKNOWN
        res = self.run.resources.get(logical_id)
        if res is None or res.physical_id is None:
            if self.planning:
                return UNKNOWN
            raise TemplateFormatError(
                f"Template format error: Unresolved resource dependencies [{logical_id}] in the Resources block of the template"
            )
        return res

    def ref(self, logical_id: str) -> Any:
        res = self._resource(logical_id)
        return res if res is UNKNOWN else res.physical_id

    def get_att(self, logical_id: str, attribute: str) -> Any:
        res = self._resource(logical_id)
        if res is UNKNOWN:
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
        ctx = self.engine._sim_context(self.run.name, self.run.stack_id)
        return attribute_value(
            ctx, res.type, logical_id, attribute, res.properties, res.physical_id, res.attributes.get(SEED)
        )

    def import_value(self, name: str) -> Any:
        row = self.engine.store.one("SELECT value FROM exports WHERE region=? AND name=?", (self.engine.region, name))
        if row is None:
            raise ResourceFailure(f"No export named {name} found.")
        self.run.imports.add(name)
        return row["value"]
