"""Stack outputs and the exports and imports they write: evaluating Outputs, checking export
names (duplicates, taken, still imported) and storing them.
"""

from __future__ import annotations

from typing import Any

from sparkleform.engine.errors import ResourceFailure
from sparkleform.engine.intrinsics import NO_VALUE, Evaluator, to_text
from sparkleform.engine.run import _Run, _RunResolver
from sparkleform.errors import SparkleformError


class OutputsMixin:
    """Outputs, exports and imports of a stack."""

    def _outputs(self, run: _Run) -> list[dict]:
        out = []
        ev = run.evaluator
        for key, decl in (run.template.get("Outputs") or {}).items():
            cond = decl.get("Condition")
            if cond is not None and not ev.condition(cond):
                continue
            try:
                value = ev.resolve(decl.get("Value"))
                export = decl.get("Export")
                export_name = ev.resolve(export.get("Name")) if isinstance(export, dict) else None
                description = ev.resolve(decl.get("Description")) if decl.get("Description") is not None else None
            except SparkleformError as exc:
                raise ResourceFailure(f"Output {key}: {exc.message}") from None
            except ResourceFailure as exc:
                raise ResourceFailure(f"Output {key}: {exc.reason}") from None
            except Exception as exc:  # a value shape no check caught
                raise ResourceFailure(f"Output {key}: cannot evaluate: {exc}") from None
            if value is NO_VALUE:
                continue
            if isinstance(value, list):
                value = ",".join(to_text(v) for v in value)
            elif isinstance(value, dict):
                raise ResourceFailure(f"Template error: every Outputs value must be a string (output {key})")
            out.append(
                {
                    "key": key,
                    "value": to_text(value),
                    "description": description,
                    "export_name": None if export_name is None else to_text(export_name),
                }
            )
        return out

    def _check_exports(self, stack_id: str, outputs: list[dict]) -> None:
        seen: set[str] = set()
        for o in outputs:
            name = o["export_name"]
            if name is None:
                continue
            if name in seen:
                raise ResourceFailure(f"Template error: duplicate export name {name}")
            seen.add(name)
            row = self.store.one(
                "SELECT s.name, s.stack_id FROM exports e JOIN stacks s ON s.stack_id=e.stack_id"
                " WHERE e.region=? AND e.name=?",
                (self.region, name),
            )
            if row is not None and row["stack_id"] != stack_id:
                raise ResourceFailure(f"Export with name {name} is already exported by stack {row['name']}")

    def _write_exports(self, conn: Any, stack_id: str, outputs: list[dict], imports: set[str]) -> None:
        conn.execute("DELETE FROM exports WHERE stack_id=?", (stack_id,))
        conn.execute("DELETE FROM imports WHERE stack_id=?", (stack_id,))
        for o in outputs:
            if o["export_name"] is not None:
                conn.execute(
                    "INSERT INTO exports(region, name, stack_id, value) VALUES (?,?,?,?)",
                    (self.region, o["export_name"], stack_id, o["value"]),
                )
        for name in imports:
            conn.execute(
                "INSERT OR IGNORE INTO imports(stack_id, region, export_name) VALUES (?,?,?)",
                (stack_id, self.region, name),
            )

    def _outputs_preview(self, run: _Run) -> list[dict] | None:
        """The new outputs if they can be computed from current values (None when not)."""
        current = run.current
        probe = _Run(run.stack_id, run.name, run.template, run.values, run.raw, run.no_echo, run.options, None)
        probe.resources = current
        probe.evaluator = Evaluator(run.template, run.values, run.evaluator.pseudo, _RunResolver(self, probe), region=self.region)
        try:
            return self._outputs(probe)
        except ResourceFailure:
            return None

    def _check_exports_in_use(self, stack_id: str, outputs: list[dict]) -> None:
        new = {o["export_name"]: o["value"] for o in outputs if o["export_name"]}
        for r in self.store.all("SELECT name, value FROM exports WHERE stack_id=?", (stack_id,)):
            if new.get(r["name"]) == r["value"]:
                continue
            user = self.store.one(
                "SELECT s.name FROM imports i JOIN stacks s ON s.stack_id=i.stack_id"
                " WHERE i.export_name=? AND i.region=? AND i.stack_id<>? AND s.deleted IS NULL",
                (r["name"], self.region, stack_id),
            )
            if user is not None:
                verb = "updated" if r["name"] in new else "removed"
                raise ResourceFailure(f"Cannot {verb[:-1]} export {r['name']} as it is in use by {user['name']}")


def _outputs_equal(a: list[dict], b: list[dict]) -> bool:
    def norm(items: list[dict]) -> list:
        return sorted((o["key"], o["value"], o.get("export_name"), o.get("description")) for o in items)

    return norm(a) == norm(b)
