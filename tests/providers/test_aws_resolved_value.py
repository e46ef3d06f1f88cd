"""DescribeStacks' ResolvedValue through the AWS provider: an SSM parameter type's key stays
the parameter's value and what it resolved to is `resolved_value` (masked for NoEcho).

moto answers DescribeStacks with the resolved value in ParameterValue and no ResolvedValue
(AWS answers with both, as LocalStack's recording of AWS shows: tests/aws/services/
cloudformation/test_change_sets.snapshot.json, `"ParameterValue": "<parameter-name>",
"ResolvedValue": "<parameter-value-1>"`): the moto test checks the round trip works and
adds nothing moto did not send; the recorded answer checks the mapping of AWS's shape."""

from __future__ import annotations

import json

from sparkleform.contract import NO_ECHO_MASK

TEMPLATE = {
    "Parameters": {
        "Ami": {"Type": "AWS::SSM::Parameter::Value<String>"},
        "Key": {"Type": "AWS::SSM::Parameter::Value<String>", "NoEcho": True},
    },
    "Resources": {"T": {"Type": "AWS::SNS::Topic"}},
}


def test_an_ssm_parameter_type_against_moto(aws, moto_server, unique) -> None:
    import boto3

    ssm = boto3.client("ssm", endpoint_url=moto_server.endpoint, region_name="us-east-1")
    ssm.put_parameter(Name=f"/ami-{unique}", Value="ami-0123", Type="String")
    ssm.put_parameter(Name=f"/key-{unique}", Value="k3y-material-xyz", Type="String")
    name = f"resolved-{unique}"
    aws.create_stack(name, TEMPLATE, {"Ami": f"/ami-{unique}", "Key": f"/key-{unique}"})
    params = {p.key: p for p in aws.describe_stack(name).parameters}
    assert params["Key"].value == NO_ECHO_MASK and params["Key"].resolved_value in (None, NO_ECHO_MASK)
    # moto sends no ResolvedValue: none is made up
    assert params["Ami"].resolved_value is None
    aws.delete_stack(name)


def test_aws_answer_with_resolved_value_is_mapped(aws) -> None:
    recorded = {  # DescribeStacks' shape as AWS answers it (values from the recording's placeholders)
        "StackName": "app",
        "StackId": "arn:aws:cloudformation:us-east-1:111111111111:stack/app/1",
        "StackStatus": "CREATE_COMPLETE",
        "Parameters": [
            {"ParameterKey": "Ami", "ParameterValue": "<parameter-name>", "ResolvedValue": "<parameter-value-1>"},
            {"ParameterKey": "Key", "ParameterValue": "****", "ResolvedValue": "****"},
            {"ParameterKey": "Plain", "ParameterValue": "p"},
        ],
    }
    stack = aws._to_stack(recorded, with_details=False)
    params = {p.key: p for p in stack.parameters}
    assert (params["Ami"].value, params["Ami"].resolved_value) == ("<parameter-name>", "<parameter-value-1>")
    assert (params["Key"].value, params["Key"].resolved_value, params["Key"].no_echo) == (NO_ECHO_MASK, NO_ECHO_MASK, True)
    assert params["Plain"].resolved_value is None

    from sparkleform.stacks.render import describe_json

    body = json.loads(json.dumps(describe_json(stack), default=str))
    shown = {p["ParameterKey"]: p for p in body["Parameters"]}
    assert shown["Ami"]["ResolvedValue"] == "<parameter-value-1>"
    assert shown["Key"]["ResolvedValue"] == NO_ECHO_MASK
    assert "ResolvedValue" not in shown["Plain"]
