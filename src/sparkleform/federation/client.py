"""The CLI's side of the proxy: sign in over HTTPS like the login form does, then ask for the
console URL (the proxy's 302) or for temporary credentials (GET /credentials), and print
credentials in the formats of `aws configure export-credentials`."""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.parse
import urllib.request
from http.cookies import SimpleCookie

from sparkleform.errors import SparkleformError

EXPORT_FORMATS = ("process", "env", "env-no-export", "powershell", "windows-cmd")


class ProxyClientError(SparkleformError):
    """The proxy refused or could not be reached."""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # the 302 is the answer (the console URL), not something to follow


class ProxyClient:
    def __init__(self, url: str, ca_file: str | None = None) -> None:
        self.url = url.rstrip("/") + "/"
        context = ssl.create_default_context(cafile=ca_file) if url.startswith("https://") else None
        handlers: list = [_NoRedirect()]
        if context is not None:
            handlers.append(urllib.request.HTTPSHandler(context=context))
        self.opener = urllib.request.build_opener(*handlers)
        self.cookies: dict[str, str] = {}
        self.csrf = ""

    def _request(self, method: str, path: str, form: dict | None = None, query: dict | None = None):
        url = urllib.parse.urljoin(self.url, path) + (f"?{urllib.parse.urlencode(query)}" if query else "")
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(url, data=data, method=method)
        request.add_header("Accept", "application/json")
        if self.csrf:
            request.add_header("X-CSRF-Token", self.csrf)
        if self.cookies:
            request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        try:
            response = self.opener.open(request, timeout=30)
        except urllib.error.HTTPError as exc:
            response = exc  # 3xx (not followed) and 4xx/5xx carry what we need
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ProxyClientError(f"cannot reach the proxy at {self.url}: {reason}") from None
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            self.cookies.update({name: morsel.value for name, morsel in cookie.items()})
        body = response.read()
        return response.status, response.headers, body

    @staticmethod
    def _json(status: int, body: bytes) -> dict:
        try:
            data = json.loads(body.decode("utf-8"))
        except ValueError:
            raise ProxyClientError(f"the proxy answered {status} without JSON: is the URL right?") from None
        if status >= 400:
            raise ProxyClientError(f"the proxy refused ({status}): {data.get('error', 'no reason given')}")
        return data

    def login(self, user: str, password: str) -> list[dict]:
        """Sign in; the roles the user may choose from."""
        self.csrf = self._json(*self._request("GET", "")[::2]).get("csrf_token", "")
        status, _, body = self._request("POST", "login", form={"username": user, "password": password,
                                                                "csrf_token": self.csrf})
        if status == 403:
            raise ProxyClientError("no roles available: none of your AD groups has an AWS role")
        data = self._json(status, body)
        self.csrf = data["csrf_token"]
        return data["roles"]

    def console_url(self, role: str) -> str:
        status, headers, body = self._request("POST", "console", form={"role": role, "csrf_token": self.csrf})
        if status == 302 and headers.get("Location"):
            return headers["Location"]
        self._json(status, body)
        raise ProxyClientError(f"the proxy answered {status} instead of a sign-in redirect")

    def credentials(self, role: str) -> dict:
        status, _, body = self._request("GET", "credentials", query={"role": role})
        if status == 404:
            raise ProxyClientError("the proxy does not hand out credentials ([web] credentials_endpoint = false)")
        return self._json(status, body)


def export_credentials(creds: dict, fmt: str) -> str:
    """Credentials as `aws configure export-credentials --format FMT` prints them."""
    keys = [("AWS_ACCESS_KEY_ID", creds["AccessKeyId"]), ("AWS_SECRET_ACCESS_KEY", creds["SecretAccessKey"]),
            ("AWS_SESSION_TOKEN", creds["SessionToken"]), ("AWS_CREDENTIAL_EXPIRATION", creds["Expiration"])]
    if fmt == "process":
        return json.dumps({"Version": 1, "AccessKeyId": creds["AccessKeyId"],
                           "SecretAccessKey": creds["SecretAccessKey"], "SessionToken": creds["SessionToken"],
                           "Expiration": creds["Expiration"]}, indent=2)
    if fmt == "env":
        return "\n".join(f"export {k}={v}" for k, v in keys)
    if fmt == "env-no-export":
        return "\n".join(f"{k}={v}" for k, v in keys)
    if fmt == "powershell":
        return "\n".join(f'$Env:{k}="{v}"' for k, v in keys)
    if fmt == "windows-cmd":
        return "\n".join(f"set {k}={v}" for k, v in keys)
    raise ValueError(fmt)
