"""The provisioning loop: a run's resources wave by wave (a wave: the resources whose
dependencies are all done), each wave's resources started, acted on and finished together
in one transaction (`run_wave`, each resource worked on by the `Step` of its kind); and
provisioning one resource (evaluate its properties, create it through the handlers).
Create, update, delete and the rollbacks all run their waves here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sparkleform import secrets
from sparkleform.contract import EventCallback
from sparkleform.engine.context import OpContext
from sparkleform.engine.dynamic import check_dynamic_references
from sparkleform.engine.errors import ResourceFailure
from sparkleform.engine.faults import inject_failure
from sparkleform.engine.graph import waves
from sparkleform.engine.intrinsics import NO_VALUE
from sparkleform.engine.model import Change, ResourceRow, Run
from sparkleform.engine.service_rules import check as check_service_rules
from sparkleform.engine.service_rules import check_unique
from sparkleform.engine.store import dumps
from sparkleform.engine.validation import validator_for
from sparkleform.errors import SparkleformError

INITIATED = "Resource creation Initiated"
Failures = list[tuple[str, str]]  # (logical id, reason) of the resources of a wave that failed
WaveStep = Callable[[OpContext, Run, list[str], int], Failures]


@dataclass(frozen=True, slots=True)
class Step:
    """What a wave does to each of its resources of one kind: `act(row)` (raises
    ResourceFailure to fail it), then the row moves to `done` (with `reason(row)`, and
    removed with `remove`), or to `failed` with the failure's reason (or to the change
    `on_failure(row, reason)` gives)."""

    act: Callable[[ResourceRow], None]
    done: str
    failed: str
    remove: bool = False
    reason: Callable[[ResourceRow], str | None] | None = None
    on_failure: Callable[[ResourceRow, str], Change] | None = None


Work = list[tuple[ResourceRow, Step]]  # a wave's resources, each with its step


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
    cx: OpContext, run_stack: tuple[str, str], started: list[Change], work: Work, on_event: EventCallback | None
) -> Failures:
    """One wave: record `started` (see Journal.start_wave), run each resource's step, and
    commit every result with the wave's transaction. -> the failures, in order."""
    journal = cx.journal
    staged = journal.start_wave(run_stack, started, on_event)
    finished: list[Change] = []
    failures: Failures = []
    for res, step in work:
        try:
            step.act(res)
            check_storable(res)
        except Exception as exc:  # any failure of a resource's simulation fails that resource
            reason = failure_reason(res.logical_id, exc)
            failures.append((res.logical_id, reason))
            if step.on_failure is None:
                finished.append((res, step.failed, reason, False))
            else:
                finished.append(step.on_failure(res, reason))
            continue
        if step.done == "CREATE_COMPLETE":
            # CloudFormation's second CREATE_IN_PROGRESS: the handler has accepted the request
            finished.append((res, "CREATE_IN_PROGRESS", INITIATED, False))
        finished.append((res, step.done, None if step.reason is None else step.reason(res), step.remove))
    journal.commit(journal.stage(run_stack, finished, staged), on_event)
    return failures


def failure_reason(logical: str, exc: Exception) -> str:
    """The reason a resource failed with `exc`: a ResourceFailure's own reason, a
    sparkleform error's message, or (an engine fault no check caught) what went wrong,
    written so that it can be stored and printed."""
    if isinstance(exc, ResourceFailure):
        reason = exc.reason
    elif isinstance(exc, SparkleformError):
        reason = exc.message
    else:
        reason = f"Internal failure while simulating {logical}: {type(exc).__name__}: {exc}"
    return printable(secrets.mask(reason))


def printable(text: str) -> str:
    """`text` with anything UTF-8 cannot hold (lone surrogates) written as escapes."""
    if text.isascii():
        return text
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def check_storable(res: ResourceRow) -> None:
    """A resource whose physical id the state cannot hold (a lone surrogate from the
    template) fails, rather than failing the wave's transaction."""
    physical = res.physical_id
    if physical is not None and not physical.isascii():
        try:
            physical.encode("utf-8")
        except UnicodeEncodeError:
            res.physical_id = None
            raise ResourceFailure(f"Invalid physical id {printable(physical)!r}: not valid Unicode") from None


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


def check_resource(run: Run, res: ResourceRow) -> None:
    """What AWS checks before a resource's handler acts: CloudFormation's properties
    validation against the type's schema, then the service's own rules (ResourceFailure)."""
    validate = validator_for(res.type)
    if validate is not None:
        validate(res.logical_id, res.properties)
    check_service_rules(run, res)


def provision(cx: OpContext, run: Run, action: str, res: ResourceRow) -> None:
    """Evaluate a new resource's properties and create it (sets physical id and attributes);
    `action` names the operation for injected failures (a Step binds the first three)."""
    decl = run.template["Resources"][res.logical_id]
    res.properties = eval_properties(run, res.logical_id)
    res.props_json = dumps(res.properties)
    check_resource(run, res)
    inject_failure(decl.get("Metadata"), action)
    if "{{resolve:" in res.props_json:
        check_dynamic_references(cx.store, res.properties)
    res.physical_id, res.attributes = cx.handlers.create(run, res, decl)
    res.attrs_json = None
    check_unique(cx, run, res)
