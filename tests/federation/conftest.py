"""Fixtures for the federation proxy tests: a real slapd with AD-like entries, a private
moto_server with IAM authorisation on (the ad_federation template's roles and proxy user in
it), the federation endpoint stand-in, and the proxy's configuration pointing at them."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
for sub in ("federation", "providers", "packs"):
    sys.path.insert(0, str(HERE.parent / sub))

import _fed_slapd  # noqa: E402
import _motoserver  # noqa: E402
from _fed_aws import deploy_ad_federation  # noqa: E402
from _fed_signin import SigninStandIn  # noqa: E402
from _fed_tls import make_certs  # noqa: E402
from conftest_helpers import free_port  # noqa: E402


@pytest.fixture(scope="session")
def certs(tmp_path_factory):
    return make_certs(tmp_path_factory.mktemp("certs"))


@pytest.fixture(scope="session")
def slapd(tmp_path_factory, certs):
    if _fed_slapd.find_slapd() is None:
        pytest.skip("slapd is not installed (.ci/install-federation.sh installs it)")
    server = _fed_slapd.start(tmp_path_factory.mktemp("slapd"), certs)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def aws():
    server = _motoserver.start_private()
    try:
        world = deploy_ad_federation(server, server.endpoint)
        _motoserver.enable_iam_auth(server)
        yield world
    finally:
        _motoserver.stop_private(server)


@pytest.fixture(scope="session")
def signin(aws):
    standin = SigninStandIn(f"http://127.0.0.1:{aws.server.port}").start()
    yield standin
    standin.stop()


@pytest.fixture(scope="session")
def secret_key(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("web") / "secret.key"
    path.write_bytes(os.urandom(32).hex().encode())
    return path


@pytest.fixture(scope="session")
def bind_password_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("ldap") / "bind-password"
    path.write_text(_fed_slapd.SERVICE_PASSWORD + "\n")
    path.chmod(0o600)
    return path


@pytest.fixture(scope="session")
def base_tables(slapd, aws, signin, secret_key, bind_password_file, tmp_path_factory):
    """The proxy's configuration as TOML tables; [aws] comes from the template's outputs."""
    from sparkleform.federation.config import aws_table_from_outputs

    return {
        "ldap": {"urls": [slapd.url], "base_dn": _fed_slapd.BASE_DN, "start_tls": True, "ca_file": str(slapd.ca_file),
                 "bind_dn": _fed_slapd.SERVICE_DN, "bind_password_file": str(bind_password_file),
                 "nested_groups": "walk"},
        "aws": {**aws_table_from_outputs(aws.outputs), "endpoint_url": aws.endpoint, "session_duration": 3600,
                "federation_endpoint": signin.url, "issuer": "https://aws-proxy.corp.example/"},
        "web": {"secret_key_file": str(secret_key), "credentials_endpoint": True,
                "audit_log": str(tmp_path_factory.mktemp("audit") / "audit.log")},
    }


@pytest.fixture
def proxy_tables(base_tables, tmp_path):
    tables = json.loads(json.dumps(base_tables))
    tables["web"]["audit_log"] = str(tmp_path / "audit.log")
    return tables


@pytest.fixture
def write_config(tmp_path):
    from sparkleform.federation.config import render_toml

    def write(tables, name="proxy.toml") -> Path:
        path = tmp_path / name
        path.write_text(render_toml(tables))
        return path

    return write


@pytest.fixture
def make_client(proxy_tables, aws, monkeypatch):
    """A Flask test client of the proxy built from `proxy_tables` (changed first if wanted)."""
    from sparkleform.federation.config import parse_config

    def make(mutate=None):
        tables = json.loads(json.dumps(proxy_tables))
        if mutate:
            mutate(tables)
        for key, value in aws.env().items():
            monkeypatch.setenv(key, value)
        from sparkleform.federation.app import create_app

        app = create_app(parse_config(tables))
        return app.test_client(use_cookies=True)

    return make


@dataclass
class ServedProxy:
    url: str
    config: Path
    process: object


@pytest.fixture(scope="session")
def served_proxy(base_tables, aws, certs, tmp_path_factory):
    """`sparkleform federation serve` in a subprocess over TLS on 127.0.0.1 (what users run)."""
    import socket
    import subprocess
    import time

    from sparkleform.federation.config import render_toml

    port = free_port()
    url = f"https://localhost:{port}/"
    tables = {**base_tables, "client": {"url": url, "ca_file": str(certs.ca_file)}}
    path = tmp_path_factory.mktemp("served") / "proxy.toml"
    path.write_text(render_toml(tables))
    log = path.with_name("serve.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "sparkleform.cli.main", "federation", "serve", "--config", str(path),
         "--port", str(port), "--cert", str(certs.cert_file), "--key", str(certs.key_file)],
        env={**os.environ, **aws.env()}, stdout=log, stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while True:
        if process.poll() is not None:
            raise RuntimeError("the proxy exited: " + path.with_name("serve.log").read_text())
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("the proxy did not listen within 30 s") from None
            time.sleep(0.1)
    yield ServedProxy(url, path, process)
    process.terminate()
    process.wait(timeout=10)
    log.close()
