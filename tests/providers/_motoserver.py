"""One `moto_server` process on 127.0.0.1 (a free port) shared by the provider and conformance
tests: started on first use, stopped when the last user releases it (or at exit).

The endpoint URL uses the name `localhost` (which resolves to 127.0.0.1): moto resolves a
nested stack's TemplateURL against its own S3 only when the host is `localhost` or an
amazonaws.com S3 host.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

DUMMY_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
}
UNSET_ENV = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL")


@dataclass
class MotoServer:
    process: subprocess.Popen
    port: int
    recording: Path

    @property
    def endpoint(self) -> str:
        return f"http://localhost:{self.port}"

    def api(self, path: str, data: bytes | None = b"") -> bytes:
        req = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/moto-api/{path}",
            data=data,
            method="POST" if data is not None else "GET",
            headers={"Content-Type": "text/plain"},
        )
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.read()

    def start_recording(self) -> None:
        self.api("recorder/reset-recording")
        self.api("recorder/start-recording")

    def stop_recording(self) -> list[dict]:
        """The requests recorded since start_recording, as {"action", "params", "raw"} dicts."""
        self.api("recorder/stop-recording")
        text = self.api("recorder/download-recording", data=None).decode("utf-8")
        return [_decode(json.loads(line)) for line in text.splitlines() if line.strip()]


def _decode(entry: dict) -> dict:
    import base64
    from urllib.parse import parse_qs, urlparse

    body = entry.get("body") or ""
    if entry.get("body_encoded"):
        body = base64.b64decode(body).decode("utf-8", "replace")
    params: dict = {}
    headers = {k.lower(): v for k, v in (entry.get("headers") or {}).items()}
    target = headers.get("x-amz-target", "")
    if body.startswith("{"):
        try:
            params = json.loads(body)
        except ValueError:
            params = {}
        action = target.rsplit(".", 1)[-1] if target else ""
    else:
        params = {k: v[0] if len(v) == 1 else v for k, v in parse_qs(body).items()}
        query = {k: v[0] for k, v in parse_qs(urlparse(entry.get("url", "")).query).items()}
        action = params.get("Action") or query.get("Action") or target.rsplit(".", 1)[-1]
    return {"action": action, "params": params, "raw": body, "url": entry.get("url", "")}


_server: MotoServer | None = None
_users = 0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(warm_up: bool = True, script: str = "_moto_nested.py") -> MotoServer:
    port = _free_port()
    recording = Path(tempfile.mkdtemp(prefix="sparkleform-moto-")) / "recording.jsonl"
    env = dict(os.environ, **DUMMY_ENV, MOTO_RECORDER_FILEPATH=str(recording))
    proc = subprocess.Popen(
        # moto.server, plus the one CloudFormation fact it lacks (see _moto_nested.py)
        [sys.executable, str(Path(__file__).with_name(script)), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"moto_server exited with {proc.returncode} before it was ready")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                pass
        except OSError:
            time.sleep(0.05)
            continue
        server = MotoServer(proc, port, recording)
        if warm_up:
            _warm_up(server)
        return server
    proc.kill()
    raise RuntimeError("moto_server did not answer within 30 s")


def _warm_up(server: MotoServer) -> None:
    """moto imports its CloudFormation backend (and every service it can create) on the first
    CloudFormation request: pay that once here, in fixture setup."""
    body = b"Action=ListStacks&Version=2010-05-15"
    req = urllib.request.Request(
        f"http://127.0.0.1:{server.port}/",
        data=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/cloudformation/aws4_request, "
            "SignedHeaders=host, Signature=0",
        },
    )
    with urllib.request.urlopen(req, timeout=60):
        pass


def acquire() -> MotoServer:
    global _server, _users
    if _server is None:
        _server = _start()
        atexit.register(_stop)
    _users += 1
    return _server


def release() -> None:
    global _users
    _users -= 1
    if _users <= 0:
        _stop()


def start_private(script: str = "_moto_nested.py") -> MotoServer:
    """A moto_server of the caller's own (not the shared one): for tests that change its
    global state, such as turning IAM authorisation on, or that need the drift layer
    (`script="_moto_drift.py"`). Stop it with stop_private()."""
    return _start(warm_up=False, script=script)


def stop_private(server: MotoServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()


def enable_iam_auth(server: MotoServer) -> None:
    """From now on every request must be signed by a key moto knows and be allowed by its
    IAM policies (and, for AssumeRole, by the role's trust policy)."""
    server.api("reset-auth", data=b"0")


def _stop() -> None:
    global _server
    if _server is not None:
        _server.process.terminate()
        try:
            _server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            _server.process.kill()
        _server = None


def set_dummy_credentials(monkeypatch) -> None:
    """Dummy credentials in the test's env; no profile or config file from the machine."""
    for key, value in DUMMY_ENV.items():
        monkeypatch.setenv(key, value)
    for key in UNSET_ENV:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)


class Recording:
    """The requests moto received between start() and stop(), decoded."""

    def __init__(self, server: MotoServer) -> None:
        self.server = server
        self._requests: list[dict] | None = None

    def start(self) -> None:
        self.server.start_recording()

    def stop(self) -> list[dict]:
        if self._requests is None:
            self._requests = self.server.stop_recording()
        return self._requests

    def requests(self, action: str | None = None) -> list[dict]:
        reqs = self.stop()
        return [r for r in reqs if action is None or r["action"] == action]


def ensure_bucket(server: MotoServer, name: str) -> str:
    import boto3

    s3 = boto3.client(
        "s3", endpoint_url=server.endpoint, region_name="us-east-1",
        aws_access_key_id="testing", aws_secret_access_key="testing",
    )
    with contextlib.suppress(s3.exceptions.BucketAlreadyOwnedByYou):
        s3.create_bucket(Bucket=name)
    return name
