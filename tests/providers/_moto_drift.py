"""moto_server with CloudFormation's drift detection, which moto does not implement.

A WSGI layer in front of moto's own application answers the three drift actions as AWS's API
reference documents them (the query protocol: form-encoded `Action=...` requests, XML answers
in the 2010-05-15 namespace, each wrapped in `<Action>Response/<Action>Result`):

- DetectStackDrift(StackName[, LogicalResourceIds]) -> StackDriftDetectionId; detection runs
  "in the background": the first status poll says DETECTION_IN_PROGRESS, the next COMPLETE;
- DescribeStackDriftDetectionStatus(StackDriftDetectionId) -> StackDriftStatus (DRIFTED /
  IN_SYNC), DetectionStatus, DriftedStackResourceCount, Timestamp;
- DescribeStackResourceDrifts(StackName[, StackResourceDriftStatusFilters, MaxResults,
  NextToken]) -> the last detection's StackResourceDrifts, paged.

Detection compares each resource's template properties (intrinsics resolved by moto's own
`clean_json`) with the resource as moto keeps it now, for the types read here (SQS queue, SNS
topic, SSM parameter): a property set in the template whose value differs is NOT_EQUAL
(MODIFIED), a resource gone is DELETED; AWS only checks properties the template sets, and so
does this. Other types are NOT_CHECKED, as AWS reports types without drift support. The answers
are written from botocore's output shapes for these operations: a member, list or enum value
the model does not have is refused here, so the XML is the documented protocol. Every other
request goes to moto unchanged.

Run as `python _moto_drift.py -H 127.0.0.1 -p PORT` (moto_server's own arguments).
"""

from __future__ import annotations

import io
import json
import os
import sys
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs
from xml.etree import ElementTree as ET

ACTIONS = ("DetectStackDrift", "DescribeStackDriftDetectionStatus", "DescribeStackResourceDrifts")
NAMESPACE = "http://cloudformation.amazonaws.com/doc/2010-05-15/"


class RequestError(Exception):
    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


# ---- the resources as moto keeps them now: CloudFormation property names -> values --------
def _sqs_queue(account: str, region: str, physical_id: str) -> dict | None:
    from moto.sqs.models import sqs_backends

    queue = sqs_backends[account][region].queues.get(physical_id.rstrip("/").split("/")[-1])
    if queue is None:
        return None
    return {"QueueName": queue.name, **{k: v for k, v in queue.attributes.items() if not isinstance(v, dict)}}


def _sns_topic(account: str, region: str, physical_id: str) -> dict | None:
    from moto.sns.models import sns_backends

    topic = sns_backends[account][region].topics.get(physical_id)
    if topic is None:
        return None
    return {"TopicName": topic.name, "DisplayName": topic.display_name}


def _ssm_parameter(account: str, region: str, physical_id: str) -> dict | None:
    from moto.ssm.models import ssm_backends

    param = ssm_backends[account][region].get_parameter(physical_id)
    if param is None:
        return None
    return {"Name": param.name, "Type": param.parameter_type, "Value": param.value,
            "Description": param.description}


READERS = {"AWS::SQS::Queue": _sqs_queue, "AWS::SNS::Topic": _sns_topic, "AWS::SSM::Parameter": _ssm_parameter}


def _text(value: Any) -> str:
    """How a value reads in a PropertyDifference (AWS writes them as JSON text: 30, "a")."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    return str(value)


def _differences(expected: dict, actual: dict) -> list[dict]:
    found = []
    for key, want in expected.items():
        if key not in actual:
            continue  # a property this reader does not read: not judged
        have = actual[key]
        if have is None or have == "":
            found.append({"PropertyPath": f"/{key}", "ExpectedValue": _text(want), "ActualValue": "",
                          "DifferenceType": "REMOVE"})
        elif _text(want) != _text(have):
            found.append({"PropertyPath": f"/{key}", "ExpectedValue": _text(want), "ActualValue": _text(have),
                          "DifferenceType": "NOT_EQUAL"})
    return found


# ---- detection -------------------------------------------------------------------------
class DriftState:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.detections: dict[str, dict] = {}  # id -> status record (+ "polls")
        self.latest: dict[str, list[dict]] = {}  # stack id -> the last detection's resource drifts

    def detect(self, account: str, region: str, params: dict[str, list[str]]) -> dict:
        from moto.cloudformation.parsing import clean_json

        stack = _stack(account, region, params)
        wanted = {v for k, v in _flat(params) if k.startswith("LogicalResourceIds.member.")}
        now = datetime.now(UTC)
        template = stack.template_dict.get("Resources") or {}
        drifts = []
        for resource in list(stack.stack_resources):
            logical = getattr(resource, "logical_resource_id", None)
            if not logical or logical not in template or (wanted and logical not in wanted):
                continue
            rtype = template[logical].get("Type", "")
            physical = getattr(resource, "physical_resource_id", None) or ""
            expected = clean_json(template[logical].get("Properties") or {}, stack.resource_map)
            record: dict[str, Any] = {"StackId": stack.stack_id, "LogicalResourceId": logical,
                                      "PhysicalResourceId": physical, "ResourceType": rtype, "Timestamp": now}
            reader = READERS.get(rtype)
            if reader is None:
                record["StackResourceDriftStatus"] = "NOT_CHECKED"
            else:
                actual = reader(account, region, physical)
                record["ExpectedProperties"] = json.dumps(expected, sort_keys=True, default=str)
                if actual is None:
                    record["StackResourceDriftStatus"] = "DELETED"
                else:
                    record["ActualProperties"] = json.dumps(actual, sort_keys=True, default=str)
                    record["PropertyDifferences"] = _differences(expected, actual)
                    record["StackResourceDriftStatus"] = "MODIFIED" if record["PropertyDifferences"] else "IN_SYNC"
            drifts.append(record)
        drifted = sum(1 for d in drifts if d["StackResourceDriftStatus"] in ("MODIFIED", "DELETED"))
        detection = str(uuid.uuid4())
        with self.lock:
            self.latest[stack.stack_id] = drifts
            self.detections[detection] = {
                "StackId": stack.stack_id, "StackDriftDetectionId": detection,
                "StackDriftStatus": "DRIFTED" if drifted else "IN_SYNC", "DetectionStatus": "DETECTION_COMPLETE",
                "DriftedStackResourceCount": drifted, "Timestamp": now, "polls": 0,
            }
        return {"StackDriftDetectionId": detection}

    def status(self, params: dict[str, list[str]]) -> dict:
        detection = _one(params, "StackDriftDetectionId")
        with self.lock:
            record = self.detections.get(detection)
            if record is None:
                raise RequestError("ValidationError", f"Drift detection {detection} does not exist")
            record["polls"] += 1
            if record["polls"] == 1:  # AWS detects in the background: the first look finds it running
                return {k: record[k] for k in ("StackId", "StackDriftDetectionId", "Timestamp")} | {
                    "DetectionStatus": "DETECTION_IN_PROGRESS"}
            return {k: v for k, v in record.items() if k != "polls"}

    def resource_drifts(self, account: str, region: str, params: dict[str, list[str]]) -> dict:

        stack = _stack(account, region, params)
        statuses = {v for k, v in _flat(params) if k.startswith("StackResourceDriftStatusFilters.member.")}
        with self.lock:
            drifts = [d for d in self.latest.get(stack.stack_id, [])
                      if not statuses or d["StackResourceDriftStatus"] in statuses]
        size = int(params.get("MaxResults", ["100"])[0])
        start = int(params.get("NextToken", ["0"])[0])
        page: dict[str, Any] = {"StackResourceDrifts": drifts[start:start + size]}
        if start + size < len(drifts):
            page["NextToken"] = str(start + size)
        return page


def _flat(params: dict[str, list[str]]) -> list[tuple[str, str]]:
    return [(k, v) for k, values in params.items() for v in values]


def _one(params: dict[str, list[str]], key: str) -> str:
    values = params.get(key)
    if not values or not values[0]:
        raise RequestError("ValidationError", f"1 validation error detected: Value null at '{key}' failed to "
                                              "satisfy constraint: Member must not be null")
    return values[0]


# ---- the query protocol's XML, from botocore's shapes -------------------------------------
_MODEL: Any = None


def _model() -> Any:
    global _MODEL
    if _MODEL is None:
        import botocore.session

        _MODEL = botocore.session.get_session().get_service_model("cloudformation")
    return _MODEL


def _element(shape: Any, value: Any, tag: str) -> ET.Element:
    el = ET.Element(tag)
    kind = shape.type_name
    if kind == "structure":
        unknown = set(value) - set(shape.members)
        if unknown:
            raise AssertionError(f"{shape.name} has no member(s) {sorted(unknown)}")
        for member, member_shape in shape.members.items():
            if value.get(member) is not None:
                el.append(_element(member_shape, value[member], member))
    elif kind == "list":
        for item in value:
            el.append(_element(shape.member, item, "member"))
    elif kind == "timestamp":
        el.text = value.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    elif kind == "boolean":
        el.text = "true" if value else "false"
    else:
        enum = getattr(shape, "enum", None)  # string shapes have one; numbers do not
        if enum and value not in enum:
            raise AssertionError(f"{value!r} is not one of {shape.name}'s values {enum}")
        el.text = str(value)
    return el


def render(action: str, result: dict) -> bytes:
    operation = _model().operation_model(action)
    root = ET.Element(f"{action}Response", xmlns=NAMESPACE)
    root.append(_element(operation.output_shape, result, operation.output_shape.serialization["resultWrapper"]))
    meta = ET.SubElement(root, "ResponseMetadata")
    ET.SubElement(meta, "RequestId").text = str(uuid.uuid4())
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def render_error(error: RequestError) -> bytes:
    root = ET.Element("ErrorResponse", xmlns=NAMESPACE)
    err = ET.SubElement(root, "Error")
    ET.SubElement(err, "Type").text = "Sender"
    ET.SubElement(err, "Code").text = error.code
    ET.SubElement(err, "Message").text = error.message
    ET.SubElement(root, "RequestId").text = str(uuid.uuid4())
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _scope(environ: dict) -> tuple[str, str]:
    """The account and region of a signed request (moto's default account for test keys)."""
    from moto.core import DEFAULT_ACCOUNT_ID

    auth = environ.get("HTTP_AUTHORIZATION", "")
    region = "us-east-1"
    if "Credential=" in auth:
        parts = auth.split("Credential=", 1)[1].split(",", 1)[0].split("/")
        if len(parts) >= 3:
            region = parts[2]
    return DEFAULT_ACCOUNT_ID, region


class DriftLayer:
    """The WSGI application: the three drift actions here, everything else to moto."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.state = DriftState()

    def __call__(self, environ: dict, start_response: Any) -> Any:
        if environ.get("REQUEST_METHOD") == "POST" and "x-www-form-urlencoded" in environ.get("CONTENT_TYPE", ""):
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length) if length else b""
            environ["wsgi.input"] = io.BytesIO(body)  # moto reads it again when it is not ours
            params = parse_qs(body.decode("utf-8"), keep_blank_values=True)
            action = (params.get("Action") or [""])[0]
            if action in ACTIONS:
                return self._answer(action, params, environ, start_response)
        return self.app(environ, start_response)

    def _answer(self, action: str, params: dict, environ: dict, start_response: Any) -> list[bytes]:
        account, region = _scope(environ)
        try:
            if action == "DetectStackDrift":
                result = self.state.detect(account, region, params)
            elif action == "DescribeStackDriftDetectionStatus":
                result = self.state.status(params)
            else:
                result = self.state.resource_drifts(account, region, params)
            body, status = render(action, result), "200 OK"
        except RequestError as exc:
            body, status = render_error(exc), f"{exc.status} Bad Request"
        start_response(status, [("Content-Type", "text/xml"), ("Content-Length", str(len(body)))])
        return [body]


def main(argv: list[str]) -> None:
    import argparse

    from moto.server import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import run_simple

    sys.path.insert(0, str(Path(__file__).parent))
    from _moto_nested import _patch

    _patch()  # the nested-stack GetAtt moto lacks, as in the shared server
    parser = argparse.ArgumentParser()
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, required=True)
    args = parser.parse_args(argv)
    os.environ.setdefault("MOTO_PORT", str(args.port))  # as moto_server sets it
    app = DriftLayer(DomainDispatcherApplication(create_backend_app))
    run_simple(args.host, args.port, app, threaded=True)


def _stack(account: str, region: str, params: dict[str, list[str]]):
    """moto's stack named by the request's StackName, or CloudFormation's ValidationError."""
    from moto.cloudformation.exceptions import ValidationError
    from moto.cloudformation.models import cloudformation_backends

    name = _one(params, "StackName")
    try:
        return cloudformation_backends[account][region].get_stack(name)
    except ValidationError:
        raise RequestError("ValidationError", f"Stack with id {name} does not exist") from None



if __name__ == "__main__":
    main(sys.argv[1:])

