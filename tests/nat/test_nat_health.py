"""The agent's health checks against real endpoints on 127.0.0.1: TCP, HTTP status, ping."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from _nat_etcd import free_port

from sparkleform.nat.errors import NatAgentError
from sparkleform.nat.health import make_check


class _Status(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        status = int(self.path.strip("/") or 200)
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()


def test_tcp_check_passes_while_the_port_listens():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        check = make_check(f"127.0.0.1:{listener.getsockname()[1]}")
        assert check() is True
    assert check() is False
    assert make_check(f"127.0.0.1:{free_port()}")() is False


def test_http_check_wants_a_status_below_400():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Status)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        assert make_check(f"{base}/204")() is True
        assert make_check(f"{base}/503")() is False
    finally:
        server.shutdown()
        server.server_close()
    assert make_check(f"{base}/200")() is False


def test_ping_check_on_loopback_or_a_clear_error_without_ping():
    ping = shutil.which("ping")
    if ping is None:
        with pytest.raises(NatAgentError, match="needs the ping command"):
            make_check("127.0.0.1")
        return
    if subprocess.run([ping, "-c", "1", "-W", "1", "127.0.0.1"], capture_output=True).returncode:
        pytest.skip("ping is installed but not allowed here")
    assert make_check("127.0.0.1")() is True


@pytest.mark.parametrize("target", ["", "host:port", "host:"])
def test_bad_targets_are_refused(target):
    with pytest.raises(NatAgentError):
        make_check(target)
