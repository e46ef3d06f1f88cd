"""The proxy's web flow against a real slapd, moto_server (IAM authorisation on) and the
federation endpoint stand-in, driven through Flask's test client over https://localhost."""

from __future__ import annotations

import json
import re
import urllib.request
from urllib.parse import parse_qs, urlsplit

import _fed_slapd
import boto3
import pytest

ACCOUNT = "123456789012"  # moto's default account

HTTPS = "https://localhost"
SIDS = {g.name: g.sid for g in _fed_slapd.GROUPS}
PASSWORDS = {u.name: u.password for u in _fed_slapd.USERS}


class Web:
    """The test client as a browser: https, cookies, and the CSRF token of the last page."""

    def __init__(self, client) -> None:
        self.client = client
        self.csrf = ""

    def _keep_token(self, response):
        match = re.search(rb'name="csrf_token" value="([^"]+)"', response.data)
        if match:
            self.csrf = match.group(1).decode()
        return response

    def get(self, path, **kw):
        return self._keep_token(self.client.get(path, base_url=HTTPS, **kw))

    def post(self, path, data, csrf=True, **kw):
        data = {**({"csrf_token": self.csrf} if csrf else {}), **data}
        return self._keep_token(self.client.post(path, data=data, base_url=HTTPS, **kw))

    def login(self, user, password=None):
        self.get("/")
        return self.post("/login", {"username": user, "password": PASSWORDS[user] if password is None else password})


def roles_on(page) -> dict[str, str]:
    """role name -> SID shown on the roles page."""
    rows = re.findall(rb'<tr class="role"><td>([^<]+)</td><td>[^<]+<br><span class="sid">([^<]+)</span>', page.data)
    return {r.decode(): s.decode() for r, s in rows}


def audit_lines(tables) -> list[dict]:
    with open(tables["web"]["audit_log"], encoding="utf-8") as f:
        return [json.loads(line) for line in f]


@pytest.fixture
def web(make_client):
    return Web(make_client())


def test_user_sees_exactly_the_groups_that_have_roles_with_their_sids(web):
    page = web.login("alice")
    assert page.status_code == 200
    # alice is in AWS-Administrators, AWS-ReadOnly, Staff and AWS-Billing: Staff's role lies outside
    # the role path, AWS-Billing's group has no objectSid.
    assert roles_on(page) == {"AWS-Administrators": SIDS["AWS-Administrators"], "AWS-ReadOnly": SIDS["AWS-ReadOnly"]}


def test_console_assumes_the_role_and_redirects_to_a_valid_signin_url(web, signin, aws, proxy_tables):
    web.login("alice")
    response = web.post("/console", {"role": "AWS-ReadOnly"})
    assert response.status_code == 302
    location = response.headers["Location"]
    parts = urlsplit(location)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == signin.url
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query["Action"] == "login"
    assert query["Issuer"] == "https://aws-proxy.corp.example/"
    assert query["Destination"] == "https://console.aws.amazon.com/"  # the aws partition's default
    arn, _, duration = signin.tokens[query["SigninToken"]]
    assert arn == f"arn:aws:sts::{ACCOUNT}:assumed-role/AWS-ReadOnly/alice"
    assert duration == 3600
    with urllib.request.urlopen(location, timeout=10) as landed:
        assert arn in landed.read().decode()
    (line,) = [r for r in audit_lines(proxy_tables) if r["event"] == "console"]
    assert line == {**line, "user": "alice", "group": "AWS-ReadOnly", "role": aws.role_arns["AWS-ReadOnly"],
                    "source": "127.0.0.1", "outcome": "ok"}


def test_the_log_never_holds_passwords_tokens_or_urls(web, proxy_tables, caplog):
    web.login("alice", "not-her-password")
    web.login("alice")
    location = web.post("/console", {"role": "AWS-Administrators"}).headers["Location"]
    token = parse_qs(urlsplit(location).query)["SigninToken"][0]
    with open(proxy_tables["web"]["audit_log"], encoding="utf-8") as f:
        text = f.read() + caplog.text
    for secret in ("not-her-password", PASSWORDS["alice"], token, "SigninToken", "Action=login"):
        assert secret not in text
    assert [r["outcome"] for r in audit_lines(proxy_tables)] == ["bad-credentials", "ok", "ok"]


@pytest.mark.parametrize("password", ["wrong", ""])
def test_a_wrong_or_empty_password_is_refused(web, password, proxy_tables):
    # An empty password would be an unauthenticated bind, which LDAP servers accept.
    page = web.login("alice", password)
    assert page.status_code == 401 and b"Unknown user or wrong password" in page.data
    assert web.get("/roles").status_code == 303  # not signed in
    assert audit_lines(proxy_tables)[-1]["outcome"] == "bad-credentials"


@pytest.mark.parametrize("name", ["*", "*)(sAMAccountName=*", "alice)(|(sAMAccountName=*", "al*", "alice\\2a"])
def test_ldap_filter_injection_is_a_name_not_a_filter(web, name):
    # With alice's password: an unescaped filter would find alice (or everyone) and bind as her.
    web.get("/")
    page = web.post("/login", {"username": name, "password": PASSWORDS["alice"]})
    assert page.status_code == 401
    assert web.get("/roles").status_code == 303


@pytest.mark.parametrize("role", ["AWS-PowerUsers", "Staff", "AWS-Billing", "Nope", ""])
def test_a_forged_role_is_refused_and_never_assumed(web, role, signin, proxy_tables):
    web.login("alice")
    before = len(signin.tokens)
    response = web.post("/console", {"role": role})
    assert response.status_code == 403 and b"not entitled" in response.data
    assert len(signin.tokens) == before
    assert audit_lines(proxy_tables)[-1] == {**audit_lines(proxy_tables)[-1], "user": "alice", "role": role,
                                             "outcome": "not-entitled"}


def test_moto_lets_a_missing_external_id_through_so_the_proxy_must_not(aws):
    """Why AWS-Billing (its AD group has no SID) must be refused by the proxy itself."""
    sts = boto3.client("sts", endpoint_url=aws.endpoint, region_name="us-east-1",
                       aws_access_key_id=aws.proxy_key["AccessKeyId"],
                       aws_secret_access_key=aws.proxy_key["SecretAccessKey"])
    arn = aws.role_arns["AWS-Billing"]
    assert sts.assume_role(RoleArn=arn, RoleSessionName="probe")["Credentials"]["AccessKeyId"]
    with pytest.raises(sts.exceptions.ClientError, match="AccessDenied"):
        sts.assume_role(RoleArn=arn, RoleSessionName="probe", ExternalId=f"{_fed_slapd.DOMAIN_SID}-1")


def test_a_stale_sid_is_refused_by_the_roles_trust_policy(web, signin, proxy_tables):
    # bob reaches AWS-PowerUsers through Engineers (nested); the role still names the group's old SID.
    page = web.login("bob")
    assert roles_on(page) == {"AWS-PowerUsers": SIDS["AWS-PowerUsers"], "AWS-ReadOnly": SIDS["AWS-ReadOnly"]}
    before = len(signin.tokens)
    response = web.post("/console", {"role": "AWS-PowerUsers"})
    assert response.status_code == 403 and b"Refused by AWS" in response.data
    assert len(signin.tokens) == before
    assert audit_lines(proxy_tables)[-1]["outcome"] == "refused-by-aws"
    assert web.post("/console", {"role": "AWS-ReadOnly"}).status_code == 302


@pytest.mark.parametrize(("lookup", "nested", "expected"), [
    ("memberOf", "none", {"AWS-ReadOnly"}),
    ("member", "none", {"AWS-ReadOnly"}),
    ("member", "walk", {"AWS-ReadOnly", "AWS-PowerUsers"}),
    ("memberOf", "walk", {"AWS-ReadOnly", "AWS-PowerUsers"}),
])
def test_group_lookup_and_nesting(make_client, lookup, nested, expected):
    def mutate(tables):
        tables["ldap"].update(group_lookup=lookup, nested_groups=nested)

    page = Web(make_client(mutate)).login("bob")
    assert set(roles_on(page)) == expected


def test_a_user_without_matching_groups_gets_no_roles(web):
    page = web.login("carol")
    assert page.status_code == 403 and b"No roles available" in page.data


def test_entitlement_is_checked_again_when_the_role_is_chosen(web, slapd, signin):
    import ldap3

    page = web.login("alice")
    assert "AWS-Administrators" in roles_on(page)
    group = next(g for g in _fed_slapd.GROUPS if g.name == "AWS-Administrators")
    alice = _fed_slapd.User("alice", "").dn
    with ldap3.Connection(slapd.url, _fed_slapd.ADMIN_DN, _fed_slapd.ADMIN_PASSWORD, auto_bind=True) as admin:
        admin.modify(alice, {"memberOf": [(ldap3.MODIFY_DELETE, [group.dn])]})
        admin.modify(group.dn, {"member": [(ldap3.MODIFY_DELETE, [alice])]})
        try:
            assert web.post("/console", {"role": "AWS-Administrators"}).status_code == 403
            assert "AWS-Administrators" not in roles_on(web.get("/roles"))
        finally:
            admin.modify(alice, {"memberOf": [(ldap3.MODIFY_ADD, [group.dn])]})
            admin.modify(group.dn, {"member": [(ldap3.MODIFY_ADD, [alice])]})
    assert web.post("/console", {"role": "AWS-Administrators"}).status_code == 302


def test_every_post_needs_the_csrf_token(web):
    web.get("/")
    assert web.post("/login", {"username": "alice", "password": PASSWORDS["alice"]}, csrf=False).status_code == 400
    assert web.login("alice").status_code == 200
    assert web.post("/console", {"role": "AWS-ReadOnly"}, csrf=False).status_code == 400
    assert web.post("/console", {"role": "AWS-ReadOnly", "csrf_token": "forged"}, csrf=False).status_code == 400
    assert web.post("/logout", {}, csrf=False).status_code == 400


def test_the_token_changes_at_login(web):
    web.get("/")
    before = web.csrf
    web.login("alice")
    assert web.csrf and web.csrf != before


def test_session_cookie_is_signed_httponly_secure_strict_and_short(web, make_client):
    response = web.login("alice")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("sparkleform_proxy=")
    for flag in ("HttpOnly", "Secure", "SameSite=Strict", "Expires="):
        assert flag in cookie
    # a cookie altered by one character is not a session
    other = Web(make_client())
    value = cookie.split(";", 1)[0].split("=", 1)[1]
    other.client.set_cookie("sparkleform_proxy", value[:-2] + ("A" if value[-2] != "A" else "B") + value[-1],
                            domain="localhost")
    assert other.get("/roles").status_code == 303
    other.client.set_cookie("sparkleform_proxy", value, domain="localhost")
    assert other.get("/roles").status_code == 200


def test_failed_logins_are_limited_per_user_and_per_address(make_client, proxy_tables):
    def mutate(tables):
        tables["web"].update(max_failures_per_user=3, max_failures_per_address=5)

    web = Web(make_client(mutate))
    for _ in range(3):
        assert web.login("alice", "guess").status_code == 401
    assert web.login("alice").status_code == 429  # even the right password, until the window passes
    assert web.login("bob", "guess").status_code == 401
    assert web.login("carol", "guess").status_code == 401
    assert web.login("bob").status_code == 429  # the address has used up its failures
    outcomes = [r["outcome"] for r in audit_lines(proxy_tables)]
    assert outcomes.count("rate-limited") == 2


def test_credentials_for_the_cli_need_the_token_header(web, aws):
    web.login("alice")
    assert web.client.get("/credentials?role=AWS-ReadOnly", base_url=HTTPS).status_code == 400
    response = web.client.get("/credentials?role=AWS-ReadOnly", base_url=HTTPS, headers={"X-CSRF-Token": web.csrf})
    assert response.status_code == 200
    creds = response.get_json()
    sts = boto3.client("sts", endpoint_url=aws.endpoint, region_name="us-east-1",
                       aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                       aws_session_token=creds["SessionToken"])
    assert sts.get_caller_identity()["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/AWS-ReadOnly/alice"
    forged = web.client.get("/credentials?role=AWS-PowerUsers", base_url=HTTPS, headers={"X-CSRF-Token": web.csrf})
    assert forged.status_code == 403


def test_credentials_endpoint_is_off_unless_asked_for(make_client):
    web = Web(make_client(lambda t: t["web"].update(credentials_endpoint=False)))
    web.login("alice")
    assert web.client.get("/credentials?role=AWS-ReadOnly", base_url=HTTPS,
                          headers={"X-CSRF-Token": web.csrf}).status_code == 404


def test_ldaps_works_and_an_unknown_ca_is_a_clear_503(make_client, slapd, certs, tmp_path, caplog):
    def ldaps(tables):
        tables["ldap"].update(urls=[slapd.ldaps_url], start_tls=False)

    assert Web(make_client(ldaps)).login("alice").status_code == 200
    from _fed_tls import make_certs

    other_ca = make_certs(tmp_path / "other").ca_file

    def untrusted(tables):
        ldaps(tables)
        tables["ldap"]["ca_file"] = str(other_ca)

    page = Web(make_client(untrusted)).login("alice")
    assert page.status_code == 503 and b"directory cannot be reached" in page.data
    assert "directory error: the directory cannot be reached" in caplog.text


def test_session_duration_is_capped_by_the_roles_maximum(make_client, signin):
    web = Web(make_client(lambda t: t["aws"].update(session_duration=43200)))
    web.login("alice")
    token = parse_qs(urlsplit(web.post("/console", {"role": "AWS-ReadOnly"}).headers["Location"]).query)["SigninToken"]
    assert signin.tokens[token[0]][2] == 3600  # the template's MaxSessionDuration


def test_a_server_without_ads_in_chain_rule_is_named_not_taken_for_no_groups(make_client, caplog):
    # slapd does not implement 1.2.840.113556.1.4.1941: the search matches nothing there.
    page = Web(make_client(lambda t: t["ldap"].update(nested_groups="matching-rule"))).login("bob")
    assert page.status_code == 503
    assert "does not support the matching rule 1.2.840.113556.1.4.1941" in caplog.text


def test_a_session_older_than_its_lifetime_is_over(web, make_client):
    """A cookie signed with the proxy's own key, but 120 s ago, against a 60 s lifetime."""
    import time

    import itsdangerous
    from flask.sessions import SecureCookieSessionInterface

    client = make_client(lambda t: t["web"].update(session_lifetime=60))
    serializer = SecureCookieSessionInterface().get_signing_serializer(client.application)

    class TwoMinutesAgo(itsdangerous.TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - 120

    session = {"user": "alice", "dn": _fed_slapd.User("alice", "").dn, "csrf": "t", "_permanent": True}
    fresh = serializer.dumps(session)
    serializer.signer = TwoMinutesAgo
    stale = serializer.dumps(session)
    for cookie, status in ((stale, 303), (fresh, 200)):
        client.set_cookie("sparkleform_proxy", cookie, domain="localhost")
        assert client.get("/roles", base_url=HTTPS).status_code == status


def test_the_wsgi_module_serves_under_a_plain_wsgi_server(proxy_tables, write_config, aws, monkeypatch):
    """sparkleform.federation.wsgi:app (what gunicorn loads) under the stdlib's wsgiref server."""
    import importlib
    import sys
    import threading
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    from sparkleform.federation.config import FederationConfigError

    monkeypatch.delenv("SPARKLEFORM_FEDERATION_CONFIG", raising=False)
    sys.modules.pop("sparkleform.federation.wsgi", None)
    with pytest.raises(FederationConfigError, match="set SPARKLEFORM_FEDERATION_CONFIG"):
        importlib.import_module("sparkleform.federation.wsgi")
    monkeypatch.setenv("SPARKLEFORM_FEDERATION_CONFIG", str(write_config(proxy_tables)))
    for key, value in aws.env().items():
        monkeypatch.setenv(key, value)
    sys.modules.pop("sparkleform.federation.wsgi", None)
    app = importlib.import_module("sparkleform.federation.wsgi").app

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = make_server("127.0.0.1", 0, app, handler_class=Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.server_port}/", timeout=10) as page:
            body = page.read()
            assert page.status == 200 and b'id="username"' in body
            assert "HttpOnly" in page.headers["Set-Cookie"]
    finally:
        server.shutdown()
        server.server_close()


def test_users_can_be_found_by_user_principal_name_and_keep_the_directorys_spelling(make_client, signin):
    web = Web(make_client(lambda t: t["ldap"].update(user_attribute="userPrincipalName")))
    web.get("/")
    page = web.post("/login", {"username": "ALICE@corp.example", "password": PASSWORDS["alice"]})
    assert page.status_code == 200 and b'id="user">alice@corp.example<' in page.data
    location = web.post("/console", {"role": "AWS-ReadOnly"}).headers["Location"]
    token = parse_qs(urlsplit(location).query)["SigninToken"][0]
    assert signin.tokens[token][0] == f"arn:aws:sts::{ACCOUNT}:assumed-role/AWS-ReadOnly/alice@corp.example"
    web.get("/")
    assert web.post("/login", {"username": "alice", "password": PASSWORDS["alice"]}).status_code == 401
