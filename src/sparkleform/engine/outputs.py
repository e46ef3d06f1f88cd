"""Stack outputs and the exports and imports they write: evaluating Outputs, checking export
names (duplicates, taken, still imported) and storing them.
"""

from __future__ import annotations

from sparkleform.engine.errors import ResourceFailure
from sparkleform.engine.intrinsics import NO_VALUE, to_text
from sparkleform.engine.model import Run
from sparkleform.engine.store import StackStore
from sparkleform.errors import SparkleformError


def evaluate_outputs(run: Run) -> list[dict]:
    """The run's Outputs as stored ({key, value, description, export_name}); a value that
    cannot be evaluated is a ResourceFailure naming the output."""
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


def check_exports(store: StackStore, stack_id: str, outputs: list[dict]) -> None:
    """Export names are unique in the outputs and not exported by another stack."""
    seen: set[str] = set()
    for o in outputs:
        name = o["export_name"]
        if name is None:
            continue
        if name in seen:
            raise ResourceFailure(f"Template error: duplicate export name {name}")
        seen.add(name)
        row = store.exporter(name)
        if row is not None and row["stack_id"] != stack_id:
            raise ResourceFailure(f"Export with name {name} is already exported by stack {row['name']}")


def check_exports_in_use(store: StackStore, stack_id: str, outputs: list[dict]) -> None:
    """An export another stack imports may be neither changed nor removed."""
    new = {o["export_name"]: o["value"] for o in outputs if o["export_name"]}
    for r in store.exports_of(stack_id):
        if new.get(r["name"]) == r["value"]:
            continue
        user = store.importer(r["name"], stack_id)
        if user is not None:
            verb = "updated" if r["name"] in new else "removed"
            raise ResourceFailure(f"Cannot {verb[:-1]} export {r['name']} as it is in use by {user}")


def write_exports(store: StackStore, stack_id: str, outputs: list[dict], imports: list[str] | set[str], *, take_back: bool = False) -> None:
    """Store the exports of `outputs` and the stack's `imports` (inside the caller's transaction)."""
    exports = [(o["export_name"], o["value"]) for o in outputs if o.get("export_name") is not None]
    store.write_exports(stack_id, exports, imports, take_back=take_back)


def outputs_equal(a: list[dict], b: list[dict]) -> bool:
    def norm(items: list[dict]) -> list:
        return sorted((o["key"], o["value"], o.get("export_name"), o.get("description")) for o in items)

    return norm(a) == norm(b)
