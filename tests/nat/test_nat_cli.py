"""`sparkleform nat-agent peers|status|run` through the CLI entry point: peer discovery on
moto, who holds the lock, the config file the nat_ha template writes, the instance id from
a metadata service (IMDSv2) on 127.0.0.1, and bad input (exit 2, one line, no traceback)."""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import sparkleform as sf
from sparkleform.cli.main import main
from sparkleform.nat.lock import open_lock


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


def test_peers_lists_the_group_of_this_instance(capsys, world):
    me = world.instances[1]
    code, out, _ = run_cli(capsys, "nat-agent", "peers", "--instance-id", me, "--region", "us-east-1",
                           "--endpoint-url", world.endpoint, "--output", "json")
    assert code == 0
    answer = json.loads(out)
    assert answer["group"] == world.group
    assert sorted(i["instance_id"] for i in answer["instances"]) == sorted(world.instances)
    assert [i["instance_id"] for i in answer["instances"] if i["self"]] == [me]
    assert {i["state"] for i in answer["instances"]} == {"running"}
    code, out, _ = run_cli(capsys, "nat-agent", "peers", "--instance-id", me, "--endpoint-url", world.endpoint,
                           "--region", "us-east-1")
    assert code == 0 and f"group {world.group}" in out and f"* {me}" in out


class _Imds(BaseHTTPRequestHandler):
    token = "tok-123"
    instance = ""

    def log_message(self, *args):
        pass

    def do_PUT(self):
        ok = self.path == "/latest/api/token" and self.headers.get("X-aws-ec2-metadata-token-ttl-seconds")
        self._send(200 if ok else 400, self.token if ok else "")

    def do_GET(self):
        ok = self.path == "/latest/meta-data/instance-id" and self.headers.get("X-aws-ec2-metadata-token") == self.token
        self._send(200 if ok else 401, self.instance if ok else "")

    def _send(self, status, text):
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def test_the_instance_id_comes_from_the_metadata_service_with_a_token(capsys, world, monkeypatch):
    _Imds.instance = world.instances[2]
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Imds)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", f"http://127.0.0.1:{server.server_address[1]}")
        code, out, _ = run_cli(capsys, "nat-agent", "peers", "--endpoint-url", world.endpoint,
                               "--region", "us-east-1", "--output", "json")
    finally:
        server.shutdown()
        server.server_close()
    assert code == 0
    assert [i["instance_id"] for i in json.loads(out)["instances"] if i["self"]] == [world.instances[2]]


def _template_config(values: dict[str, str]) -> str:
    """The /etc/nat-ha/config.json the nat_ha template's user data writes, with values filled in."""
    template = sf.load_target("nat_ha").template
    (launch,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::EC2::LaunchTemplate"]
    script, _ = launch["Properties"]["LaunchTemplateData"]["UserData"]["Fn::Base64"]["Fn::Sub"]
    body = re.search(r"cat > /etc/nat-ha/config.json <<CONFIG\n(.*?)\nCONFIG\n", script, re.S).group(1)
    return re.sub(r"\$\{([^}]+)\}", lambda m: values[m.group(1)], body)


def test_status_reads_the_config_the_template_writes(capsys, world, etcd, tmp_path):
    config = tmp_path / "config.json"
    config.write_text(_template_config({
        "AWS::Region": "us-east-1", "RouteTables": ",".join(world.route_tables),
        "NatEip.AllocationId": world.allocation, "HealthCheckHost": "8.8.8.8",
        "LockUrl": etcd.lock_url + "/status", "LockTtl": "5"}))
    code, out, _ = run_cli(capsys, "nat-agent", "status", "--config", str(config), "--endpoint-url", world.endpoint)
    assert code == 0
    assert out.splitlines()[0] == "leader: none"
    assert f"{world.route_tables[1]} 0.0.0.0/0 -> no default route" in out

    holder = open_lock(etcd.lock_url + "/status", 5)
    assert holder.acquire(world.instances[0])
    world.ec2.create_route(RouteTableId=world.route_tables[1], DestinationCidrBlock="0.0.0.0/0",
                           InstanceId=world.instances[0])
    code, out, _ = run_cli(capsys, "nat-agent", "status", "--config", str(config), "--endpoint-url", world.endpoint,
                           "--output", "json")
    holder.release()
    assert code == 0
    answer = json.loads(out)
    assert answer["leader"] == world.instances[0] and answer["lease"]
    assert answer["routes"][world.route_tables[1]] == world.instances[0]


@pytest.mark.parametrize(("args", "file_text", "message"), [
    ([], None, "no lock service"),
    (["--lock", "etcd://127.0.0.1"], None, "needs HOST:PORT"),
    (["--lock", "zk://127.0.0.1:2181"], None, "must start with etcd:// or consul://"),
    (["--lock", "etcd://127.0.0.1:2379"], None, "no route tables"),
    (["--lock", "etcd://127.0.0.1:2379", "--route-table", "rtb-1", "--ttl", "2", "--interval", "3"], None,
     "must be shorter than the TTL"),
    (["--route-table", "rtb-1"], "{not json", "is not JSON"),
    (["--route-table", "rtb-1"], '{"lock": "etcd://127.0.0.1:2379", "colour": "red"}', "unknown setting(s) colour"),
    (["--route-table", "rtb-1"], '{"lock": "etcd://127.0.0.1:2379", "ttl": "soon"}', "ttl must be a number"),
])
def test_bad_settings_exit_2_with_one_message(capsys, tmp_path, args, file_text, message):
    extra = []
    if file_text is not None:
        path = tmp_path / "config.json"
        path.write_text(file_text)
        extra = ["--config", str(path)]
    code, _, err = run_cli(capsys, "nat-agent", "run", "--instance-id", "i-1", *extra, *args)
    assert code == 2
    assert message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) <= 2


def test_a_missing_config_file_named_on_the_line_is_an_error(capsys, tmp_path):
    code, _, err = run_cli(capsys, "nat-agent", "status", "--config", str(tmp_path / "nope.json"))
    assert code == 2 and "does not exist" in err


def test_help_does_not_import_boto3():
    import subprocess
    import sys

    code = ("import sys; from sparkleform.cli.main import main\n"
            "try:\n    main(['nat-agent', 'run', '--help'])\nexcept SystemExit: pass\n"
            "print('boto3' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip().splitlines()[-1] == "False"


def test_a_route_table_that_does_not_exist_stops_the_agent_at_start(capsys, world, etcd):
    code, out, err = run_cli(capsys, "nat-agent", "run", "--lock", etcd.lock_url, "--instance-id", world.instances[0],
                             "--route-table", "rtb-00000000000000000", "--endpoint-url", world.endpoint,
                             "--region", "us-east-1")
    assert code == 2 and "route table not found" in err and "Traceback" not in err
    assert out == ""


def test_the_systemd_unit_runs_this_cli_with_the_template_config(capsys, tmp_path):
    template = sf.load_target("nat_ha").template
    (launch,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::EC2::LaunchTemplate"]
    script, _ = launch["Properties"]["LaunchTemplateData"]["UserData"]["Fn::Base64"]["Fn::Sub"]
    exec_start = re.search(r"^ExecStart=(\S+) (.*)$", script, re.M)
    assert exec_start.group(1) == "/opt/nat-ha/bin/sparkleform"
    args = exec_start.group(2).split()
    assert args[:2] == ["nat-agent", "run"] and args[args.index("--config") + 1] == "/etc/nat-ha/config.json"
    assert "KillSignal=SIGTERM" in script and "systemctl enable --now ${AgentService}" in script
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"region": "us-east-1", "route_tables": "rtb-1"}))  # no lock: refused, exit 2
    args[args.index("--config") + 1] = str(config)
    code, _, err = run_cli(capsys, *args)
    assert code == 2 and "no lock service" in err
