"""The engine's working model: a resource's row (`ResourceRow`), one operation's run on one
stack (`Run`), and a status change of a row (`Change`).

These are what the store reads and writes and what the operations pass each other; they
hold no behaviour beyond copying and (de)serializing themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sparkleform.contract import EventCallback, StackOptions
from sparkleform.engine.attributes import SimContext
from sparkleform.engine.intrinsics import Evaluator


@dataclass(slots=True)
class ResourceRow:
    """One resource of a stack, as its `resources` row holds it (properties and attributes
    decoded)."""

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
    def from_state(logical_id: str, v: dict[str, Any]) -> ResourceRow:
        return ResourceRow(
            logical_id, v["type"], v["physical_id"], v["status"], v["properties"], v["attributes"], v["policy"], v["seq"]
        )

    def clone(self) -> ResourceRow:
        """What copy.copy(self) gives (a new object sharing the field values), without
        copy's generic __reduce_ex__ round trip: updates copy every row of a stack twice."""
        return ResourceRow(
            self.logical_id, self.type, self.physical_id, self.status, self.properties, self.attributes,
            self.policy, self.seq, self.reason, self.props_json, self.attrs_json,
        )


def policies_of(decl: dict) -> dict:
    """The DeletionPolicy and UpdateReplacePolicy a resource declaration gives (its row's `policy`)."""
    if "DeletionPolicy" not in decl and "UpdateReplacePolicy" not in decl:
        return {}
    return {k: decl[k] for k in ("DeletionPolicy", "UpdateReplacePolicy") if k in decl}


# A row moving to a new status: (row, new status or None for no event, reason, remove the row).
Change = tuple[ResourceRow, "str | None", "str | None", bool]


@dataclass
class Run:
    """One operation on one stack: its template, values and the live resource table."""

    stack_id: str
    name: str
    template: dict
    values: dict[str, Any]
    raw: dict[str, str]
    no_echo: set[str]
    options: StackOptions
    sim: SimContext  # the stack's simulation context (what resources and GetAtt values are made in)
    on_event: EventCallback | None = None
    resources: dict[str, ResourceRow] = field(default_factory=dict)
    evaluator: Evaluator = field(init=False)  # set by whoever builds the run (it resolves through the run)
    active: list[str] = field(default_factory=list)
    imports: set[str] = field(default_factory=set)
    planning_unknown: set[str] = field(default_factory=set)
    # resources a plan modifies in place: their Ref stays, their attributes are known after apply
    planning_modified: set[str] = field(default_factory=set)
    old_decls: dict[str, Any] = field(default_factory=dict)
    deps: dict[str, set[str]] = field(default_factory=dict)
    current: dict[str, ResourceRow] = field(default_factory=dict)  # resources before an update
    planned: dict[str, dict] = field(default_factory=dict)  # properties the plan evaluated
    changed_ids: set[str] = field(default_factory=set)
    policy: dict | None = None  # the stack policy updates are checked against
    submitted_json: str | None = None  # the submitted template encoded (measured for the size limit, stored as is)
    # problems AWS finds only once the operation has started (an Output's GetAtt of an attribute
    # the type does not have): the stack fails and rolls back before any resource is made
    late_errors: list[str] = field(default_factory=list)
    # (type, physical id) -> logical id of the named resources this run has made or had
    # (service_rules.check_unique), built on first use
    names_taken: dict[tuple[str, str], str] | None = None

    @property
    def key(self) -> tuple[str, str]:
        """(stack id, stack name): what the journal records the run's changes under."""
        return self.stack_id, self.name

    def probe(self, resources: dict[str, ResourceRow]) -> Run:
        """A run of the same template and values over `resources`, for evaluating without
        changing anything (its evaluator is the caller's to set)."""
        return Run(
            self.stack_id, self.name, self.template, self.values, self.raw, self.no_echo, self.options, self.sim,
            resources=resources,
        )
