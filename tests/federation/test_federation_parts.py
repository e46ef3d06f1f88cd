"""The proxy's parts that need no server: SIDs, RFC 4515 escaping, the configuration file,
the failure limiter, the role intersection and the credentials formats."""

from __future__ import annotations

import json

import pytest

from sparkleform.federation.broker import entitlements, session_name
from sparkleform.federation.client import export_credentials
from sparkleform.federation.config import FederationConfigError, load_config, parse_config
from sparkleform.federation.directory import Group, escape_filter_value
from sparkleform.federation.guard import FailureLimiter
from sparkleform.federation.sid import SidError, sid_to_str, str_to_sid

# BUILTIN\Administrators as MS-DTYP 2.4.2.2 lays it out.
ADMINISTRATORS = bytes.fromhex("01020000000000052000000020020000")


def test_sid_binary_and_text_forms():
    assert sid_to_str(ADMINISTRATORS) == "S-1-5-32-544"
    assert str_to_sid("S-1-5-32-544") == ADMINISTRATORS
    domain = "S-1-5-21-1004336348-1177238915-682003330-512"
    assert sid_to_str(str_to_sid(domain)) == domain and len(str_to_sid(domain)) == 8 + 4 * 5
    for bad in (b"\x01\x02\x00", ADMINISTRATORS[:-1]):
        with pytest.raises(SidError):
            sid_to_str(bad)
    with pytest.raises(SidError):
        str_to_sid("S-1-5-21-x")


@pytest.mark.parametrize(("value", "escaped"), [
    # RFC 4515 section 4's examples, and the injection the issue names
    ("Parens R Us (for all your parenthetical needs)", r"Parens R Us \28for all your parenthetical needs\29"),
    ("*", r"\2a"),
    ("C:\\MyFile", r"C:\5cMyFile"),
    ("\x00\x00\x00\x04", r"\00\00\00" + "\x04"),
    ("Lučić", r"Lu\c4\8di\c4\87"),
    ("*)(uid=*", r"\2a\29\28uid=\2a"),
])
def test_filter_values_are_escaped_as_rfc_4515_says(value, escaped):
    assert escape_filter_value(value) == escaped


BASE = {"ldap": {"urls": ["ldaps://dc.corp.example"], "base_dn": "dc=corp,dc=example"},
        "aws": {"region": "us-east-1"}}


@pytest.mark.parametrize(("change", "message"), [
    ({"ldap": {"urls": ["http://dc"]}}, "urls must be ldap:// or ldaps://"),
    ({"ldap": {"user_attribute": "uid"}}, "user_attribute must be one of sAMAccountName, userPrincipalName"),
    ({"ldap": {"group_lookup": "groups"}}, "group_lookup must be one of memberOf, member"),
    ({"ldap": {"nested_groups": "yes"}}, "nested_groups must be one of none, matching-rule, walk"),
    ({"ldap": {"start_tls": True}}, "start_tls is for ldap:// URLs"),
    ({"ldap": {"bind_password_file": "/x"}}, "bind_password_file needs bind_dn"),
    ({"ldap": {"password": "x"}}, "unknown key(s) in [ldap]: password"),
    ({"aws": {"session_duration": 899}}, "session_duration must be 900..43200"),
    ({"aws": {"session_duration": 43201}}, "session_duration must be 900..43200"),
    ({"aws": {"partition": "aws-iso"}}, "partition must be one of aws, aws-us-gov, aws-cn"),
    ({"aws": {"role_path_prefix": "ad"}}, "role_path_prefix must start and end with /"),
    ({"web": {"tls_cert_file": "c.pem"}}, "tls_cert_file and tls_key_file go together"),
    ({"web": {"session_lifetime": 86400}}, "session_lifetime must be 60..3600"),
    ({"extra": {}}, "unknown table(s): extra"),
])
def test_configuration_mistakes_are_named(change, message):
    data = json.loads(json.dumps(BASE))
    for table, values in change.items():
        data.setdefault(table, {}).update(values)
    with pytest.raises(FederationConfigError) as caught:
        parse_config(data, "proxy.toml")
    assert str(caught.value).startswith("proxy.toml: ") and message in str(caught.value)


def test_partition_picks_the_federation_endpoint_and_console(tmp_path):
    config = parse_config({**BASE, "aws": {"region": "us-gov-west-1", "partition": "aws-us-gov"}})
    assert config.aws.federation_url == "https://signin.amazonaws-us-gov.com/federation"
    assert config.aws.destination_url == "https://console.amazonaws-us-gov.com/"
    assert parse_config(BASE).aws.federation_url == "https://signin.aws.amazon.com/federation"
    (tmp_path / "bad.toml").write_text("[ldap\n")
    with pytest.raises(FederationConfigError, match="not valid TOML"):
        load_config(tmp_path / "bad.toml")
    with pytest.raises(FederationConfigError, match="cannot read"):
        load_config(tmp_path / "absent.toml")


def test_failures_are_forgotten_after_the_window():
    now = [0.0]
    limiter = FailureLimiter(limit=2, window=60, clock=lambda: now[0])
    limiter.fail("alice")
    assert not limiter.blocked("alice")
    limiter.fail("alice")
    assert limiter.blocked("alice") and not limiter.blocked("bob")
    now[0] = 61
    assert not limiter.blocked("alice")


def test_roles_are_matched_by_name_case_insensitively_and_only_with_a_sid():
    groups = [Group("aws-readonly", "cn=a", "S-1-5-21-1-2-3-4"), Group("AWS-Billing", "cn=b", None)]
    roles = [{"RoleName": "AWS-ReadOnly", "Arn": "arn:r", "MaxSessionDuration": 7200},
             {"RoleName": "AWS-Billing", "Arn": "arn:b"}, {"RoleName": "Other", "Arn": "arn:o"}]
    (only,) = entitlements(groups, roles)
    assert (only.role_name, only.group, only.sid, only.max_session_duration) == (
        "AWS-ReadOnly", "aws-readonly", "S-1-5-21-1-2-3-4", 7200)


def test_session_names_keep_to_what_sts_accepts():
    assert session_name("alice@corp.example") == "alice@corp.example"
    assert session_name("CORP\\alice smith") == "CORP-alice-smith"
    assert session_name("a") == "a-" and len(session_name("x" * 100)) == 64


def test_credentials_formats_follow_aws_configure_export_credentials():
    creds = {"AccessKeyId": "ASIAX", "SecretAccessKey": "s", "SessionToken": "t", "Expiration": "2030-01-01T00:00:00Z"}
    assert json.loads(export_credentials(creds, "process")) == {"Version": 1, **creds}
    assert export_credentials(creds, "env-no-export").splitlines()[0] == "AWS_ACCESS_KEY_ID=ASIAX"
    assert export_credentials(creds, "powershell").splitlines()[2] == '$Env:AWS_SESSION_TOKEN="t"'
    assert export_credentials(creds, "windows-cmd").splitlines()[3] == "set AWS_CREDENTIAL_EXPIRATION=2030-01-01T00:00:00Z"
