"""`--upload-root-template` (sfn's): on the AWS path the root template goes to the S3 bucket
and CloudFormation gets its TemplateURL instead of a TemplateBody; above 51,200 bytes that
happens without asking. Through the CLI against moto_server's CloudFormation and S3."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from e2e_support import AWS_ENV

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "providers"))

import _motoserver

SMALL = {"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}, "Outputs": {"Arn": {"Value": {"Ref": "Topic"}}}}


def _large() -> dict:
    # ~60 kB of compact JSON: over the inline limit
    return {
        "Description": "large",
        "Resources": {f"Topic{i}": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": f"{i:04d}" + "x" * 80}}
                      for i in range(500)},
    }


def _sent(recorded: list[dict]) -> dict:
    """The template arguments of the calls that send one (an update plans with a change set first:
    every one of them must agree)."""
    calls = [r["params"] for r in recorded if r["action"] in ("CreateStack", "CreateChangeSet", "UpdateStack")]
    assert calls
    kinds = {("TemplateURL" in c, "TemplateBody" in c) for c in calls}
    assert len(kinds) == 1, calls
    return calls[-1]


def test_the_root_template_goes_through_s3(cli):
    boto3 = pytest.importorskip("boto3")
    server = _motoserver.acquire()
    try:
        bucket = _motoserver.ensure_bucket(server, "root-templates")
        aws = ("--provider", "aws", "--endpoint-url", server.endpoint, "--region", "us-east-1")
        (cli.cwd / "small.json").write_text(json.dumps(SMALL))
        (cli.cwd / "large.json").write_text(json.dumps(_large()))
        s3 = boto3.client("s3", endpoint_url=server.endpoint, region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing")

        def run(*args, check=0):
            server.start_recording()
            try:
                proc = cli.run(*aws, *args, check=check, env=AWS_ENV)
            finally:
                recorded = server.stop_recording()
            return proc, recorded

        # small, without the flag: inline
        _, recorded = run("create", "inline-root", "small.json", "--bucket", bucket, "--no-change-sets")
        assert "TemplateBody" in _sent(recorded) and "TemplateURL" not in _sent(recorded)

        # small, with the flag: uploaded, and CloudFormation reads it from there
        _, recorded = run("create", "uploaded-root", "small.json", "--bucket", bucket, "--prefix", "cfn",
                          "--upload-root-template", "--no-change-sets")
        sent = _sent(recorded)
        assert "TemplateBody" not in sent
        url = sent["TemplateURL"]
        assert url.startswith(f"{server.endpoint}/{bucket}/cfn/uploaded-root/template-")
        key = url.split(f"/{bucket}/", 1)[1]
        assert json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read()) == SMALL
        assert json.loads(cli.run(*aws, "outputs", "uploaded-root", "--output", "json", env=AWS_ENV).stdout)["Arn"]

        # through a change set, and on update, the same
        _, recorded = run("create", "uploaded-cs", "small.json", "--bucket", bucket, "--upload-root-template")
        assert "TemplateURL" in _sent(recorded) and "TemplateBody" not in _sent(recorded)
        (cli.cwd / "small2.json").write_text(json.dumps({**SMALL, "Description": "v2"}))
        _, recorded = run("update", "uploaded-root", "small2.json", "--bucket", bucket, "--upload-root-template",
                          "--yes", "--no-change-sets")
        assert "TemplateURL" in _sent(recorded)

        # sparkleform.toml's upload_root_template = true does the same
        (cli.cwd / "sparkleform.toml").write_text(f'bucket = "{bucket}"\nupload_root_template = true\n')
        _, recorded = run("create", "configured-root", "small.json", "--no-change-sets")
        assert "TemplateURL" in _sent(recorded)
        (cli.cwd / "sparkleform.toml").unlink()

        # large: uploaded without the flag; without a bucket, refused before anything is sent
        _, recorded = run("create", "large-root", "large.json", "--bucket", bucket, "--no-change-sets")
        assert "TemplateURL" in _sent(recorded)
        refused, recorded = run("create", "nobucket-root", "small.json", "--upload-root-template", check=2)
        assert "--bucket" in refused.stderr and "--upload-root-template" in refused.stderr
        assert not [r for r in recorded if r["action"] in ("CreateStack", "CreateChangeSet")]
    finally:
        _motoserver.release()
