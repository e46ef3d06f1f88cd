"""A stand-in for the parts of Consul's HTTP API the NAT agent uses (Consul has no package
here), served on 127.0.0.1 from a thread. It keeps Consul's documented semantics:

- agent checks: `PUT /v1/agent/check/register` (TTL checks), `/pass/ID`, `/fail/ID`,
  `/deregister/ID`; a TTL check not passed within its TTL turns critical;
- sessions: `PUT /v1/session/create` (Checks, Behavior, LockDelay; refused when a check is
  critical or unknown; `serfHealth` always passes: one healthy node), `GET /v1/session/info/ID`,
  `PUT /v1/session/destroy/ID`; a session is invalidated when one of its checks is critical;
- KV locks: `PUT /v1/kv/KEY?acquire=SESSION` (true/false), `?release=SESSION`,
  `GET /v1/kv/KEY` (Value base64, Session); invalidating a session that holds a key applies
  Behavior=release (the key stays, unlocked) and refuses the key to all for the lock-delay.
  An explicit release does not start a lock-delay.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit


def _seconds(text: str) -> float:
    match = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s|m)?", text.strip())
    if not match:
        raise ValueError(text)
    value, unit = float(match.group(1)), match.group(2) or "s"
    return value / 1000 if unit == "ms" else value * 60 if unit == "m" else value


class ConsulState:
    def __init__(self) -> None:
        self.mutex = threading.Lock()
        self.checks: dict[str, dict] = {"serfHealth": {"status": "passing", "ttl": None, "expires": None}}
        self.sessions: dict[str, dict] = {}
        self.kv: dict[str, dict] = {}
        self.lock_delay_until: dict[str, float] = {}
        self.index = 1

    def expire(self, now: float) -> None:
        for check in self.checks.values():
            if check["ttl"] and check["status"] == "passing" and now >= check["expires"]:
                check["status"] = "critical"
        for sid, session in list(self.sessions.items()):
            if any(self.checks.get(c, {}).get("status") != "passing" for c in session["checks"]):
                self.invalidate(sid, now)

    def invalidate(self, sid: str, now: float) -> None:
        session = self.sessions.pop(sid, None)
        if session is None:
            return
        for key, entry in list(self.kv.items()):
            if entry.get("session") == sid:
                self.lock_delay_until[key] = now + session["lock_delay"]
                if session["behavior"] == "delete":
                    del self.kv[key]
                else:
                    entry.pop("session")
                    self.index += 1
                    entry["modify"] = self.index


class ConsulStandIn:
    def __init__(self) -> None:
        self.state = ConsulState()
        state = self.state

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status: int, body) -> None:
                data = json.dumps(body).encode() if not isinstance(body, bytes) else body
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _handle(self, method: str) -> None:
                parts = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with state.mutex:
                    now = time.monotonic()
                    state.expire(now)
                    status, answer = route(state, method, unquote(parts.path), query, body, now)
                self._send(status, answer)

            def do_GET(self):
                self._handle("GET")

            def do_PUT(self):
                self._handle("PUT")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def lock_url(self, key: str = "service/nat-ha/leader", lock_delay: str | None = None) -> str:
        query = f"?lock-delay={lock_delay}" if lock_delay else ""
        return f"consul://127.0.0.1:{self.port}/{key}{query}"

    def start(self) -> ConsulStandIn:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def route(state: ConsulState, method: str, path: str, query: dict, body: bytes, now: float):
    if path == "/v1/agent/check/register" and method == "PUT":
        spec = json.loads(body or b"{}")
        ttl = _seconds(spec["TTL"]) if spec.get("TTL") else None
        state.checks[spec.get("ID") or spec["Name"]] = {
            "status": spec.get("Status", "critical"), "ttl": ttl, "expires": now + (ttl or 0)}
        state.expire(now)
        return 200, None
    match = re.fullmatch(r"/v1/agent/check/(pass|fail|deregister)/(.+)", path)
    if match and method == "PUT":
        verb, check_id = match.groups()
        check = state.checks.get(check_id)
        if check is None:
            return 404, f"CheckID {check_id!r} does not have associated TTL"
        if verb == "deregister":
            del state.checks[check_id]
            for sid, session in list(state.sessions.items()):
                if check_id in session["checks"]:
                    state.invalidate(sid, now)
        else:
            check["status"] = "passing" if verb == "pass" else "critical"
            check["expires"] = now + (check["ttl"] or 0)
        state.expire(now)
        return 200, None
    if path == "/v1/session/create" and method == "PUT":
        spec = json.loads(body or b"{}")
        checks = spec.get("Checks", ["serfHealth"])
        for check_id in checks:
            check = state.checks.get(check_id)
            if check is None:
                return 500, f"Missing check '{check_id}' registration"
            if check["status"] != "passing":
                return 500, f"Check '{check_id}' is in critical state"
        sid = str(uuid.uuid4())
        state.sessions[sid] = {"checks": checks, "behavior": spec.get("Behavior", "release"),
                               "lock_delay": _seconds(spec.get("LockDelay", "15s")), "name": spec.get("Name", "")}
        return 200, {"ID": sid}
    match = re.fullmatch(r"/v1/session/(info|destroy)/(.+)", path)
    if match:
        verb, sid = match.groups()
        if verb == "destroy" and method == "PUT":
            state.invalidate(sid, now)
            return 200, True
        session = state.sessions.get(sid)
        return 200, ([{"ID": sid, "Checks": session["checks"], "Behavior": session["behavior"],
                       "LockDelay": int(session["lock_delay"] * 1e9)}] if session else [])
    if path.startswith("/v1/kv/"):
        return _kv(state, method, path[len("/v1/kv/"):], query, body, now)
    return 404, f"no handler for {method} {path}"


def _kv(state: ConsulState, method: str, key: str, query: dict, body: bytes, now: float):
    entry = state.kv.get(key)
    if method == "GET":
        if entry is None:
            return 404, b""
        item = {"Key": key, "Value": base64.b64encode(entry["value"]).decode(), "Flags": 0,
                "LockIndex": entry["lock_index"], "CreateIndex": entry["create"], "ModifyIndex": entry["modify"]}
        if entry.get("session"):
            item["Session"] = entry["session"]
        return 200, [item]
    if "acquire" in query:
        sid = query["acquire"]
        if sid not in state.sessions:
            return 500, f"invalid session {sid!r}"
        if entry and entry.get("session"):
            return 200, entry["session"] == sid
        if now < state.lock_delay_until.get(key, 0):
            return 200, False
        state.index += 1
        if entry is None:
            entry = state.kv[key] = {"create": state.index, "lock_index": 0}
        entry.update(value=body, session=sid, modify=state.index, lock_index=entry["lock_index"] + 1)
        return 200, True
    if "release" in query:
        sid = query["release"]
        if entry is None or entry.get("session") != sid:
            return 200, False
        state.index += 1
        entry.pop("session")
        entry.update(modify=state.index)
        return 200, True
    state.index += 1
    if entry is None:
        entry = state.kv[key] = {"create": state.index, "lock_index": 0}
    entry.update(value=body, modify=state.index)
    return 200, True
