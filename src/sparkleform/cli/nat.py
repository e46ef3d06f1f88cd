"""`sparkleform nat-agent run|peers|status`: the NAT high-availability agent's commands.

`--config`, `--region` and `--endpoint-url` are global options too (accepted anywhere on
the line): here `--config` is the agent's JSON config file, not sparkleform.toml.
"""

from __future__ import annotations

import json
import signal
import threading

import click

from sparkleform.cli.context import get_settings

CONFIG_HELP = "Agent config file written by the nat_ha template (default /etc/nat-ha/config.json)."


def _common(func):
    for option in reversed([
        click.option("--config", "config_path", help=CONFIG_HELP),
        click.option("--lock", help="etcd://HOST:PORT[/PREFIX] or consul://HOST:PORT[/KEY][?lock-delay=1s]."),
        click.option("--route-table", "route_tables", multiple=True, help="Private route table id (repeatable)."),
        click.option("--region", help="AWS region."),
        click.option("--endpoint-url", help="EC2/Auto Scaling endpoint (moto_server)."),
        click.option("--instance-id", help="This instance (default: from the instance metadata service)."),
        click.option("--ttl", type=float, help="Lease/session TTL in seconds (default 10)."),
    ]):
        func = option(func)
    return func


def _config(config_path, **options):
    from sparkleform.nat.config import build, read_file

    settings = get_settings()
    path = config_path or settings.config_path
    options["region"] = options.get("region") or settings.region
    options["endpoint_url"] = options.get("endpoint_url") or settings.endpoint_url
    return build(read_file(path), **options)


def _instance_id(cfg) -> str:
    from sparkleform.nat.aws import instance_id_from_metadata

    return cfg.instance_id or instance_id_from_metadata()


@click.group("nat-agent")
def nat_group():
    """The NAT high-availability agent: one NAT instance of the group holds the lock
    (etcd lease or Consul session) and the private route tables point at it."""


@nat_group.command("run")
@_common
@click.option("--health-check", help="HOST (ping), HOST:PORT (TCP) or URL (default: the configured host).")
@click.option("--interval", type=float, help="Seconds between steps (default TTL/3).")
@click.option("--elastic-ip-allocation", help="Elastic IP allocation id the leader takes over.")
def run_cmd(config_path, lock, route_tables, region, endpoint_url, instance_id, ttl, health_check, interval,
            elastic_ip_allocation):
    """Run the agent: elect, take over the routes, hand over on failure. Logs JSON lines."""
    from sparkleform.nat.agent import Agent, json_line_emitter
    from sparkleform.nat.aws import NatWriter, clients
    from sparkleform.nat.errors import NatAgentError
    from sparkleform.nat.health import make_check
    from sparkleform.nat.lock import open_lock

    cfg = _config(config_path, lock=lock, route_tables=route_tables, region=region, endpoint_url=endpoint_url,
                  instance_id=instance_id, ttl=ttl, health_check=health_check, interval=interval,
                  elastic_ip_allocation=elastic_ip_allocation)
    if not cfg.route_tables:
        raise NatAgentError("no route tables: pass --route-table ID (or set route_tables in the config file)")
    me = _instance_id(cfg)
    check = make_check(cfg.health_check) if cfg.health_check else (lambda: True)
    ec2, _ = clients(cfg.region, cfg.endpoint_url)
    the_lock = open_lock(cfg.lock, cfg.ttl, name=me)
    writer = NatWriter(ec2, me, cfg.route_tables, fence=lambda: False, allocation_id=cfg.elastic_ip_allocation)
    emit = json_line_emitter(instance=me)
    try:
        writer.check()
    except NatAgentError:
        raise
    except Exception as exc:  # AWS unreachable for now: the agent retries at every takeover
        emit("aws-error", error=str(exc)[:300])
    agent = Agent(the_lock, writer, check, instance_id=me, tick=cfg.tick, emit=emit)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    agent.run(stop)


@nat_group.command("peers")
@click.option("--config", "config_path", help=CONFIG_HELP)
@click.option("--region", help="AWS region.")
@click.option("--endpoint-url", help="EC2/Auto Scaling endpoint (moto_server).")
@click.option("--instance-id", help="This instance (default: from the instance metadata service).")
def peers_cmd(config_path, region, endpoint_url, instance_id):
    """The NAT instances of this instance's auto scaling group."""
    from sparkleform.nat.aws import clients, instance_id_from_metadata, peers
    from sparkleform.nat.config import read_file

    settings = get_settings()
    data = read_file(config_path or settings.config_path)
    region = region or settings.region or data.get("region")
    endpoint_url = endpoint_url or settings.endpoint_url or data.get("endpoint_url")
    me = instance_id or data.get("instance_id") or instance_id_from_metadata()
    ec2, autoscaling = clients(region, endpoint_url)
    group, members = peers(ec2, autoscaling, me)
    if settings.json:
        click.echo(json.dumps({"group": group, "instances": [vars(p) | {"self": p.instance_id == me}
                                                             for p in members]}, indent=2))
        return
    click.echo(f"group {group}")
    for p in members:
        mark = "*" if p.instance_id == me else " "
        click.echo(f"{mark} {p.instance_id}  {p.state:<10} {p.private_ip or '-':<15} {p.lifecycle} {p.health}")


@nat_group.command("status")
@_common
def status_cmd(config_path, lock, route_tables, region, endpoint_url, instance_id, ttl):
    """Who holds the lock (and, with route tables, where their default routes point)."""
    from sparkleform.nat.lock import open_lock

    cfg = _config(config_path, lock=lock, route_tables=route_tables, region=region, endpoint_url=endpoint_url,
                  instance_id=instance_id, ttl=ttl)
    from sparkleform.nat.errors import LockUnavailable, NatAgentError

    try:
        holder = open_lock(cfg.lock, cfg.ttl).holder()
    except LockUnavailable as exc:
        raise NatAgentError(f"the lock service did not answer: {exc}") from None
    routes = _routes(cfg) if cfg.route_tables else {}
    if get_settings().json:
        click.echo(json.dumps({"leader": holder.value if holder else None,
                               "lease": holder.lease if holder else None, "routes": routes}, indent=2))
    else:
        click.echo(f"leader: {holder.value} (lease/session {holder.lease})" if holder else "leader: none")
        for table, target in routes.items():
            click.echo(f"  {table} 0.0.0.0/0 -> {target or 'no default route'}")


def _routes(cfg) -> dict[str, str | None]:
    from sparkleform.nat.aws import DEFAULT_ROUTE, clients

    ec2, _ = clients(cfg.region, cfg.endpoint_url)
    out: dict[str, str | None] = {}
    for table in ec2.describe_route_tables(RouteTableIds=cfg.route_tables)["RouteTables"]:
        route: dict = next((r for r in table.get("Routes", []) if r.get("DestinationCidrBlock") == DEFAULT_ROUTE), {})
        out[table["RouteTableId"]] = route.get("InstanceId") or route.get("NatGatewayId") or route.get("GatewayId")
    return dict(sorted(out.items()))
