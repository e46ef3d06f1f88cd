"""Corpus: every public template that cfn-lint finds clean, with no transform or the SAM
transform, deploys on the local engine and deletes cleanly. Parameters without defaults
get values generated from their Type and constraints.

Run `pytest tests/engine/test_corpus_deploy.py -s` to see the count and every failure.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

from corpus_support import getatt_names, nested_templates, parameters_for

from sparkleform.contract import StackOptions
from sparkleform.engine import custom
from sparkleform.errors import SparkleformError
from sparkleform.providers.local import LocalProvider


def _rows(corpus: Path) -> list[dict[str, str]]:
    with (corpus / "MANIFEST.tsv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    return [
        r
        for r in rows
        if r["path"].startswith("public/") and r["cfn_lint"] == "clean" and r["transform"] in ("none", "serverless")
    ]


# Templates that cannot deploy anywhere as they are (AWS refuses them too), with the
# reason the engine must give. Each is still run, and must fail with that reason.
EXPECTED = {
    "aws-samples/APIGateway/apigateway_lambda_integration.yaml": "Fn::Rain::Embed",  # Rain pre-package source
    "aws-samples/CloudFormation/CustomResources/getfromjson/src/getfromjson.yml": "Fn::Rain::Embed",
    "aws-samples/CloudFormation/MacrosExamples/DatetimeNow/datetimenow_example.yaml": "Fn::Transform",  # a macro
    "cfn-lint-good/modules/minimal.yaml": "Some::IAM::Role::MODULE",  # a registry module, not a resource type
    "cfn-lint-good/resources/cloudformation/stacks.yaml": "At least one Resources member must be defined",
    # UpdateReplacePolicy: !Ref DBPolicy, and the parameter is filled with "value": not a policy
    "cfn-lint-good/resources_updatereplacepolicy.yaml": "Invalid UpdateReplacePolicy 'value'",
    # nested stacks whose TemplateURL is a remote URL with no local copy
    "cfn-lint-good/minimal.yaml": "TemplateURL https://",
    "cfn-lint-good/resources/iam/instance_profile.yaml": "TemplateURL https://",
    "cfn-lint-good/resources/properties/hard_coded_arn_properties.yaml": "TemplateURL https://",
    "cfn-lint-good/resources/properties/templated_code_sam.yaml": "TemplateURL path/",
    "cfn-lint-real/quickstart/openshift_master.yaml": "TemplateURL https://",
    # the parent passes a parameter its child template does not declare
    "aws-samples/Solutions/VPCPeering/templates/VPCPeering-Accepter.main.cfn.yaml": "[LambdaRoleName] do not exist",
    # a child template that is not in the corpus
    "aws-samples/Solutions/VPCPeering/templates/VPCPeering-Requester.main.cfn.yaml": "VPCPeering-Updates.cfn.yaml",
    # Code as an S3 URL string is for `aws cloudformation package`; CloudFormation's
    # properties validation refuses it as it is (Code is an object in the schema)
    "cfn-lint-other/integration/aws-lambda-function.yaml": "#/Code: expected type: JSONObject, found: String",
    # a Serverless Application Repository app: fetching it needs AWS
    "cfn-lint-good/transform.yaml": "Serverless Application Repository",
}

_NEEDS_EXPORT = re.compile(r"No export named (.*) found\.")
_NEEDS_SSM = re.compile(r"Parameters \[(.*?)\] referenced by \{\{resolve:ssm")
_NEEDS_VERSION = re.compile(r"could not find version (\d+) of (\S+)\. Verify")
_NEEDS_SECRET = re.compile(r"can't find the specified secret (\S+)")
_NEEDS_SECRET_KEY = re.compile(r"Could not find SecretString key (\S+) in secret (\S+)")


def _provide(provider: LocalProvider, message: str, supplied: dict[str, dict]) -> bool:
    """Give the environment what a template expects to exist outside it (another stack's
    export, an SSM parameter, a secret). -> False when the message names nothing to provide."""
    if m := _NEEDS_EXPORT.search(message):
        name = m.group(1)
        n = len(supplied["exports"])
        supplied["exports"][name] = f"imported-value-{n:04d}"
        provider.create_stack(
            f"supplier{n}-{abs(hash(name)) % 10**6}",
            {"Resources": {"T": {"Type": "AWS::SNS::Topic"}}, "Outputs": {"X": {"Value": f"imported-value-{n:04d}", "Export": {"Name": name}}}},
            {},
        )
        return True
    if m := _NEEDS_SSM.search(message):
        provider.put_parameter(m.group(1), "value")
        return True
    if m := _NEEDS_VERSION.search(message):  # `{{resolve:ssm:name:N}}`: put versions up to N
        while provider.put_parameter(m.group(2), "value") < int(m.group(1)):
            pass
        return True
    if m := _NEEDS_SECRET_KEY.search(message):
        key, secret = m.group(1), m.group(2)
        doc = supplied["secrets"].setdefault(secret, {"username": "admin", "password": "Password1!"})
        doc[key] = "value"
        provider.put_parameter("secret:" + secret, json.dumps(doc))
        return True
    if m := _NEEDS_SECRET.search(message):
        secret = m.group(1)
        doc = supplied["secrets"].setdefault(secret, {"username": "admin", "password": "Password1!"})
        provider.put_parameter("secret:" + secret, json.dumps(doc))
        return True
    return False


def deploy_one(provider: LocalProvider, path: Path, index: int) -> str | None:
    """Create then delete one corpus template; -> a failure description, or None."""
    from sparkleform.formats import load_template

    try:
        template, _ = load_template(path)
    except SparkleformError as exc:
        return f"unreadable: {exc}"
    if not isinstance(template, dict) or not template.get("Resources"):
        return None if isinstance(template, dict) else "not a template"
    values, missing, ssm = parameters_for(template)
    alternative, _, _ = parameters_for(template, choice=-1)
    if missing:
        return f"no value could be generated for parameters {missing}"
    for key, value in ssm.items():
        provider.put_parameter(key, value)
    wanted = getatt_names(template)

    def answer(request: dict) -> dict:
        return {"Data": {k: f"{request['LogicalResourceId']}-{k}" for k in wanted.get(request["LogicalResourceId"], ())}}

    custom.register_handler("*", answer)
    name = f"corpus{index}"
    options = StackOptions(nested_templates=nested_templates(template, path.parent, lambda p: load_template(p)[0]))
    supplied: dict[str, dict] = {"exports": {}, "secrets": {}}
    try:
        for _attempt in range(8):
            if provider.stack_exists(name):
                provider.delete_stack(name)  # a rolled-back attempt
            try:
                stack = provider.create_stack(name, template, values, options)
                break
            except SparkleformError as exc:
                if type(exc).__name__ == "ValidationError" and values != alternative and "parameter" in str(exc).lower():
                    values = alternative  # a Rule rejected the first AllowedValues: try the last ones
                    continue
                if not _provide(provider, str(exc), supplied):
                    raise
        else:
            return "too many missing prerequisites"
        if stack.status != "CREATE_COMPLETE":
            return f"create ended {stack.status}"
        if stack != provider.describe_stack(name):
            return "the stack create returned differs from describe's"
        provider.delete_stack(name)
        if provider.stack_exists(name):
            return "still exists after delete"
    except SparkleformError as exc:
        return f"{type(exc).__name__}: {exc}"
    finally:
        custom.unregister_handler("*")
    return None


def test_clean_corpus_deploys_and_deletes(corpus_dir, tmp_path):
    provider = LocalProvider(state=tmp_path / "state.db")
    rows = _rows(corpus_dir)
    failures = {}
    refused = {}
    for i, row in enumerate(rows):
        key = row["path"].removeprefix("public/")
        problem = deploy_one(provider, corpus_dir / row["path"], i)
        if key in EXPECTED:
            refused[key] = problem
            if problem is None or EXPECTED[key] not in problem:
                failures[row["path"]] = f"expected a refusal naming {EXPECTED[key]!r}, got {problem!r}"
        elif problem:
            failures[row["path"]] = problem
    deployed = len(rows) - len(failures) - len(refused)
    print(f"\ncorpus deploy: {deployed} of {len(rows)} clean templates deployed and deleted; "
          f"{len(refused)} refused as AWS would (expected)")
    for path, problem in refused.items():
        print(f"  REFUSED {path}: {problem}")
    for path, problem in failures.items():
        print(f"  FAIL {path}: {problem}")
    assert not failures, "\n".join(f"{p}: {m}" for p, m in failures.items())
