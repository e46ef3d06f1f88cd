"""The provisioning loop: a run's resources wave by wave (a wave: the resources whose
dependencies are all done), each wave's resources started, acted on and finished together
in one transaction (`run_wave`); and provisioning one resource (evaluate its properties,
create it through the handlers). Create, update, delete and rollback all run their waves
here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sparkleform.contract import EventCallback
from sparkleform.engine.context import OpContext
from sparkleform.engine.dynamic import check_dynamic_references
from sparkleform.engine.errors import ResourceFailure
from sparkleform.engine.faults import fail_on
from sparkleform.engine.graph import waves
from sparkleform.engine.intrinsics import NO_VALUE
from sparkleform.engine.model import Change, ResourceRow, Run
from sparkleform.engine.store import dumps
from sparkleform.errors import SparkleformError

Failures = list[tuple[str, str]]  # (logical id, reason) of the resources of a wave that failed
WaveStep = Callable[[OpContext, Run, list[str], int], Failures]


@dataclass(slots=True)
class Work:
    """What a wave does to one resource: `act` (raises ResourceFailure to fail it), then the
    row moves to `done`, or to `failed` with the failure's reason (or, with `on_failure`,
    the change it gives for the reason)."""

    res: ResourceRow
    act: Callable[[], None]
    done: str
    failed: str
    reason: str | None = None  # the reason recorded with `done`
    remove: bool = False  # success removes the row (a deletion)
    on_failure: Callable[[str], Change] | None = None


def run_waves(cx: OpContext, run: Run, step: WaveStep, seq: int) -> tuple[list[str], str]:
    """Run `step(cx, run, wave, seq)` on the run's waves in order (`seq`: the last resource
    sequence number so far), stopping after the first wave with failures.
    -> (the failed logical ids, the first failure's reason), or ([], "")."""
    for wave in waves(run.deps, run.active):
        failures = step(cx, run, wave, seq)
        seq += len(wave)
        if failures:
            return [lid for lid, _ in failures], failures[0][1]
    return [], ""


def run_wave(
    cx: OpContext, run_stack: tuple[str, str], started: list[Change], work: list[Work], on_event: EventCallback | None
) -> Failures:
    """One wave: record `started` (see Journal.start_wave), do each resource's work, and
    commit every result with the wave's transaction. -> the failures, in order."""
    journal = cx.journal
    staged = journal.start_wave(run_stack, started, on_event)
    finished: list[Change] = []
    failures: Failures = []
    for item in work:
        try:
            item.act()
        except ResourceFailure as exc:
            failures.append((item.res.logical_id, exc.reason))
            if item.on_failure is None:
                finished.append((item.res, item.failed, exc.reason, False))
            else:
                finished.append(item.on_failure(exc.reason))
            continue
        finished.append((item.res, item.done, item.reason, item.remove))
    journal.commit(journal.stage(run_stack, finished, staged), on_event)
    return failures


def eval_properties(run: Run, logical: str) -> dict:
    """A resource's properties, evaluated; a problem fails the resource."""
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


def check_injected(run: Run, logical: str, action: str) -> None:
    """Fail the resource when its Metadata asks for a failure on `action` (see faults)."""
    injected = fail_on(run.template["Resources"][logical].get("Metadata"), action)
    if injected:
        raise ResourceFailure(injected)


def provision(cx: OpContext, run: Run, res: ResourceRow, action: str) -> None:
    """Evaluate a new resource's properties and create it (sets physical id and attributes)."""
    decl = run.template["Resources"][res.logical_id]
    res.properties = eval_properties(run, res.logical_id)
    res.props_json = dumps(res.properties)
    check_injected(run, res.logical_id, action)
    if "{{resolve:" in res.props_json:
        check_dynamic_references(cx.store, res.properties)
    res.physical_id, res.attributes = cx.handlers.create(run, res, decl)
    res.attrs_json = None
