"""`sparkleform federation ...` as users run it: serve in a subprocess, login through it,
config from an ad_federation stack deployed on the local engine."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import time
from urllib.parse import parse_qs, urlsplit

import _fed_slapd
import boto3
import pytest

from ptywait import readable

ACCOUNT = "123456789012"
PASSWORDS = {u.name: u.password for u in _fed_slapd.USERS}


def sparkleform(*args, input=None, env=None, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sparkleform.cli.main", *args], input=input, capture_output=True,
                          text=True, timeout=60, env={**os.environ, "NO_COLOR": "1", **(env or {})}, cwd=cwd)


def login(served_proxy, *args, user="alice", password=None):
    return sparkleform("federation", "login", "--config", str(served_proxy.config), "--user", user,
                       "--password-stdin", *args, input=(PASSWORDS[user] if password is None else password) + "\n")


def caller(aws, creds) -> str:
    sts = boto3.client("sts", endpoint_url=aws.endpoint, region_name="us-east-1",
                       aws_access_key_id=creds["AWS_ACCESS_KEY_ID"], aws_secret_access_key=creds["AWS_SECRET_ACCESS_KEY"],
                       aws_session_token=creds["AWS_SESSION_TOKEN"])
    return sts.get_caller_identity()["Arn"]


def test_help_lists_federation_without_importing_the_proxy():
    code = ("import sys\nfrom sparkleform.cli.main import main\nsys.argv=['sparkleform','--help']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print('LOADED', sorted(m for m in ('flask', 'ldap3', 'boto3', 'werkzeug') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60).stdout
    assert "federation" in out and "LOADED []" in out
    help_text = sparkleform("federation", "--help").stdout
    assert all(verb in help_text for verb in ("serve", "login", "config"))


def test_login_prints_the_console_url_for_the_chosen_role(served_proxy, signin):
    result = login(served_proxy, "--role", "AWS-ReadOnly")
    assert result.returncode == 0, result.stderr
    url = result.stdout.strip()
    assert url.startswith(signin.url + "?Action=login&")
    token = parse_qs(urlsplit(url).query)["SigninToken"][0]
    assert signin.tokens[token][0] == f"arn:aws:sts::{ACCOUNT}:assumed-role/AWS-ReadOnly/alice"
    assert PASSWORDS["alice"] not in result.stdout + result.stderr


def test_login_exports_credentials_like_aws_configure_export_credentials(served_proxy, aws):
    env_format = login(served_proxy, "--role", "AWS-Administrators", "--credentials", "--format", "env")
    assert env_format.returncode == 0, env_format.stderr
    lines = env_format.stdout.strip().splitlines()
    assert [line.split("=", 1)[0] for line in lines] == [
        "export AWS_ACCESS_KEY_ID", "export AWS_SECRET_ACCESS_KEY", "export AWS_SESSION_TOKEN",
        "export AWS_CREDENTIAL_EXPIRATION"]
    creds = dict(line.removeprefix("export ").split("=", 1) for line in lines)
    assert caller(aws, creds) == f"arn:aws:sts::{ACCOUNT}:assumed-role/AWS-Administrators/alice"
    process = login(served_proxy, "--role", "AWS-ReadOnly", "--credentials")
    data = json.loads(process.stdout)
    assert data["Version"] == 1 and set(data) == {"Version", "AccessKeyId", "SecretAccessKey", "SessionToken",
                                                  "Expiration"}
    creds = {"AWS_ACCESS_KEY_ID": data["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": data["SecretAccessKey"],
             "AWS_SESSION_TOKEN": data["SessionToken"]}
    assert caller(aws, creds).endswith(":assumed-role/AWS-ReadOnly/alice")


@pytest.mark.parametrize(("args", "user", "password", "message"), [
    ((), "alice", "wrong", "unknown user or wrong password"),
    ((), "carol", None, "no roles available"),
    ((), "alice", None, "choose a role with --role: AWS-Administrators, AWS-ReadOnly"),
    (("--role", "AWS-PowerUsers"), "alice", None, "you have no role 'AWS-PowerUsers'"),
    (("--role", "AWS-PowerUsers"), "bob", None, "the proxy refused (403)"),
])
def test_login_refusals_are_one_line_errors(served_proxy, args, user, password, message):
    result = login(served_proxy, *args, user=user, password=password)
    assert result.returncode == 2, result.stdout
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_login_prompts_for_the_password_without_echo(served_proxy, signin):
    master, slave = os.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "sparkleform.cli.main", "federation", "login", "--config", str(served_proxy.config),
         "--user", "alice", "--role", "AWS-ReadOnly"],
        stdin=slave, stdout=slave, stderr=slave, close_fds=True, env={**os.environ, "NO_COLOR": "1"},
    )
    os.close(slave)
    seen = bytearray()

    def read_until(text: bytes, timeout=30.0):
        deadline = time.monotonic() + timeout
        while text not in seen and time.monotonic() < deadline:
            if readable(master, 0.2):
                try:
                    seen.extend(os.read(master, 65536))
                except OSError:
                    break

    read_until(b"AD password for alice")
    os.write(master, PASSWORDS["alice"].encode() + b"\r")
    read_until(b"Action=login")
    assert process.wait(timeout=30) == 0
    os.close(master)
    assert b"Action=login" in seen and PASSWORDS["alice"].encode() not in seen
    assert pty  # the prompt went through a real pseudo-terminal


def test_serve_warns_when_it_serves_plain_http(base_tables, aws, tmp_path, write_config):
    from conftest_helpers import free_port

    port = free_port()
    path = write_config(base_tables)
    process = subprocess.Popen([sys.executable, "-m", "sparkleform.cli.main", "federation", "serve", "--config",
                                str(path), "--port", str(port)], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                               env={**os.environ, **aws.env()}, text=True)
    try:
        first = process.stderr.readline()
        assert first.startswith("WARNING: serving over plain HTTP")
        assert "proxy on http://127.0.0.1" in process.stderr.readline()
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_serve_refuses_a_bad_config_in_one_line(tmp_path, aws, base_tables, write_config):
    bad = tmp_path / "bad.toml"
    bad.write_text('[ldap]\nurls = ["http://dc.example"]\nbase_dn = "dc=x"\n')
    result = sparkleform("federation", "serve", "--config", str(bad))
    assert result.returncode == 2 and result.stderr.strip() == (
        f"error: {bad}: [ldap] urls must be ldap:// or ldaps:// URLs")
    wrong_user = write_config({**base_tables, "aws": {**base_tables["aws"],
                                                      "proxy_user_arn": f"arn:aws:iam::{ACCOUNT}:user/someone"}})
    result = sparkleform("federation", "serve", "--config", str(wrong_user), env=aws.env())
    assert result.returncode == 2 and "not [aws] proxy_user_arn" in result.stderr
    assert result.stderr.count("\n") == 1


def test_the_template_deployed_locally_gives_exactly_the_config_the_proxy_needs(tmp_path, slapd):
    from sparkleform.federation.config import OUTPUT_KEYS, load_config

    state = str(tmp_path / "state.db")
    sids = [f"{g.replace('-', '')}Sid=S-1-5-21-1-2-3-{n}" for n, g in
            enumerate(["AwsAdministrators", "AwsPowerUsers", "AwsReadOnly"], start=1001)]
    created = sparkleform("--state", state, "create", "adf", "ad_federation", *[a for s in sids for a in ("-p", s)],
                          cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    outputs = sparkleform("--state", state, "outputs", "adf", "--output", "json", cwd=tmp_path)
    values = json.loads(outputs.stdout)
    assert set(values) == set(OUTPUT_KEYS)  # nothing the proxy does not need, nothing it lacks
    generated = sparkleform("federation", "config", "--outputs", "-", "--ldap-url", slapd.url, "--start-tls",
                            "--base-dn", _fed_slapd.BASE_DN, "--ca-file", str(slapd.ca_file),
                            "--bind-dn", _fed_slapd.SERVICE_DN, "--bind-password-file", str(tmp_path / "pw"),
                            input=outputs.stdout, cwd=tmp_path)
    assert generated.returncode == 0, generated.stderr
    (tmp_path / "proxy.toml").write_text(generated.stdout)
    config = load_config(tmp_path / "proxy.toml")
    assert {key: getattr(config.aws, key) for key in OUTPUT_KEYS.values()} == {
        OUTPUT_KEYS[name]: value for name, value in values.items()}
    assert config.aws.role_path_prefix == "/ad-federation/" and config.aws.region == "us-east-1"
    assert config.aws.proxy_user_arn.startswith(f"arn:aws:iam::{ACCOUNT}:user/")
    assert config.ldap.urls == [slapd.url] and config.ldap.start_tls
    missing = sparkleform("federation", "config", "--outputs", "-", "--ldap-url", slapd.url, "--base-dn", "dc=x",
                          input=json.dumps({"Region": "us-east-1"}))
    assert missing.returncode == 2 and "lack Partition, ProxyUserArn, RolePathPrefix" in missing.stderr
