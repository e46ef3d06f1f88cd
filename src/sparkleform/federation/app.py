"""The proxy as a Flask (WSGI) app: login form, LDAP bind, the entitled roles, AssumeRole with
the group's SID, and a 302 to the console sign-in URL; JSON for the CLI client.

Flask: a small, long-maintained WSGI framework (Pallets) whose signed-cookie sessions
(itsdangerous) and Werkzeug server cover what the proxy needs without a database; any WSGI
server (gunicorn, uWSGI, uvicorn --interface wsgi) runs `sparkleform.federation.wsgi:app`.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from sparkleform.federation import pages
from sparkleform.federation.broker import Broker, BrokerError, Entitlement, RoleRefused
from sparkleform.federation.config import FederationConfig, FederationConfigError
from sparkleform.federation.directory import AuthenticationFailed, Directory, DirectoryError
from sparkleform.federation.guard import FailureLimiter, audit, audit_logger

CSRF_HEADER = "X-CSRF-Token"
log = logging.getLogger("sparkleform.federation")


def _secret_key(config: FederationConfig) -> bytes:
    path = config.web.secret_key_file
    if not path:
        log.warning("no [web] secret_key_file: a random key, so sessions end on restart and "
                    "cannot be shared between workers")
        return secrets.token_bytes(32)
    try:
        key = Path(path).read_bytes().strip()
    except OSError as exc:
        raise FederationConfigError(f"cannot read [web] secret_key_file {path}: {exc.strerror or exc}") from None
    if len(key) < 32:
        raise FederationConfigError(f"[web] secret_key_file {path} holds fewer than 32 bytes")
    return key


def create_app(config: FederationConfig, *, directory: Directory | None = None, broker: Broker | None = None):
    from flask import Flask, abort, jsonify, redirect, render_template_string, request, session, url_for
    from markupsafe import Markup

    config.require_proxy()
    assert config.ldap is not None and config.aws is not None
    app = Flask("sparkleform.federation")
    app.config.update(
        SECRET_KEY=_secret_key(config),
        SESSION_COOKIE_NAME="sparkleform_proxy",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SECURE=True,
        SESSION_COOKIE_SAMESITE="Strict",
        PERMANENT_SESSION_LIFETIME=timedelta(seconds=config.web.session_lifetime),
        MAX_CONTENT_LENGTH=16 * 1024,
    )
    if config.web.trusted_proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # Flask documents wrapping it so
            app.wsgi_app, x_for=config.web.trusted_proxies, x_proto=config.web.trusted_proxies)
    directory = directory or Directory(config.ldap)
    broker = broker or Broker(config.aws)
    per_user = FailureLimiter(config.web.max_failures_per_user, config.web.failure_window)
    per_address = FailureLimiter(config.web.max_failures_per_address, config.web.failure_window)
    audit_log = audit_logger(config.web.audit_log)
    endpoint = urlsplit(config.aws.federation_url)
    form_targets = f"'self' {endpoint.scheme}://{endpoint.netloc}"
    app.extensions["sparkleform.federation"] = {"directory": directory, "broker": broker,
                                                "per_user": per_user, "per_address": per_address}

    def render(template: str, status: int = 200, **values):
        body = render_template_string(template, **values)
        page = render_template_string(pages.LAYOUT, title=values.get("title", "AWS"), body=Markup(body))
        return page, status

    def wants_json() -> bool:
        return request.accept_mimetypes.best == "application/json"

    def fail(status: int, title: str, message: str):
        if wants_json():
            return jsonify(error=message), status
        return render(pages.MESSAGE, status, title=title, message=message)

    def csrf_token() -> str:
        if "csrf" not in session:
            session["csrf"] = secrets.token_urlsafe(32)
        return session["csrf"]

    def check_csrf() -> None:
        sent = request.form.get("csrf_token") or request.headers.get(CSRF_HEADER) or ""
        expected = session.get("csrf", "")
        if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
            abort(400, "the form is stale or was not sent by this site (CSRF check); reload the sign-in page")

    def current_entitlements(user: str, dn: str | None = None) -> list[Entitlement]:
        """The user's roles now: groups from the directory ∩ roles from IAM (never from a form)."""
        person, groups = directory.lookup(user)
        if person is None or (dn is not None and person.dn.lower() != dn.lower()):
            return []
        return broker.entitlements(groups)

    def roles_page(user: str, roles: list[Entitlement]):
        if wants_json():
            data = [{"role": r.role_name, "arn": r.role_arn, "group": r.group, "sid": r.sid} for r in roles]
            return jsonify(user=user, roles=data, csrf_token=csrf_token()), (200 if roles else 403)
        return render(pages.ROLES, 200 if roles else 403, title="Choose a role", user=user, roles=roles,
                      csrf=csrf_token())

    @app.after_request
    def headers(response):
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Content-Security-Policy"] = (
            f"default-src 'none'; style-src 'unsafe-inline'; form-action {form_targets}; "
            "frame-ancestors 'none'; base-uri 'none'"
        )
        if request.is_secure:
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        return response

    @app.errorhandler(DirectoryError)
    def directory_down(exc):
        log.error("directory error: %s", exc)
        return fail(503, "Directory unavailable", "The directory cannot be reached or refused the proxy's "
                    "query; try again later or tell your administrators.")

    @app.errorhandler(BrokerError)
    def aws_down(exc):
        log.error("AWS error: %s", exc)
        return fail(502, "AWS unavailable", "AWS did not answer as expected; try again later.")

    @app.get("/")
    def index():
        if wants_json():  # the CLI client: a session and its CSRF token, then POST /login
            return jsonify(csrf_token=csrf_token())
        if session.get("user"):
            return redirect(url_for("roles"), 303)
        return render(pages.LOGIN, title="Sign in", csrf=csrf_token(), error=None, username="")

    @app.post("/login")
    def login():
        check_csrf()
        username = request.form.get("username", "").strip()
        password = request.form.get("password", "")
        address = request.remote_addr or "-"
        user_key = username.lower()
        if per_user.blocked(user_key) or per_address.blocked(address):
            audit(audit_log, "login", user=username, address=address, outcome="rate-limited")
            return fail(429, "Too many attempts", "Too many failed sign-ins; wait a few minutes.")
        try:
            person = directory.authenticate(username, password)
        except AuthenticationFailed:
            per_user.fail(user_key)
            per_address.fail(address)
            audit(audit_log, "login", user=username, address=address, outcome="bad-credentials")
            if wants_json():
                return jsonify(error="unknown user or wrong password"), 401
            return render(pages.LOGIN, 401, title="Sign in", csrf=csrf_token(), username=username,
                          error="Unknown user or wrong password.")
        finally:
            del password
        per_user.reset(user_key)
        session.clear()  # a new session (and CSRF token) at the privilege change
        session.permanent = True
        session["user"], session["dn"] = person.name, person.dn
        roles = broker.entitlements(directory.groups(person))
        audit(audit_log, "login", user=person.name, address=address, outcome="ok" if roles else "no-roles")
        return roles_page(person.name, roles)

    @app.get("/roles")
    def roles():
        user = session.get("user")
        if not user:
            return redirect(url_for("index"), 303) if not wants_json() else (jsonify(error="not signed in"), 401)
        return roles_page(user, current_entitlements(user, session.get("dn")))

    def chosen(role_name: str, event: str):
        """(user, entitlement) when the role is in the user's entitled list right now, else a response."""
        user = session.get("user")
        address = request.remote_addr or "-"
        if not user:
            audit(audit_log, event, user=None, address=address, role=role_name, outcome="no-session")
            return None, fail(401, "Signed out", "Your session has ended; sign in again.")
        match = [e for e in current_entitlements(user, session.get("dn")) if e.role_name.lower() == role_name.lower()]
        if not match:
            audit(audit_log, event, user=user, address=address, role=role_name, outcome="not-entitled")
            return None, fail(403, "Not allowed", "You are not entitled to that role.")
        return (user, match[0]), None

    def assume(user: str, entitlement: Entitlement, event: str):
        address = request.remote_addr or "-"
        try:
            credentials = broker.assume(entitlement, user)
        except RoleRefused:
            audit(audit_log, event, user=user, address=address, group=entitlement.group,
                  role=entitlement.role_arn, outcome="refused-by-aws")
            return None, fail(403, "Refused by AWS", "AWS refused the role for your group (its SID does not "
                              "match the role's trust policy); ask your AWS administrators.")
        return credentials, None

    @app.post("/console")
    def console():
        check_csrf()
        found, error = chosen(request.form.get("role", ""), "console")
        if error:
            return error
        user, entitlement = found
        credentials, error = assume(user, entitlement, "console")
        if error:
            return error
        url = broker.signin_url(credentials, broker.duration(entitlement))
        audit(audit_log, "console", user=user, address=request.remote_addr or "-", group=entitlement.group,
              role=entitlement.role_arn, outcome="ok")
        return redirect(url, 302)

    @app.get("/credentials")
    def credentials():
        if not config.web.credentials_endpoint:
            abort(404)
        # A GET with an effect: the CSRF token must come in a header a cross-site page cannot set.
        check_csrf()
        found, error = chosen(request.args.get("role", ""), "credentials")
        if error:
            return error
        user, entitlement = found
        creds, error = assume(user, entitlement, "credentials")
        if error:
            return error
        audit(audit_log, "credentials", user=user, address=request.remote_addr or "-", group=entitlement.group,
              role=entitlement.role_arn, outcome="ok")
        expiration = creds["Expiration"]
        return jsonify(Version=1, AccessKeyId=creds["AccessKeyId"], SecretAccessKey=creds["SecretAccessKey"],
                       SessionToken=creds["SessionToken"],
                       Expiration=expiration.isoformat() if hasattr(expiration, "isoformat") else str(expiration))

    @app.post("/logout")
    def logout():
        check_csrf()
        session.clear()
        return redirect(url_for("index"), 303)

    return app
