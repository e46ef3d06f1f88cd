"""The AWS provider: stacks on AWS CloudFormation (or any compatible endpoint) through boto3.

Credentials, region and profile come from boto3's standard chain; creates and updates go
through change sets (create -> wait -> Plan -> execute) unless `change_sets=False`;
templates too large to send inline and nested templates go through S3. boto3 is imported
only when the first AWS call is made.
"""

from __future__ import annotations

import contextlib
import json
import time
from datetime import UTC, datetime
from typing import Any, NoReturn
from urllib.parse import urlparse

from sparkleform.cfn import FAILED_STATES, NESTED_STACK_TYPE, ON_FAILURE_ACTIONS
from sparkleform.contract import (
    NO_CHANGES,
    NO_ECHO_MASK,
    Capability,
    DriftReport,
    EventCallback,
    Plan,
    ResourceDrift,
    Stack,
    StackEvent,
    StackOperationFailed,
    StackOptions,
    StackOutput,
    StackParameter,
    StackResource,
)
from sparkleform.errors import OperationFailed, SparkleformError
from sparkleform.providers.aws_errors import (
    NO_UPDATES,
    AwsError,
    NoUpdates,
    StackAlreadyExists,
    StackBusy,
    StackNotFound,
    StackStateRefused,
    TemplateRejected,
    WaitInterrupted,
    guard,
    is_no_changes,
    locate,
)
from sparkleform.providers.aws_plan import plan_from_change_set
from sparkleform.providers.aws_templates import (
    TemplateShipper,
    detect_capabilities,
    parse_template_body,
    s3_object_url,
)
from sparkleform.providers.aws_wait import Intervals, StackWatcher, failure_reason, to_event

CF = "cloudformation"
_CHANGE_SET_PREFIX = "sparkleform"


def _is_local(endpoint_url: str | None) -> bool:
    host = urlparse(endpoint_url).hostname if endpoint_url else None
    return host in ("localhost", "127.0.0.1", "::1") or bool(host and host.endswith(".localhost"))


class AwsProvider:
    """Stacks on AWS CloudFormation.

    Options: region, profile, endpoint_url (LocalStack, moto_server), bucket / prefix (S3
    location for large and nested templates), retry_mode ("standard" | "adaptive"),
    max_attempts, change_sets (False: CreateStack/UpdateStack directly; plans still use
    change sets), poll_interval / max_poll_interval (seconds). Unknown options are ignored.
    """

    name = "aws"
    capabilities = frozenset({Capability.CHANGE_SETS, Capability.DRIFT, Capability.ATTRIBUTES, Capability.STACK_POLICIES})

    def __init__(
        self,
        region: str | None = None,
        profile: str | None = None,
        endpoint_url: str | None = None,
        bucket: str | None = None,
        prefix: str | None = None,
        *,
        retry_mode: str = "standard",
        max_attempts: int | None = None,
        change_sets: bool = True,
        poll_interval: float | None = None,
        max_poll_interval: float | None = None,
        **_ignored: Any,
    ) -> None:
        if retry_mode not in ("standard", "adaptive", "legacy"):
            raise SparkleformError(f"retry_mode must be 'standard' or 'adaptive', not {retry_mode!r}")
        self.region = region
        self.profile = profile
        self.endpoint_url = endpoint_url
        self.bucket = bucket
        self.prefix = prefix
        self.retry_mode = retry_mode
        self.max_attempts = max_attempts
        self.change_sets = change_sets
        local = _is_local(endpoint_url)
        self.intervals = Intervals(
            first=poll_interval if poll_interval is not None else (0.05 if local else 2.0),
            longest=max_poll_interval if max_poll_interval is not None else (0.5 if local else 15.0),
        )
        self._session: Any = None
        self._clients: dict[str, Any] = {}
        self.last_uploads: list[str] = []  # S3 URLs of the templates uploaded by the last operation

    # ------------------------------------------------------------------ boto3 plumbing
    @property
    def session(self) -> Any:
        if self._session is None:
            with guard("sts", "Session"):
                import boto3

                self._session = boto3.Session(profile_name=self.profile, region_name=self.region)
        return self._session

    def client(self, service: str) -> Any:
        if service not in self._clients:
            from botocore.config import Config

            retries: Any = {"mode": self.retry_mode}  # botocore's _RetryDict
            if self.max_attempts is not None:
                retries["total_max_attempts"] = self.max_attempts
            config = Config(retries=retries, user_agent_extra="sparkleform")
            with guard(service, "client"):
                self._clients[service] = self.session.client(
                    service, endpoint_url=self.endpoint_url, config=config
                )
        return self._clients[service]

    @property
    def cf(self) -> Any:
        return self.client(CF)

    def close(self) -> None:
        """Close the boto3 clients' HTTP connection pools; a later call opens new clients."""
        clients, self._clients = self._clients, {}
        for client in clients.values():
            client.close()

    def _call(self, operation: str, stack: str | None = None, *, template: dict | None = None, **kwargs: Any) -> Any:
        """One CloudFormation call; a template error is located in `template` when given."""
        method = "".join("_" + c.lower() if c.isupper() else c for c in operation).lstrip("_")
        try:
            with guard(CF, operation, stack=stack, region=self.region_name):
                return getattr(self.cf, method)(**kwargs)
        except TemplateRejected as exc:
            if template is None:
                raise
            raise TemplateRejected(exc.aws_message, locate(exc.aws_message, template) or exc.path) from exc

    @property
    def region_name(self) -> str | None:
        if self._session is None:
            return self.region
        return self.region or self._session.region_name

    def _shipper(self) -> TemplateShipper:
        return TemplateShipper(
            lambda: self.client("s3"),
            lambda b, k: s3_object_url(b, k, region=self.region_name, endpoint_url=self.endpoint_url),
            self.bucket,
            self.prefix,
        )

    def _watcher(
        self, stack_id: str, name: str, on_event: EventCallback | None, template: dict | None = None
    ) -> StackWatcher:
        # With the template at hand, nested stacks are looked for only when it can have some.
        nested = (
            template is None
            or "Transform" in template
            or any(
                isinstance(r, dict) and r.get("Type") == NESTED_STACK_TYPE
                for r in (template.get("Resources") or {}).values()
            )
        )
        return StackWatcher(self.cf, stack_id, name, on_event, self.intervals, nested_possible=nested)

    # ------------------------------------------------------------------ reading
    def _describe_raw(self, name: str) -> dict | None:
        try:
            stacks = self._call("DescribeStacks", stack=name, StackName=name)["Stacks"]
        except StackNotFound:
            return None
        return stacks[0] if stacks else None

    def _require(self, name: str) -> dict:
        raw = self._describe_raw(name)
        if raw is None or raw.get("StackStatus") == "DELETE_COMPLETE":
            raise StackNotFound(f"stack {name} does not exist in {self.region_name or 'the default region'}")
        return raw

    def stack_exists(self, name: str) -> bool:
        """True for a stack that has (or had) resources; a stack holding only an unexecuted
        create change set (REVIEW_IN_PROGRESS) does not count."""
        raw = self._describe_raw(name)
        return raw is not None and raw.get("StackStatus") not in ("DELETE_COMPLETE", "REVIEW_IN_PROGRESS")

    def _no_echo_keys(self, name: str, template: dict | None = None) -> set[str]:
        tpl = template
        if tpl is None:
            try:
                tpl = self.template_of(name)
            except SparkleformError:
                return set()
        params = tpl.get("Parameters") or {}
        return {k for k, v in params.items() if isinstance(v, dict) and str(v.get("NoEcho", "")).lower() == "true"}

    def _to_stack(self, raw: dict, *, with_details: bool, template: dict | None = None) -> Stack:
        """`template` (when the caller has it) saves a GetTemplate for the NoEcho keys."""
        name = raw.get("StackName", "")
        no_echo = self._no_echo_keys(raw.get("StackId") or name, template) if with_details else set()
        params = []
        for p in raw.get("Parameters") or []:
            key = p.get("ParameterKey", "")
            hidden = key in no_echo or p.get("ParameterValue") == NO_ECHO_MASK
            value = NO_ECHO_MASK if hidden else str(p.get("ParameterValue", ""))
            resolved = p.get("ResolvedValue")
            if resolved is not None:
                resolved = NO_ECHO_MASK if hidden else str(resolved)
            params.append(StackParameter(key, value, hidden, resolved))
        outputs = [
            StackOutput(o.get("OutputKey", ""), str(o.get("OutputValue", "")), o.get("Description"), o.get("ExportName"))
            for o in raw.get("Outputs") or []
        ]
        resources: list[StackResource] = []
        if with_details and raw.get("StackStatus") not in ("DELETE_COMPLETE", "REVIEW_IN_PROGRESS"):
            with guard(CF, "ListStackResources", stack=name):
                for page in self.cf.get_paginator("list_stack_resources").paginate(StackName=raw["StackId"]):
                    for r in page.get("StackResourceSummaries") or []:
                        resources.append(
                            StackResource(
                                r.get("LogicalResourceId", ""),
                                r.get("PhysicalResourceId") or None,
                                r.get("ResourceType", ""),
                                r.get("ResourceStatus", ""),
                                r.get("ResourceStatusReason") or None,
                            )
                        )
        return Stack(
            name=name,
            stack_id=raw.get("StackId", ""),
            status=raw.get("StackStatus", ""),
            reason=raw.get("StackStatusReason") or None,
            parameters=params,
            outputs=outputs,
            resources=resources,
            tags={t["Key"]: t["Value"] for t in raw.get("Tags") or []},
            termination_protection=bool(raw.get("EnableTerminationProtection", False)),
            created=raw.get("CreationTime"),
            updated=raw.get("LastUpdatedTime"),
            description=raw.get("Description"),
        )

    def describe_stack(self, name: str) -> Stack:
        return self._to_stack(self._require(name), with_details=True)

    def describe_raw(self, name: str) -> dict:
        """DescribeStacks' own entry for a stack (RoleARN, NotificationARNs, TimeoutInMinutes,
        DisableRollback, Capabilities ... that the Stack dataclass does not carry)."""
        return self._require(name)

    def resource_attributes(self, name: str) -> dict[str, dict[str, Any]]:
        """Each resource's attribute values as far as one cheap call tells them (aws_inspect)."""
        from sparkleform.providers.aws_inspect import attributes_of

        stack = self.describe_stack(name)
        region = self.region_name or "us-east-1"
        return {r.logical_id: attributes_of(self.client, r.resource_type, r.physical_id, region)
                for r in stack.resources}

    def set_stack_policy(self, name: str, policy: dict) -> None:
        self._call("SetStackPolicy", stack=name, StackName=name, StackPolicyBody=json.dumps(policy))

    def stack_policy(self, name: str) -> dict | None:
        body = self._call("GetStackPolicy", stack=name, StackName=name).get("StackPolicyBody")
        return json.loads(body) if body else None

    def events(self, name: str, since: str | None = None) -> list[StackEvent]:
        """The stack's events and its nested stacks' events, oldest first; with `since` (an
        event id), only the ones after it."""
        raw = self._require(name)
        stack_id = raw["StackId"]
        collected: list[StackEvent] = []
        pending = [stack_id]
        visited: set[str] = set()
        while pending:
            sid = pending.pop()
            if sid in visited:
                continue
            visited.add(sid)
            with guard(CF, "DescribeStackEvents", stack=name):
                for page in self.cf.get_paginator("describe_stack_events").paginate(StackName=sid):
                    for r in page.get("StackEvents") or []:
                        ev = to_event(r)
                        collected.append(ev)
                        if (
                            ev.resource_type == NESTED_STACK_TYPE
                            and ev.physical_id
                            and ev.physical_id.startswith("arn:")
                            and ev.physical_id != sid
                        ):
                            pending.append(ev.physical_id)
            for nested in self._nested_stack_ids(sid):
                if nested not in visited:
                    pending.append(nested)
        collected.reverse()  # AWS lists newest first
        unique = {e.event_id: e for e in collected}  # a nested stack reached by name and by id
        collected = sorted(unique.values(), key=lambda e: e.timestamp)
        if since:
            ids = [e.event_id for e in collected]
            if since in ids:
                return collected[ids.index(since) + 1 :]
        return collected

    def _nested_stack_ids(self, stack_id: str) -> list[str]:
        """Physical ids of the stack's nested stacks, from its resources (moto shows them
        nowhere else)."""
        out: list[str] = []
        try:
            with guard(CF, "ListStackResources", stack=stack_id):
                for page in self.cf.get_paginator("list_stack_resources").paginate(StackName=stack_id):
                    for r in page.get("StackResourceSummaries") or []:
                        if r.get("ResourceType") == NESTED_STACK_TYPE and r.get("PhysicalResourceId"):
                            out.append(r["PhysicalResourceId"])
        except SparkleformError:
            return []  # a deleted stack has no resources to list
        return out

    def list_stacks(self) -> list[Stack]:
        out: list[Stack] = []
        with guard(CF, "ListStacks"):
            for page in self.cf.get_paginator("list_stacks").paginate():
                for s in page.get("StackSummaries") or []:
                    if s.get("StackStatus") == "DELETE_COMPLETE":
                        continue
                    out.append(
                        Stack(
                            name=s.get("StackName", ""),
                            stack_id=s.get("StackId", ""),
                            status=s.get("StackStatus", ""),
                            reason=s.get("StackStatusReason") or None,
                            created=s.get("CreationTime"),
                            updated=s.get("LastUpdatedTime"),
                            description=s.get("TemplateDescription"),
                        )
                    )
        out.sort(key=lambda s: s.name)
        return out

    def exports(self) -> dict[str, str]:
        out: dict[str, str] = {}
        with guard(CF, "ListExports"):
            for page in self.cf.get_paginator("list_exports").paginate():
                for e in page.get("Exports") or []:
                    out[e["Name"]] = str(e.get("Value", ""))
        return out

    def template_of(self, name: str) -> dict:
        resp = self._call("GetTemplate", stack=name, StackName=name, TemplateStage="Original")
        return parse_template_body(resp.get("TemplateBody"))

    def change_set_template(self, name: str, change_set_name: str) -> dict:
        resp = self._call(
            "GetTemplate", stack=name, StackName=name, ChangeSetName=change_set_name, TemplateStage="Original"
        )
        return parse_template_body(resp.get("TemplateBody"))

    # ------------------------------------------------------------------ request building
    def _parameters(self, template: dict | None, given: dict[str, str], current: dict | None) -> list[dict]:
        """Given values, plus UsePreviousValue for a declared parameter the stack already has
        and the caller left out, when it is NoEcho (only AWS knows the value) or has no
        Default (AWS would refuse the update otherwise). A left-out parameter with a Default
        follows the template's Default, as on a create."""
        out: list[dict[str, Any]] = [{"ParameterKey": k, "ParameterValue": str(v)} for k, v in given.items()]
        if current is None:
            return out
        values = {p["ParameterKey"]: p.get("ParameterValue") for p in current.get("Parameters") or []}
        declared = ((template or {}).get("Parameters") or {}) if template is not None else {}
        for key in sorted(set(declared) & set(values) - set(given)):
            decl: dict = declared[key] if isinstance(declared.get(key), dict) else {}
            no_echo = str(decl.get("NoEcho", "")).lower() == "true" or values.get(key) == NO_ECHO_MASK
            if no_echo or "Default" not in decl:
                out.append({"ParameterKey": key, "UsePreviousValue": True})
        return out

    def _template_args(self, name: str, template: dict | None, options: StackOptions) -> dict[str, Any]:
        if template is None:
            return {"UsePreviousTemplate": True}
        shipper = self._shipper()
        args = shipper.template_args(name, template, options.nested_templates, upload=options.upload_root_template)
        self.last_uploads = shipper.uploaded
        return args

    def _capabilities(self, name: str, template: dict | None, options: StackOptions) -> list[str]:
        if options.capabilities is not None:
            return list(options.capabilities)
        if template is None:
            template = self.template_of(name)
        return detect_capabilities(template, options.nested_templates)

    def _common_args(self, name: str, template: dict | None, options: StackOptions) -> dict[str, Any]:
        args: dict[str, Any] = {"StackName": name}
        caps = self._capabilities(name, template, options)
        if caps:
            args["Capabilities"] = caps
        args["Tags"] = [{"Key": k, "Value": str(v)} for k, v in options.tags.items()]
        if not args["Tags"]:
            del args["Tags"]
        if options.notification_arns:
            args["NotificationARNs"] = list(options.notification_arns)
        if options.role_arn:
            args["RoleARN"] = options.role_arn
        return args

    @staticmethod
    def _on_failure(options: StackOptions) -> str | None:
        if options.on_failure:
            value = options.on_failure.upper()
            if value not in ON_FAILURE_ACTIONS:
                raise SparkleformError(f"on_failure must be ROLLBACK, DELETE or DO_NOTHING, not {options.on_failure!r}")
            return value
        return "DO_NOTHING" if options.disable_rollback else None

    # ------------------------------------------------------------------ change sets
    def _new_change_set_name(self) -> str:
        return f"{_CHANGE_SET_PREFIX}-{datetime.now(UTC).strftime('%Y%m%d%H%M%S%f')}"

    def _wait_change_set(self, name: str, change_set: str) -> list[dict]:
        interval = self.intervals.first
        try:
            while True:
                pages = []
                with guard(CF, "DescribeChangeSet", stack=name):
                    for page in self.cf.get_paginator("describe_change_set").paginate(
                        StackName=name, ChangeSetName=change_set
                    ):
                        pages.append(page)
                status = pages[0].get("Status", "")
                if status not in ("CREATE_PENDING", "CREATE_IN_PROGRESS", "DELETE_PENDING", "DELETE_IN_PROGRESS"):
                    return pages
                time.sleep(interval)
                interval = min(interval * 1.5, self.intervals.longest)
        except KeyboardInterrupt:
            raise SparkleformError(
                f"stopped waiting for change set {change_set} of stack {name}; it is left for review "
                f"(`sparkleform execute {name} {change_set}` applies it)"
            ) from None

    def create_change_set(
        self,
        name: str,
        template: dict | None,
        parameters: dict[str, str],
        options: StackOptions | None = None,
        change_set_name: str | None = None,
    ) -> Plan:
        """Create a change set (CREATE for a new stack, UPDATE otherwise), wait for it, and
        leave it for review. The Plan names it; an empty plan (nothing to change) names none:
        its change set was deleted and `reason` is AWS's (contract.NO_CHANGES)."""
        return self._make_change_set(name, template, parameters, options, change_set_name, self._describe_raw(name))

    def _make_change_set(
        self,
        name: str,
        template: dict | None,
        parameters: dict[str, str],
        options: StackOptions | None,
        change_set_name: str | None,
        current: dict | None,
    ) -> Plan:
        options = options or StackOptions()
        status = (current or {}).get("StackStatus", "")
        exists = current is not None and status not in ("DELETE_COMPLETE", "REVIEW_IN_PROGRESS")
        if not exists and template is None:
            raise StackNotFound(f"stack {name} does not exist: give a template to create it")
        if exists and status.endswith("_IN_PROGRESS"):
            raise StackBusy(f"stack {name} is {status}: wait for it (`sparkleform events {name} --follow`)")
        if exists and status == "ROLLBACK_COMPLETE":
            raise StackStateRefused(
                f"stack {name} is ROLLBACK_COMPLETE (its create failed) and cannot be updated: "
                f"delete it with `sparkleform destroy {name}` and create it again"
            )
        change_set = change_set_name or self._new_change_set_name()
        old_template = self.template_of(name) if exists else None
        args = self._common_args(name, template if template is not None else old_template, options)
        args.update(self._template_args(name, template, options))
        args["ChangeSetName"] = change_set
        args["ChangeSetType"] = "UPDATE" if exists else "CREATE"
        args["Parameters"] = self._parameters(
            template if template is not None else old_template, parameters, current if exists else None
        )
        args["Description"] = "created by sparkleform"
        if self._has_nested(template if template is not None else old_template):
            args["IncludeNestedStacks"] = True  # the plan then shows the nested stacks' changes too
        if not exists:
            on_failure = self._on_failure(options)
            if on_failure:
                args["OnStackFailure"] = on_failure
        try:
            self._call("CreateChangeSet", stack=name, template=template or old_template, **args)
        except NoUpdates:
            return Plan(stack_name=name, changes=[], status="FAILED", reason=NO_CHANGES, no_updates=True)
        pages = self._wait_change_set(name, change_set)
        new_template = template if template is not None else old_template
        plan = plan_from_change_set(name, pages, old_template, new_template, keep_name=True)
        if plan.status != "FAILED":
            plan.changes.extend(self._nested_changes(name, pages))
        if plan.status == "FAILED":
            self._discard_change_set(name, change_set, created_stack=not exists)
            if is_no_changes(plan.reason):
                return Plan(stack_name=name, changes=[], status="FAILED", reason=NO_CHANGES, no_updates=True)
            raise StackOperationFailed(f"change set for stack {name} failed: {plan.reason}")
        return plan

    @staticmethod
    def _has_nested(template: dict | None) -> bool:
        res = (template or {}).get("Resources") or {}
        return any(isinstance(r, dict) and r.get("Type") == NESTED_STACK_TYPE for r in res.values())

    def _nested_changes(self, name: str, pages: list[dict], prefix: str = "", depth: int = 0) -> list:
        """Rows of the nested change sets AWS made (IncludeNestedStacks), their logical ids
        prefixed with the nested stack's (`Child/Queue`)."""
        rows = []
        for page in pages:
            for c in page.get("Changes") or []:
                rc = c.get("ResourceChange") or {}
                nested_id = rc.get("ChangeSetId")
                if not nested_id or depth > 8:
                    continue
                here = f"{prefix}{rc.get('LogicalResourceId', '')}/"
                nested_pages = []
                with guard(CF, "DescribeChangeSet", stack=name):
                    for p in self.cf.get_paginator("describe_change_set").paginate(ChangeSetName=nested_id):
                        nested_pages.append(p)
                sub = plan_from_change_set(name, nested_pages, None, None, keep_name=False)
                for row in sub.changes:
                    row.logical_id = here + row.logical_id
                rows.extend(sub.changes)
                rows.extend(self._nested_changes(name, nested_pages, here, depth + 1))
        return rows

    def delete_change_set(self, name: str, change_set_name: str) -> None:
        """Drop a change set left for review; a stack that existed only for it (a create's
        REVIEW_IN_PROGRESS stack) goes with it."""
        raw = self._describe_raw(name)
        self._call("DeleteChangeSet", stack=name, StackName=name, ChangeSetName=change_set_name)
        if raw is not None and raw.get("StackStatus") == "REVIEW_IN_PROGRESS":
            self._call("DeleteStack", stack=name, StackName=raw["StackId"])

    def _discard_change_set(self, name: str, change_set: str, *, created_stack: bool) -> None:
        with contextlib.suppress(SparkleformError):
            self._call("DeleteChangeSet", stack=name, StackName=name, ChangeSetName=change_set)
        if created_stack:
            raw = self._describe_raw(name)
            if raw is not None and raw.get("StackStatus") == "REVIEW_IN_PROGRESS":
                self._call("DeleteStack", stack=name, StackName=raw["StackId"])

    def plan(
        self, name: str, template: dict | None, parameters: dict[str, str], options: StackOptions | None = None
    ) -> Plan:
        """AWS's change set for this template and parameters (merged with the local property
        diff); the change set is deleted afterwards, so nothing is left behind."""
        current = self._describe_raw(name)
        exists = current is not None and current.get("StackStatus") not in ("DELETE_COMPLETE", "REVIEW_IN_PROGRESS")
        plan = self._make_change_set(name, template, parameters, options, None, current)
        if plan.change_set_name:
            self._discard_change_set(name, plan.change_set_name, created_stack=not exists)
            plan.change_set_name = None
        return plan

    def execute_change_set(
        self,
        name: str,
        change_set_name: str,
        on_event: EventCallback | None = None,
        wait: bool = True,
        options: StackOptions | None = None,
        template: dict | None = None,
    ) -> Stack:
        """Execute a change set left by `create_change_set` (or `--plan-only`), follow its
        events, and apply what change sets cannot carry (termination protection, stack
        policy) from `options`."""
        return self._execute(name, change_set_name, on_event, wait, options, template, self._require_or_review(name))

    def _execute(
        self,
        name: str,
        change_set_name: str,
        on_event: EventCallback | None,
        wait: bool,
        options: StackOptions | None,
        template: dict | None,
        raw: dict,
    ) -> Stack:
        options = options or StackOptions()
        watcher = self._watcher(raw["StackId"], name, on_event, template)
        watcher.mark()
        args: dict[str, Any] = {"StackName": name, "ChangeSetName": change_set_name}
        operation = "create" if raw.get("StackStatus") == "REVIEW_IN_PROGRESS" else "update"
        if options.disable_rollback and operation == "update":
            # A create carries it as the change set's OnStackFailure (AWS refuses both).
            args["DisableRollback"] = True
        try:
            self._call("ExecuteChangeSet", stack=name, **args)
        except TemplateRejected as exc:
            if template is None:
                with contextlib.suppress(SparkleformError):
                    body = self._call("GetTemplate", stack=name, StackName=name, ChangeSetName=change_set_name)
                    template = parse_template_body(body.get("TemplateBody"))
            path = locate(exc.aws_message, template) if template else None
            raise TemplateRejected(exc.aws_message, path or exc.path) from exc
        return self._finish(
            name, raw["StackId"], watcher, operation, options, wait, post_settings=True, template=template
        )

    def _require_or_review(self, name: str) -> dict:
        raw = self._describe_raw(name)
        if raw is None or raw.get("StackStatus") == "DELETE_COMPLETE":
            raise StackNotFound(f"stack {name} does not exist in {self.region_name or 'the default region'}")
        return raw

    def _finish(
        self,
        name: str,
        stack_id: str,
        watcher: StackWatcher,
        operation: str,
        options: StackOptions,
        wait: bool,
        *,
        post_settings: bool,
        template: dict | None = None,
    ) -> Stack:
        if not wait:
            raw = self._describe_raw(stack_id) or {"StackName": name}
            if post_settings:
                # Nobody will be there when it finishes: protect the stack now.
                self._apply_settings(name, raw, options)
            return self._to_stack(raw, with_details=False)
        final = watcher.wait(operation)
        status = final.get("StackStatus", "")
        if status in FAILED_STATES:
            reason = failure_reason(watcher.events, name) or final.get("StackStatusReason") or status
            raise StackOperationFailed(f"{operation} of stack {name} failed ({status}): {reason}", stack_status=status)
        if post_settings and self._apply_settings(name, final, options):
            final = self._require(stack_id)
        return self._to_stack(final, with_details=True, template=template)

    def _apply_settings(self, name: str, raw: dict, options: StackOptions) -> bool:
        """Termination protection and stack policy: separate APIs after a change set.
        True when something was changed."""
        changed = False
        if options.stack_policy is not None:
            changed = True
            self._call("SetStackPolicy", stack=name, StackName=name, StackPolicyBody=json.dumps(options.stack_policy))
        if options.termination_protection is not None and bool(raw.get("EnableTerminationProtection")) != bool(
            options.termination_protection
        ):
            self._call(
                "UpdateTerminationProtection",
                stack=name,
                StackName=name,
                EnableTerminationProtection=bool(options.termination_protection),
            )
            changed = True
        return changed

    # ------------------------------------------------------------------ operations
    def create_stack(
        self,
        name: str,
        template: dict,
        parameters: dict[str, str],
        options: StackOptions | None = None,
        *,
        on_event: EventCallback | None = None,
        wait: bool = True,
    ) -> Stack:
        """Create through a CREATE change set (or CreateStack when change_sets=False, or when
        a timeout is asked for: only CreateStack carries TimeoutInMinutes)."""
        options = options or StackOptions()
        current = self._describe_raw(name)
        if current is not None and current.get("StackStatus") not in ("DELETE_COMPLETE", "REVIEW_IN_PROGRESS"):
            raise StackAlreadyExists(f"stack {name} already exists: use `sparkleform update {name}`")
        if self.change_sets and options.timeout_minutes is None:
            plan = self._make_change_set(name, template, parameters, options, None, current)
            return self._execute_new(name, plan, options, on_event, wait, template)
        args = self._common_args(name, template, options)
        args.update(self._template_args(name, template, options))
        args["Parameters"] = self._parameters(template, parameters, None)
        if options.timeout_minutes is not None:
            args["TimeoutInMinutes"] = int(options.timeout_minutes)
        on_failure = self._on_failure(options)
        if options.on_failure:
            args["OnFailure"] = on_failure
        elif options.disable_rollback:
            args["DisableRollback"] = True
        if options.termination_protection:
            args["EnableTerminationProtection"] = True
        if options.stack_policy is not None:
            args["StackPolicyBody"] = json.dumps(options.stack_policy)
        stack_id = self._call("CreateStack", stack=name, template=template, **args)["StackId"]
        watcher = self._watcher(stack_id, name, on_event, template)
        return self._finish(name, stack_id, watcher, "create", options, wait, post_settings=False, template=template)

    def _execute_new(
        self,
        name: str,
        plan: Plan,
        options: StackOptions,
        on_event: EventCallback | None,
        wait: bool,
        template: dict | None = None,
    ) -> Stack:
        assert plan.change_set_name
        try:
            return self.execute_change_set(
                name, plan.change_set_name, on_event=on_event, wait=wait, options=options, template=template
            )
        except (OperationFailed, WaitInterrupted):
            raise
        except SparkleformError as original:
            # Refused before anything ran: the empty review stack would only block a retry.
            # The refusal is what the user needs; a failed cleanup (DeleteStack refused with a
            # DependencyViolation ...) is reported after it, never instead of it.
            try:
                raw = self._describe_raw(name)
                if raw is not None and raw.get("StackStatus") == "REVIEW_IN_PROGRESS":
                    self._discard_change_set(name, plan.change_set_name, created_stack=True)
            except SparkleformError as cleanup:
                original.hint = "; ".join(filter(None, (
                    original.hint,
                    f"cleaning up the empty stack {name} failed too: {cleanup.message} "
                    f"(delete it with `sparkleform destroy {name}`)",
                )))
            raise

    def update_stack(
        self,
        name: str,
        template: dict | None,
        parameters: dict[str, str],
        options: StackOptions | None = None,
        *,
        on_event: EventCallback | None = None,
        wait: bool = True,
    ) -> Stack:
        """Update through an UPDATE change set (or UpdateStack with change_sets=False).
        Nothing to change raises NoUpdates ("No updates are to be performed.") after the
        settings a change set cannot carry (termination protection, stack policy) were applied."""
        options = options or StackOptions()
        current = self._require(name)
        if self.change_sets:
            plan = self._make_change_set(name, template, parameters, options, None, current)
            if plan.change_set_name is None:
                if not self._stack_level_differs(current, options):
                    self._unchanged(name, current, options)
                # a change set carries no stack-level change (tags, notification ARNs,
                # role) with no resource change: UpdateStack does
            else:
                return self._execute(name, plan.change_set_name, on_event, wait, options, template, current)
        old_template = self.template_of(name) if template is None else None
        args = self._common_args(name, template if template is not None else old_template, options)
        args.update(self._template_args(name, template, options))
        args["Parameters"] = self._parameters(template if template is not None else old_template, parameters, current)
        if options.disable_rollback:
            args["DisableRollback"] = True
        if options.stack_policy is not None:
            args["StackPolicyBody"] = json.dumps(options.stack_policy)
        new_template = template if template is not None else old_template
        watcher = self._watcher(current["StackId"], name, on_event, new_template)
        watcher.mark()
        try:
            self._call("UpdateStack", stack=name, template=new_template, **args)
        except NoUpdates:
            self._unchanged(name, current, options)
        result = self._finish(
            name, current["StackId"], watcher, "update", options, wait, post_settings=False, template=new_template
        )
        if options.termination_protection is not None:
            self._apply_settings(name, self._require(name), StackOptions(termination_protection=options.termination_protection))
        return result

    @staticmethod
    def _stack_level_differs(current: dict, options: StackOptions) -> bool:
        """Tags, notification ARNs or role asked for that the stack does not have."""
        tags = {t["Key"]: t["Value"] for t in current.get("Tags") or []}
        if options.tags and {k: str(v) for k, v in options.tags.items()} != tags:
            return True
        if options.notification_arns and sorted(options.notification_arns) != sorted(current.get("NotificationARNs") or []):
            return True
        return bool(options.role_arn and options.role_arn != current.get("RoleARN"))

    def _unchanged(self, name: str, current: dict, options: StackOptions) -> NoReturn:
        self._apply_settings(name, current, options)
        raise NoUpdates(NO_UPDATES)

    def delete_stack(self, name: str, *, on_event: EventCallback | None = None, wait: bool = True) -> None:
        raw = self._require(name)
        if raw.get("EnableTerminationProtection"):
            raise StackStateRefused(
                f"stack {name} has termination protection: turn it off first "
                f"(`aws cloudformation update-termination-protection --no-enable-termination-protection "
                f"--stack-name {name}`)"
            )
        watcher = self._watcher(raw["StackId"], name, on_event)
        watcher.mark()
        self._call("DeleteStack", stack=name, StackName=raw["StackId"])
        if not wait:
            return
        final = watcher.wait("delete")
        if final.get("StackStatus") != "DELETE_COMPLETE":
            reason = failure_reason(watcher.events, name) or final.get("StackStatusReason") or ""
            raise StackOperationFailed(
                f"delete of stack {name} failed ({final.get('StackStatus')}): {reason}",
                stack_status=final.get("StackStatus"),
            )

    def detect_drift(self, name: str, *, timeout: float = 900.0) -> DriftReport:
        """DetectStackDrift, waited for, and each resource's drift (DescribeStackResourceDrifts)."""
        raw = self._require(name)
        detection = self._call("DetectStackDrift", stack=name, StackName=raw["StackId"])["StackDriftDetectionId"]
        delay, deadline = self.intervals.first, time.monotonic() + timeout
        while True:
            status = self._call("DescribeStackDriftDetectionStatus", stack=name, StackDriftDetectionId=detection)
            if status.get("DetectionStatus") != "DETECTION_IN_PROGRESS":
                break
            if time.monotonic() > deadline:
                raise AwsError(f"drift detection of stack {name} did not finish in {timeout:.0f} s (id {detection})")
            time.sleep(delay)
            delay = min(delay * self.intervals.factor, self.intervals.longest)
        if status.get("DetectionStatus") == "DETECTION_FAILED" and not status.get("StackDriftStatus"):
            raise AwsError(f"drift detection of stack {name} failed: {status.get('DetectionStatusReason', '')}")
        resources: list[ResourceDrift] = []
        token: str | None = None
        while True:
            more: dict[str, Any] = {"NextToken": token} if token else {}
            page = self._call("DescribeStackResourceDrifts", stack=name, StackName=raw["StackId"], **more)
            for d in page.get("StackResourceDrifts") or []:
                resources.append(ResourceDrift(
                    logical_id=d.get("LogicalResourceId", ""),
                    resource_type=d.get("ResourceType", ""),
                    physical_id=d.get("PhysicalResourceId"),
                    status=d.get("StackResourceDriftStatus", "NOT_CHECKED"),
                    differences=list(d.get("PropertyDifferences") or []),
                ))
            token = page.get("NextToken")
            if not token:
                break
        return DriftReport(name, status.get("StackDriftStatus", "UNKNOWN"),
                           int(status.get("DriftedStackResourceCount") or 0), resources)

    def recover(self, name: str, *, on_event: EventCallback | None = None) -> Stack:
        """Bring a stack that an operation left stuck back to a stable state:
        UPDATE_ROLLBACK_FAILED -> ContinueUpdateRollback; CREATE_FAILED / UPDATE_FAILED (rollback
        was disabled) -> RollbackStack; UPDATE_IN_PROGRESS -> CancelUpdateStack. Stable stacks
        are returned as they are; states AWS offers no way out of get a message saying what to do."""
        raw = self._require(name)
        status = raw.get("StackStatus", "")
        stack_id = raw["StackId"]
        if status == "UPDATE_ROLLBACK_FAILED":
            operation, call = "rollback", ("ContinueUpdateRollback", {"StackName": stack_id})
        elif status in ("CREATE_FAILED", "UPDATE_FAILED", "IMPORT_FAILED"):
            operation, call = "rollback", ("RollbackStack", {"StackName": stack_id})
        elif status == "UPDATE_IN_PROGRESS":
            operation, call = "cancel", ("CancelUpdateStack", {"StackName": stack_id})
        elif status == "REVIEW_IN_PROGRESS":
            raise StackStateRefused(
                f"stack {name} holds only a change set that was never executed: run `sparkleform execute "
                f"{name} CHANGESET`, or delete the change set"
            )
        elif status == "ROLLBACK_COMPLETE":
            raise StackStateRefused(
                f"stack {name} is ROLLBACK_COMPLETE: its create failed and AWS cannot roll it further; "
                f"delete it (`sparkleform destroy {name}`) and create it again"
            )
        elif status in ("ROLLBACK_FAILED", "DELETE_FAILED"):
            raise StackStateRefused(
                f"stack {name} is {status}: AWS can only delete it now; fix or retain the resources named "
                f"in `sparkleform events {name}` and run `sparkleform destroy {name}` again"
            )
        elif status.endswith("_IN_PROGRESS"):
            raise StackBusy(
                f"stack {name} is {status}: AWS is still working on it and will finish on its own; "
                f"watch it with `sparkleform events {name} --follow`"
            )
        else:
            return self.describe_stack(name)
        watcher = self._watcher(stack_id, name, on_event)
        watcher.mark()
        self._call(call[0], stack=name, **call[1])
        final = watcher.wait(operation)
        if final.get("StackStatus") in ("UPDATE_ROLLBACK_FAILED", "ROLLBACK_FAILED"):
            reason = failure_reason(watcher.events, name) or final.get("StackStatusReason") or ""
            raise StackOperationFailed(
                f"recovery of stack {name} failed ({final['StackStatus']}): {reason}", stack_status=final["StackStatus"]
            )
        return self.describe_stack(stack_id)


__all__ = ["NO_UPDATES", "AwsProvider"]
