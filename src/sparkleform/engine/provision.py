"""Provisioning one resource: evaluate its properties and create it through the handlers,
with the simulation context its attributes are computed in.
"""

from __future__ import annotations

from sparkleform.engine.attributes import SimContext
from sparkleform.engine.dynamic import check_dynamic_references
from sparkleform.engine.errors import ResourceFailure
from sparkleform.engine.faults import _fail_on
from sparkleform.engine.intrinsics import NO_VALUE
from sparkleform.engine.run import _Res, _Run
from sparkleform.engine.store import dumps, loads
from sparkleform.errors import SparkleformError


class ProvisionMixin:
    """Evaluating and creating resources for create and update."""

    def _eval_properties(self, run: _Run, logical: str) -> dict:
        res = run.template["Resources"][logical]
        try:
            props = run.evaluator.resolve(res.get("Properties") or {})
        except SparkleformError as exc:
            raise ResourceFailure(exc.message) from None
        except ResourceFailure:
            raise
        except Exception as exc:  # a template shape no check caught: fail the resource, keep the state sound
            raise ResourceFailure(f"Template error: cannot evaluate the properties of {logical}: {exc}") from None
        if props is NO_VALUE or props is None:
            props = {}
        if not isinstance(props, dict):
            raise ResourceFailure("Properties must be an object")
        return props

    def _provision(self, run: _Run, res: _Res, action: str) -> None:
        """Evaluate a new resource's properties and create it (sets physical id and attributes)."""
        decl = run.template["Resources"][res.logical_id]
        res.properties = self._eval_properties(run, res.logical_id)
        res.props_json = dumps(res.properties)
        injected = _fail_on(decl.get("Metadata"), action)
        if injected:
            raise ResourceFailure(injected)
        if "{{resolve:" in res.props_json:
            check_dynamic_references(self, res.properties)
        res.physical_id, res.attributes = self.handlers.create(run, res, decl)
        res.attrs_json = None

    def _sim_context(self, name: str, stack_id: str) -> SimContext:
        key = (name, stack_id)
        if self._ctx_key != key:
            self._ctx_key, self._ctx = key, self._make_sim_context(name, stack_id)
        return self._ctx

    def _make_sim_context(self, name: str, stack_id: str) -> SimContext:
        def cidr_of(physical: str) -> str | None:
            row = self.store.one(
                "SELECT properties FROM resources WHERE stack_key=? AND physical_id=? AND type='AWS::EC2::Subnet'",
                (self._stack_key(stack_id), physical),
            )
            if row is None:
                return None
            value = loads(row["properties"], {}).get("CidrBlock")
            return value if isinstance(value, str) else None

        return SimContext(name, self.region, self.account_id, cidr_of)
