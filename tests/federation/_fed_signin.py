"""A stand-in for AWS's federation endpoint (signin.aws.amazon.com/federation), which cannot
be reached from the test machine. It implements the two requests AWS documents for a custom
identity broker, on 127.0.0.1:

* `GET /federation?Action=getSigninToken&SessionDuration=N&Session={"sessionId","sessionKey",
  "sessionToken"}` -> `{"SigninToken": "..."}`. The credentials are checked the way only AWS
  could: the stand-in calls sts:GetCallerIdentity with them at the STS endpoint it was given
  (moto_server), and remembers whose they are with the token (15 minutes, as AWS's tokens).
* `GET /federation?Action=login&Issuer=...&Destination=...&SigninToken=...` -> a page naming
  the assumed role, or 400 for an unknown or expired token.

Runnable for docs/federation.md: `python tests/federation/_fed_signin.py PORT STS_ENDPOINT`.
"""

from __future__ import annotations

import html
import json
import secrets
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

TOKEN_LIFETIME = 15 * 60


@dataclass
class SigninStandIn:
    sts_endpoint: str
    region: str = "us-east-1"
    tokens: dict[str, tuple[str, float, int]] = field(default_factory=dict)
    logins: list[dict] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/federation"

    def caller(self, session: dict) -> str:
        import boto3

        sts = boto3.client("sts", endpoint_url=self.sts_endpoint, region_name=self.region,
                           aws_access_key_id=session["sessionId"], aws_secret_access_key=session["sessionKey"],
                           aws_session_token=session["sessionToken"])
        return sts.get_caller_identity()["Arn"]

    def handle(self, query: dict[str, str]) -> tuple[int, str, str]:
        action = query.get("Action")
        if action == "getSigninToken":
            try:
                session = json.loads(query["Session"])
                duration = int(query.get("SessionDuration", "43200"))
                if not 900 <= duration <= 43200:
                    return 400, "text/plain", "SessionDuration must be 900..43200"
                arn = self.caller(session)
            except Exception as exc:  # any bad input is a 400, as the real endpoint answers
                return 400, "text/plain", f"bad session: {type(exc).__name__}"
            if ":assumed-role/" not in arn:
                return 400, "text/plain", "the session is not a role session"
            token = secrets.token_urlsafe(48)
            self.tokens[token] = (arn, time.time() + TOKEN_LIFETIME, duration)
            return 200, "application/json", json.dumps({"SigninToken": token})
        if action == "login":
            entry = self.tokens.get(query.get("SigninToken", ""))
            if entry is None or entry[1] < time.time():
                return 400, "text/plain", "unknown or expired SigninToken"
            arn, _, duration = entry
            self.logins.append({"arn": arn, "issuer": query.get("Issuer"), "destination": query.get("Destination"),
                                "duration": duration})
            page = (f"<!doctype html><title>AWS console (stand-in)</title><h1>Console (stand-in)</h1>"
                    f"<p>Signed in as <code id='arn'>{html.escape(arn)}</code></p>"
                    f"<p>Destination <code id='destination'>{html.escape(query.get('Destination', ''))}</code></p>")
            return 200, "text/html", page
        return 400, "text/plain", "unknown Action"

    def start(self, port: int = 0) -> SigninStandIn:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                parts = urlsplit(self.path)
                if parts.path != "/federation":
                    self.send_error(404)
                    return
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                status, ctype, body = standin.handle(query)
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):  # the query holds credentials: log nothing
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


if __name__ == "__main__":  # pragma: no cover - the docs' manual run
    standin = SigninStandIn(sys.argv[2]).start(int(sys.argv[1]))
    print(f"federation endpoint stand-in on {standin.url}")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        standin.stop()
