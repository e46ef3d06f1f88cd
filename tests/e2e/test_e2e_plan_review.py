"""The property-level plan through the CLI: nested paths with before → after, a replacement
in red with its cause, data-loss warnings naming the policy, IAM and security-group changes,
the destroy question, and colours only on a terminal that wants them (a real pty)."""

from __future__ import annotations

import os
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

DATA = Path(__file__).parents[1] / "stacks" / "data"
ESC = re.compile(r"\x1b\[[0-9;]*m")
RED = "\x1b[31m"


@pytest.fixture
def web(cli):
    cli.run("create", "web", str(DATA / "review_v1.yaml"))
    return cli


def test_plan_shows_paths_replacements_data_and_security(web):
    out = web.run("plan", "web", str(DATA / "review_v2.yaml"), "-p", "InstanceType=t3.small").stdout
    assert "plan for web: 5 to modify (1 replaced), 1 to remove" in out
    assert "LaunchTemplateData.InstanceType: t3.micro → t3.small" in out
    assert "Replacement: True (caused by BucketName)" in out
    assert "BucketName: assets-v1 → assets-v2  [replaces]" in out
    assert "AllocatedStorage: 20 → 30" in out
    # data: the replaced bucket's UpdateReplacePolicy is the default (Delete), the removed table's too
    assert ("Assets (AWS::S3::Bucket) is replaced: UpdateReplacePolicy Delete (the default): "
            "the bucket and its data are deleted") in out
    assert "Table (AWS::DynamoDB::Table) is removed: DeletionPolicy Delete (the default)" in out
    assert "+ AppRole  Allow s3:* on *  (broad)" in out
    assert "+ Sg  ingress tcp 22 from 0.0.0.0/0 (open to the world)" in out
    assert "443" not in out.split("Security group changes")[1]  # an unchanged rule is not listed
    assert not ESC.search(out)


def test_plan_json_carries_the_review(web):
    data = web.json("plan", "web", str(DATA / "review_v2.yaml"))
    paths = {p["Path"] for p in data["Review"]["Properties"]["Assets"]}
    assert paths == {"BucketName"}
    assert [d["LogicalResourceId"] for d in data["Review"]["DataLoss"]] == ["Assets", "Table"]
    assert {s["Text"] for s in data["Review"]["Security"] if s["Risky"]} == {
        "Allow s3:* on *", "ingress tcp 22 from 0.0.0.0/0 (open to the world)"}


def test_noecho_values_stay_masked_in_the_plan(cli, tmp_path):
    template = tmp_path / "secret.json"
    template.write_text(
        '{"Parameters": {"Pw": {"Type": "String", "NoEcho": true}},'
        ' "Resources": {"P": {"Type": "AWS::SSM::Parameter", "Properties": {"Type": "String", "Value": {"Ref": "Pw"}}}}}'
    )
    cli.run("create", "s", str(template), "-p", "Pw=hunter2-old")
    out = cli.run("plan", "s", str(template), "-p", "Pw=hunter2-new").stdout
    assert "hunter2" not in out and "Value: **** → ****" in out


def test_destroy_asks_with_the_fate_of_the_data(web):
    refused = web.run("destroy", "web", check=2)
    assert ("Delete stack web (6 resources; Assets retained; Table deleted with its data; Db snapshotted)?"
            in refused.stderr)


def _on_pty(cli, *args: str, env: dict[str, str]) -> str:
    master, slave = os.openpty()
    full = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    full.update({"TERM": "xterm-256color", "COLUMNS": "200", **env})
    proc = subprocess.Popen([sys.executable, "-m", "sparkleform.cli.main", "--state", str(cli.state), *args],
                            stdin=slave, stdout=slave, stderr=slave, cwd=cli.cwd, env=full, close_fds=True)
    os.close(slave)
    buf = bytearray()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            buf.extend(chunk)
        elif proc.poll() is not None:
            break
    os.close(master)
    assert proc.wait(timeout=10) == 0
    return buf.decode("utf-8", "replace")


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_colours_on_a_terminal_and_none_when_asked(web):
    args = ("plan", "web", str(DATA / "review_v2.yaml"))
    coloured = _on_pty(web, *args, env={})
    replacement = next(line for line in coloured.splitlines() if "Replacement: True" in line)
    assert RED + "\x1b[1mReplacement: True (caused by BucketName)" in replacement  # red and bold
    loss = next(line for line in coloured.splitlines() if "is replaced:" in line)
    assert loss.lstrip().startswith(RED)
    assert "\x1b[32m+ AppRole" not in coloured and RED + "+ AppRole" in coloured  # a broad grant is red
    for plain in (_on_pty(web, *args, env={"NO_COLOR": "1"}), _on_pty(web, "--no-color", *args, env={})):
        assert "\x1b" not in plain
        assert "Replacement: True (caused by BucketName)" in plain
