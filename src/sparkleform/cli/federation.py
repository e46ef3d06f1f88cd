"""`sparkleform federation`: serve the AD federation proxy, sign in through it from the CLI,
and write its configuration from an ad_federation stack's outputs.

Everything heavy (Flask, ldap3, boto3) is imported inside the commands.
"""

from __future__ import annotations

import json
import sys

import click

from sparkleform.cli.context import get_settings


def _config_path(local: str | None) -> str:
    # `--config` is also a global option, which main.py hoists in front of the verb.
    path = local or get_settings().config_path
    if not path:
        raise click.UsageError("give the proxy's configuration file with --config FILE")
    return path


@click.group("federation")
def federation_group() -> None:
    """The Active Directory federation proxy (AD groups ∩ IAM roles -> console sign-in)."""


@federation_group.command("serve")
@click.option("--config", "config_path", help="The proxy's TOML configuration file.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8443, show_default=True, type=int, help="Port to listen on.")
@click.option("--cert", help="TLS certificate (PEM); overrides [web] tls_cert_file.")
@click.option("--key", help="TLS private key (PEM); overrides [web] tls_key_file.")
def serve_cmd(config_path, host, port, cert, key) -> None:
    """Run the proxy with the built-in server (for trying it; use gunicorn for real)."""
    from sparkleform.federation.app import create_app
    from sparkleform.federation.broker import Broker, BrokerError
    from sparkleform.federation.config import FederationConfigError, load_config
    from sparkleform.federation.directory import Directory, DirectoryError

    config = load_config(_config_path(config_path))
    ldap, aws = config.require_proxy()
    cert = cert or config.web.tls_cert_file
    key = key or config.web.tls_key_file
    if bool(cert) != bool(key):
        raise click.UsageError("--cert and --key go together")
    directory, broker = Directory(ldap), Broker(aws)
    try:
        identity = broker.check_identity()
        directory.service_connection().unbind()
    except (BrokerError, DirectoryError) as exc:
        raise FederationConfigError(f"cannot start the proxy: {exc}") from None
    app = create_app(config, directory=directory, broker=broker)
    scheme = "https" if cert else "http"
    if not cert:
        click.echo("WARNING: serving over plain HTTP: passwords and session cookies cross the network "
                   "in clear, and browsers drop the Secure session cookie except on localhost. "
                   "Give --cert/--key (or [web] tls_cert_file/tls_key_file).", err=True)
    click.echo(f"federation proxy on {scheme}://{host}:{port}/ as {identity}", err=True)
    from werkzeug.serving import run_simple

    run_simple(host, port, app, threaded=True, ssl_context=(cert, key) if cert else None)


@federation_group.command("login")
@click.option("--config", "config_path", help="TOML file with a [client] table (url, ca_file).")
@click.option("--user", required=True, help="Your AD user name.")
@click.option("--role", help="The role to use (default: the only one you have).")
@click.option("--credentials", "want_credentials", is_flag=True,
              help="Print temporary credentials instead of the console URL.")
@click.option("--format", "fmt", type=click.Choice(["process", "env", "env-no-export", "powershell", "windows-cmd"]),
              default="process", show_default=True, help="Credentials format (as aws configure export-credentials).")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin (for scripts).")
def login_cmd(config_path, user, role, want_credentials, fmt, password_stdin) -> None:
    """Sign in through the proxy: print the console sign-in URL, or credentials."""
    from sparkleform.federation.client import ProxyClient, ProxyClientError, export_credentials
    from sparkleform.federation.config import FederationConfigError, load_config

    config = load_config(_config_path(config_path))
    if not config.client.url:
        raise FederationConfigError(f"{config.path}: [client] url (the proxy's address) is missing")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt(f"AD password for {user}", hide_input=True, err=True)
    client = ProxyClient(config.client.url, config.client.ca_file)
    roles = client.login(user, password)
    del password
    names = [r["role"] for r in roles]
    if role is None:
        if len(names) != 1:
            raise ProxyClientError(f"choose a role with --role: {', '.join(names)}")
        role = names[0]
    elif role.lower() not in (n.lower() for n in names):
        raise ProxyClientError(f"you have no role {role!r}; yours: {', '.join(names)}")
    if want_credentials:
        click.echo(export_credentials(client.credentials(role), fmt))
    else:
        click.echo(client.console_url(role))


@federation_group.command("config")
@click.option("--outputs", "outputs_file", required=True, type=click.File("r"),
              help="The stack's outputs as JSON (`sparkleform outputs STACK --output json`), - for stdin.")
@click.option("--ldap-url", "ldap_urls", multiple=True, required=True, help="ldaps:// or ldap:// URL (repeatable).")
@click.option("--base-dn", required=True, help="Where users and groups are searched.")
@click.option("--start-tls", is_flag=True, help="StartTLS on ldap:// URLs.")
@click.option("--ca-file", help="CA bundle for the directory's certificate.")
@click.option("--bind-dn", help="The proxy's own directory account (anonymous when absent).")
@click.option("--bind-password-file", help="File holding that account's password.")
@click.option("--issuer", default="https://aws-proxy.example/", show_default=True, help="Issuer URL in sign-in URLs.")
@click.option("--federation-endpoint", help="Federation endpoint (default: AWS's for the partition).")
def config_cmd(outputs_file, ldap_urls, base_dn, start_tls, ca_file, bind_dn, bind_password_file, issuer,
               federation_endpoint) -> None:
    """Print a proxy configuration whose [aws] table comes from an ad_federation stack.

    The global --endpoint-url (moto_server, LocalStack) goes into [aws] endpoint_url. [web]
    and [client] keep their defaults; append them to the file when you need them.
    """
    from sparkleform.federation.config import (
        FederationConfigError,
        aws_table_from_outputs,
        parse_config,
        render_toml,
    )

    try:
        outputs = json.load(outputs_file)
    except ValueError as exc:
        raise FederationConfigError(f"--outputs is not JSON: {exc}") from None
    if not isinstance(outputs, dict):
        raise FederationConfigError("--outputs must be a JSON object of output name -> value")
    tables = {
        "ldap": {"urls": list(ldap_urls), "base_dn": base_dn, "start_tls": start_tls, "ca_file": ca_file,
                 "bind_dn": bind_dn, "bind_password_file": bind_password_file},
        "aws": {**aws_table_from_outputs(outputs), "endpoint_url": get_settings().endpoint_url,
                "federation_endpoint": federation_endpoint, "issuer": issuer},
    }
    parse_config(json.loads(json.dumps({k: {kk: vv for kk, vv in v.items() if vv is not None}
                                        for k, v in tables.items()})), "generated configuration")
    click.echo(render_toml(tables), nl=False)
