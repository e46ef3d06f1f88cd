"""Resource handlers: what creating, updating and deleting a resource does locally.

Most types are simulated (`attributes.simulate`). A few have behaviour: nested stacks run
their template as a child stack (through the engine's public operations, `StackOperations`),
custom resources call a registered Python handler (or reply from Metadata), SSM parameters
and Secrets Manager secrets write the local parameter store that dynamic references and SSM
parameter types read (deferred to the transaction that records the resource).
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any, Protocol

from sparkleform.contract import NO_ECHO_MASK, EventCallback, StackOptions
from sparkleform.engine.attributes import simulate, token
from sparkleform.engine.changes import content_hash
from sparkleform.engine.custom import Handler, find_handler, is_custom
from sparkleform.engine.errors import NoUpdates, ResourceFailure, StackOperationFailed
from sparkleform.engine.model import ResourceRow, Run
from sparkleform.engine.store import StackStore, loads
from sparkleform.errors import SparkleformError

STACK_TYPE = "AWS::CloudFormation::Stack"
DATA_KEY = "sparkleform:data"
PHYSICAL_KEY = "sparkleform:physical-id"


def acts_outside(rtype: str) -> bool:
    """Whether handling a resource of this type does more than compute values and queue
    parameter-store writes: a nested stack commits its own state, a custom resource runs the
    user's handler."""
    return rtype == STACK_TYPE or is_custom(rtype)


def param_text(value: Any) -> str:
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class StackOperations(Protocol):
    """How a nested stack is run: the engine's public stack operations."""

    def create_stack(
        self,
        name: str,
        template: dict,
        parameters: dict[str, Any],
        options: StackOptions | None = None,
        *,
        on_event: EventCallback | None = None,
        parent_id: str | None = None,
    ) -> str: ...

    def update_stack(
        self,
        name: str,
        template: dict | None,
        parameters: dict[str, Any],
        options: StackOptions | None = None,
        *,
        on_event: EventCallback | None = None,
    ) -> str: ...

    def delete_stack(self, name: str, *, on_event: EventCallback | None = None, force_owner: bool = False) -> None: ...

    def recover(self, name: str, *, on_event: EventCallback | None = None) -> str: ...


class Handlers:
    """Creates, updates and deletes resources; parameter-store writes go to the store,
    deferred; child stacks are run through `stacks`."""

    def __init__(self, store: StackStore, stacks: StackOperations) -> None:
        self.store = store
        self.stacks = stacks

    # -- create -----------------------------------------------------------------------
    def create(self, run: Run, res: ResourceRow, decl: dict) -> tuple[str, dict[str, Any]]:
        if res.type == STACK_TYPE:
            return self._create_nested(run, res, decl)
        if is_custom(res.type):
            return self._custom(run, res, decl, "Create", None)
        physical, attrs = simulate(run.sim, res.type, res.logical_id, res.properties)
        if res.type == "AWS::SSM::Parameter":
            value = res.properties.get("Value")
            if value is not None:
                self.store.defer_parameter(  # a stack without NoEcho values has nothing to seal
                    physical, param_text(value), str(res.properties.get("Type", "String")),
                    stack_id=run.stack_id if run.no_echo else None,
                )
            attrs.setdefault("Type", res.properties.get("Type", "String"))
            attrs.setdefault("Value", param_text(value) if value is not None else "")
        elif res.type == "AWS::SecretsManager::Secret":
            self._store_secret(physical, res.properties)
        return physical, attrs

    def _store_secret(self, arn: str, props: dict) -> None:
        if isinstance(props.get("SecretString"), str):
            secret = props["SecretString"]
        else:
            gen = props.get("GenerateSecretString") or {}
            length = int(gen.get("PasswordLength", 32)) if str(gen.get("PasswordLength", "32")).isdigit() else 32
            password = token(length, "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
            template = gen.get("SecretStringTemplate")
            key = gen.get("GenerateStringKey")
            if isinstance(template, str) and isinstance(key, str):
                try:
                    doc = json.loads(template)
                except ValueError:
                    doc = {}
                doc[key] = password
                secret = json.dumps(doc)
            else:
                secret = password
        self.store.defer_parameter("secret:" + arn, secret, "secret")
        name = props.get("Name")
        if isinstance(name, str):
            self.store.defer_parameter("secret:" + name, secret, "secret")

    # -- update -----------------------------------------------------------------------
    def update(self, run: Run, res: ResourceRow, old: ResourceRow, decl: dict) -> dict[str, Any]:
        if res.type == STACK_TYPE:
            return self._update_nested(run, res, decl)
        if is_custom(res.type):
            _, attrs = self._custom(run, res, decl, "Update", old)
            return attrs
        assert res.physical_id is not None
        attrs = dict(old.attributes)
        for key, value in res.properties.items():
            if key in attrs and not isinstance(value, dict):
                attrs[key] = value
        if res.type == "AWS::SSM::Parameter" and res.properties.get("Value") is not None:
            self.restore_parameter(run.stack_id, res.physical_id, res.properties)
            attrs["Value"] = param_text(res.properties["Value"])
        elif res.type == "AWS::SecretsManager::Secret":
            self._store_secret(res.physical_id, res.properties)
        return attrs

    # -- delete -----------------------------------------------------------------------
    def delete(self, stack_id: str, res: ResourceRow, on_event: EventCallback | None) -> None:
        if res.type == STACK_TYPE:
            if res.physical_id:
                self.delete_nested(res.physical_id, on_event)
            return
        if is_custom(res.type):
            token_ = str(res.properties.get("ServiceToken", ""))
            fn = find_handler(token_, res.type)
            if fn is not None:
                request = {
                    "RequestType": "Delete",
                    "ResourceProperties": res.properties,
                    "LogicalResourceId": res.logical_id,
                    "PhysicalResourceId": res.physical_id,
                    "ResourceType": res.type,
                    "StackId": stack_id,
                    "ServiceToken": token_,
                }
                self._call(fn, request)
            return
        if res.type == "AWS::SSM::Parameter" and res.physical_id:
            self.store.defer_parameter(res.physical_id, None)
        elif res.type == "AWS::SecretsManager::Secret" and res.physical_id:
            self.store.defer_parameter("secret:" + res.physical_id, None)
            if isinstance(res.properties.get("Name"), str):
                self.store.defer_parameter("secret:" + res.properties["Name"], None)

    def restore_parameter(self, stack_id: str, name: str, props: dict) -> None:
        """Write an SSM parameter's value from its properties (an update, or an update of it
        being rolled back): a new version, as on AWS."""
        self.store.defer_parameter(name, param_text(props["Value"]), str(props.get("Type", "String")), stack_id=stack_id)

    # -- custom resources -------------------------------------------------------------
    def _call(self, fn: Handler, request: dict) -> dict:
        try:
            reply = fn(request)
        except Exception as exc:  # a user handler may raise anything: it fails the resource
            raise ResourceFailure(f"Received response status [FAILED] from custom resource. Message returned: {exc}") from None
        reply = reply or {}
        if not isinstance(reply, dict):
            raise ResourceFailure("Custom resource handler must return a dict (or None)")
        if str(reply.get("Status", "SUCCESS")).upper() == "FAILED":
            raise ResourceFailure(
                f"Received response status [FAILED] from custom resource. Message returned: {reply.get('Reason', '')}"
            )
        return reply

    def _custom(
        self, run: Run, res: ResourceRow, decl: dict, request_type: str, old: ResourceRow | None
    ) -> tuple[str, dict]:
        token_ = res.properties.get("ServiceToken")
        if not isinstance(token_, str) or not token_:
            raise ResourceFailure("Property ServiceToken cannot be empty.")
        fn = find_handler(token_, res.type)
        physical = old.physical_id if old is not None else f"{run.name}-{res.logical_id}-{token(12)}"
        if fn is not None:
            request = {
                "RequestType": request_type,
                "ResourceProperties": res.properties,
                "OldResourceProperties": old.properties if old is not None else None,
                "LogicalResourceId": res.logical_id,
                "PhysicalResourceId": physical if old is not None else None,
                "ResourceType": res.type,
                "StackId": run.stack_id,
                "ServiceToken": token_,
            }
            reply = self._call(fn, request)
            data = reply.get("Data") or {}
            physical = str(reply.get("PhysicalResourceId") or physical)
        else:
            metadata = decl.get("Metadata")
            meta: dict = metadata if isinstance(metadata, dict) else {}
            if DATA_KEY not in meta:
                raise ResourceFailure(
                    f"No local handler for custom resource ServiceToken {token_}: register one with "
                    "sparkleform.engine.custom.register_handler(service_token, fn), or give the reply's Data "
                    f"in the resource's Metadata under '{DATA_KEY}'"
                )
            data = meta.get(DATA_KEY) or {}
            physical = str(meta.get(PHYSICAL_KEY) or physical)
        if not isinstance(data, dict):
            raise ResourceFailure("Custom resource Data must be an object")
        return physical, dict(data)

    # -- nested stacks ----------------------------------------------------------------
    def nested_template(self, run: Run, props: dict, decl: dict) -> dict:
        url = props.get("TemplateURL")
        if not isinstance(url, str) or not url:
            raise ResourceFailure("Property TemplateURL cannot be empty.")
        given = run.options.nested_templates or {}
        if url in given:
            return given[url]
        for key, value in given.items():
            if url.endswith("/" + key) or Path(url).name == key:
                return value
        path = Path(url)
        if "://" not in url and path.is_file():
            return _load_file(path)
        raise ResourceFailure(
            f"TemplateURL {url}: no template for it: pass it in StackOptions.nested_templates or give a local file path "
            "(relative to the current directory)"
        )

    def _child_parameters(self, props: dict) -> dict[str, str]:
        params = props.get("Parameters") or {}
        if not isinstance(params, dict):
            raise ResourceFailure("Property Parameters must be an object")
        return {k: param_text(v) for k, v in params.items()}

    def _nested_attrs(self, child_id: str, template: dict) -> dict[str, Any]:
        row = self.store.stack(child_id)
        attrs: dict[str, Any] = {
            "StackId": child_id,
            "TemplateHash": content_hash(template),
            "TemplateVersion": row["template_version"] if row else 1,
        }
        for o in loads(row["outputs"], []) if row else []:
            attrs["Outputs." + o["key"]] = o["value"]
        return attrs

    def _child_options(self, run: Run) -> StackOptions:
        return StackOptions(nested_templates=dict(run.options.nested_templates or {}), tags=dict(run.options.tags or {}))

    def _create_nested(self, run: Run, res: ResourceRow, decl: dict) -> tuple[str, dict]:
        template = self.nested_template(run, res.properties, decl)
        base = f"{run.name}-{res.logical_id}"[:114]
        child_name = f"{base}-{token(12)}"
        try:
            child_id = self.stacks.create_stack(
                child_name,
                template,
                self._child_parameters(res.properties),
                self._child_options(run),
                parent_id=run.stack_id,
                on_event=run.on_event,  # the child's events show in the parent's display, as on AWS
            )
        except StackOperationFailed as exc:
            with contextlib.suppress(SparkleformError):
                self.stacks.delete_stack(child_name)
            raise ResourceFailure(f"Embedded stack {child_name} was not successfully created: {exc.message}") from None
        except SparkleformError as exc:
            raise ResourceFailure(f"Embedded stack {child_name}: {exc.message}") from None
        return child_id, self._nested_attrs(child_id, template)

    def _update_nested(self, run: Run, res: ResourceRow, decl: dict) -> dict:
        template = self.nested_template(run, res.properties, decl)
        assert res.physical_id is not None
        try:
            self.stacks.update_stack(
                res.physical_id,
                template,
                self._child_parameters(res.properties),
                self._child_options(run),
                on_event=run.on_event,
            )
        except NoUpdates:
            pass
        except StackOperationFailed as exc:
            raise ResourceFailure(f"Embedded stack {res.physical_id} was not successfully updated: {exc.message}") from None
        except SparkleformError as exc:
            raise ResourceFailure(f"Embedded stack {res.physical_id}: {exc.message}") from None
        return self._nested_attrs(res.physical_id, template)

    def delete_nested(self, child_id: str, on_event: EventCallback | None) -> None:
        """Delete a child stack (recovering it first when its own operation was cut off)."""
        child = self.store.stack(child_id)
        if child is None:
            return
        try:
            with contextlib.suppress(SparkleformError):
                self.stacks.recover(child["stack_id"])
            self.stacks.delete_stack(child["stack_id"], force_owner=False, on_event=on_event)
        except StackOperationFailed as exc:
            raise ResourceFailure(f"Embedded stack {child['stack_id']} was not successfully deleted: {exc.message}") from None
        except SparkleformError as exc:
            raise ResourceFailure(exc.message) from None

    def rollback_nested(self, restored: ResourceRow) -> None:
        """Put a child stack back on the template version the parent's snapshot recorded."""
        child = self.store.stack(restored.physical_id) if restored.physical_id else None
        version = restored.attributes.get("TemplateVersion")
        if child is None or not version or child["template_version"] == version:
            return
        template = self.store.template(child["stack_id"], version, processed=False)
        params = self.store.template_parameters(child["stack_id"], version)
        # template versions keep NoEcho values masked: the values the parent passed are in
        # the restored row's properties
        given = restored.properties.get("Parameters")
        if isinstance(given, dict):
            params = {k: (str(given[k]) if v == NO_ECHO_MASK and k in given else v) for k, v in params.items()}
        with contextlib.suppress(NoUpdates):
            self.stacks.update_stack(child["stack_id"], template, params, StackOptions())

def _load_file(path: Path) -> dict:
    from sparkleform.formats.reader import load_template

    template, _ = load_template(path)
    return template
