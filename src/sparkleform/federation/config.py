"""The proxy's configuration: a TOML file with [ldap], [aws], [web] and [client] tables,
read and checked into dataclasses; and the [aws] table built from the ad_federation outputs."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from sparkleform.errors import SparkleformError

# Federation endpoint and console by partition (AWS's documented sign-in hosts).
PARTITIONS = {
    "aws": ("https://signin.aws.amazon.com/federation", "https://console.aws.amazon.com/"),
    "aws-us-gov": ("https://signin.amazonaws-us-gov.com/federation", "https://console.amazonaws-us-gov.com/"),
    "aws-cn": ("https://signin.amazonaws.cn/federation", "https://console.amazonaws.cn/"),
}
USER_ATTRIBUTES = ("sAMAccountName", "userPrincipalName")
GROUP_LOOKUPS = ("memberOf", "member")
NESTED_MODES = ("none", "matching-rule", "walk")
MIN_SESSION, MAX_SESSION = 900, 43200


class FederationConfigError(SparkleformError):
    """The proxy's configuration file is missing, unreadable or wrong."""


@dataclass
class LdapConfig:
    urls: list[str]
    base_dn: str
    start_tls: bool = False
    ca_file: str | None = None
    user_attribute: str = "sAMAccountName"
    bind_dn: str | None = None
    bind_password_file: str | None = None
    group_lookup: str = "memberOf"
    nested_groups: str = "none"
    timeout: float = 10.0

    def bind_password(self) -> str | None:
        if not self.bind_password_file:
            return None
        try:
            return Path(self.bind_password_file).read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as exc:
            raise FederationConfigError(
                f"cannot read [ldap] bind_password_file {self.bind_password_file}: {exc.strerror or exc}"
            ) from None


@dataclass
class AwsConfig:
    region: str
    partition: str = "aws"
    role_path_prefix: str = "/"
    proxy_user_arn: str | None = None
    endpoint_url: str | None = None
    profile: str | None = None
    session_duration: int = 3600
    federation_endpoint: str | None = None
    issuer: str = "https://aws-proxy.example/"
    destination: str | None = None

    @property
    def federation_url(self) -> str:
        return self.federation_endpoint or PARTITIONS[self.partition][0]

    @property
    def destination_url(self) -> str:
        return self.destination or PARTITIONS[self.partition][1]


@dataclass
class WebConfig:
    secret_key_file: str | None = None
    session_lifetime: int = 600
    tls_cert_file: str | None = None
    tls_key_file: str | None = None
    credentials_endpoint: bool = False
    max_failures_per_user: int = 5
    max_failures_per_address: int = 20
    failure_window: int = 300
    audit_log: str | None = None
    trusted_proxies: int = 0


@dataclass
class ClientConfig:
    url: str | None = None
    ca_file: str | None = None


@dataclass
class FederationConfig:
    ldap: LdapConfig | None
    aws: AwsConfig | None
    web: WebConfig = field(default_factory=WebConfig)
    client: ClientConfig = field(default_factory=ClientConfig)
    path: Path | None = None

    def require_proxy(self) -> tuple[LdapConfig, AwsConfig]:
        """The proxy's [ldap] and [aws] tables, which it needs (the CLI client needs only [client])."""
        missing = [name for name in ("ldap", "aws") if getattr(self, name) is None]
        if missing or self.ldap is None or self.aws is None:
            raise FederationConfigError(f"{self.path}: the proxy needs the table(s) " + ", ".join(f"[{m}]" for m in missing))
        return self.ldap, self.aws


def _table(cls, data: Any, name: str, where: str):
    if not isinstance(data, dict):
        raise FederationConfigError(f"{where}: [{name}] must be a table")
    known = {f.name: f for f in fields(cls)}
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise FederationConfigError(f"{where}: unknown key(s) in [{name}]: {', '.join(unknown)}")
    try:
        return cls(**data)
    except TypeError as exc:
        raise FederationConfigError(f"{where}: [{name}] {exc}".replace("__init__() ", "")) from None


def _check(config: FederationConfig, where: str) -> None:
    def bad(message: str) -> FederationConfigError:
        return FederationConfigError(f"{where}: {message}")

    if config.ldap is not None:
        ldap = config.ldap
        if isinstance(ldap.urls, str):
            ldap.urls = [ldap.urls]
        if not ldap.urls or not all(isinstance(u, str) and u.startswith(("ldap://", "ldaps://")) for u in ldap.urls):
            raise bad("[ldap] urls must be ldap:// or ldaps:// URLs")
        if ldap.user_attribute not in USER_ATTRIBUTES:
            raise bad(f"[ldap] user_attribute must be one of {', '.join(USER_ATTRIBUTES)}")
        if ldap.group_lookup not in GROUP_LOOKUPS:
            raise bad(f"[ldap] group_lookup must be one of {', '.join(GROUP_LOOKUPS)}")
        if ldap.nested_groups not in NESTED_MODES:
            raise bad(f"[ldap] nested_groups must be one of {', '.join(NESTED_MODES)}")
        if ldap.bind_password_file and not ldap.bind_dn:
            raise bad("[ldap] bind_password_file needs bind_dn")
        if ldap.start_tls and any(u.startswith("ldaps://") for u in ldap.urls):
            raise bad("[ldap] start_tls is for ldap:// URLs; ldaps:// is TLS already")
    if config.aws is not None:
        aws = config.aws
        if aws.partition not in PARTITIONS:
            raise bad(f"[aws] partition must be one of {', '.join(PARTITIONS)}")
        if not isinstance(aws.session_duration, int) or not MIN_SESSION <= aws.session_duration <= MAX_SESSION:
            raise bad(f"[aws] session_duration must be {MIN_SESSION}..{MAX_SESSION} seconds")
        if not (aws.role_path_prefix.startswith("/") and aws.role_path_prefix.endswith("/")):
            raise bad("[aws] role_path_prefix must start and end with / (an IAM path such as /ad-federation/)")
    web = config.web
    if bool(web.tls_cert_file) != bool(web.tls_key_file):
        raise bad("[web] tls_cert_file and tls_key_file go together")
    if not 60 <= web.session_lifetime <= 3600:
        raise bad("[web] session_lifetime must be 60..3600 seconds")


def parse_config(data: dict, where: str = "<config>", path: Path | None = None) -> FederationConfig:
    unknown = sorted(set(data) - {"ldap", "aws", "web", "client"})
    if unknown:
        raise FederationConfigError(f"{where}: unknown table(s): {', '.join(unknown)}")
    config = FederationConfig(
        ldap=_table(LdapConfig, data["ldap"], "ldap", where) if "ldap" in data else None,
        aws=_table(AwsConfig, data["aws"], "aws", where) if "aws" in data else None,
        web=_table(WebConfig, data.get("web", {}), "web", where),
        client=_table(ClientConfig, data.get("client", {}), "client", where),
        path=path,
    )
    _check(config, where)
    return config


def load_config(path: str | Path) -> FederationConfig:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise FederationConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise FederationConfigError(f"{path}: not valid TOML: {exc}") from None
    return parse_config(data, str(path), path)


# ad_federation output -> [aws] key: the template's outputs and this map are kept equal by a test.
OUTPUT_KEYS = {"Region": "region", "Partition": "partition", "RolePathPrefix": "role_path_prefix",
               "ProxyUserArn": "proxy_user_arn"}


def aws_table_from_outputs(outputs: dict[str, str]) -> dict[str, str]:
    """The [aws] table from the outputs of an ad_federation stack (all four are needed)."""
    missing = sorted(set(OUTPUT_KEYS) - set(outputs))
    if missing:
        raise FederationConfigError(
            f"the stack outputs lack {', '.join(missing)}: is it an ad_federation stack of this version?"
        )
    return {key: str(outputs[name]) for name, key in OUTPUT_KEYS.items()}


def _toml_value(value: Any) -> str:
    import json

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(str(value))  # a JSON string is a valid TOML basic string


def render_toml(tables: dict[str, dict[str, Any]]) -> str:
    """A TOML document of flat tables (what `sparkleform federation config` writes)."""
    out = []
    for name, table in tables.items():
        out.append(f"[{name}]")
        out += [f"{key} = {_toml_value(value)}" for key, value in table.items() if value is not None]
        out.append("")
    return "\n".join(out)
