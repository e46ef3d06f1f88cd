"""`sparkleform trace`: the part and file:line behind every key, through the CLI."""

import json
import textwrap

import cli_inprocess


def _write(root, rel, text):
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip())


def test_trace_names_template_component_dynamic_registry_and_builtin(tmp_path):
    _write(tmp_path, "sparkleformation/components/base.py", """
        from sparkleform import component

        @component
        def base(t):
            t.parameter("key_name")
        """)
    _write(tmp_path, "sparkleformation/dynamics/queue.py", """
        from sparkleform import dynamic

        @dynamic
        def work_queue(t, name):
            q = t.resource(f"{name}_queue", "AWS::SQS::Queue")
            t.registry("retention", q)
            return q
        """)
    _write(tmp_path, "sparkleformation/registry/retention.py", """
        from sparkleform import registry

        @registry
        def retention(node):
            node.properties.message_retention_period = 60
        """)
    _write(tmp_path, "sparkleformation/templates/app.py", """
        from sparkleform import ref, template

        @template(load=["base"])
        def app(t):
            t.dynamic("work_queue", "orders")
            web = t.dynamic("ec2_instance", "web", instance_type="t3.micro")
            web.properties.key_name = ref("key_name")
        """)
    out = cli_inprocess.run(["--output", "json", "trace", "app"], tmp_path, check=0)
    assert out.returncode == 0, out.stderr
    rows = {r["path"]: (r["part"], r["location"]) for r in json.loads(out.stdout)}
    assert rows["Parameters.KeyName.Type"] == ("component base", "sparkleformation/components/base.py:5")
    assert rows["Resources.OrdersQueue.Type"] == ("dynamic work_queue", "sparkleformation/dynamics/queue.py:5")
    assert rows["Resources.OrdersQueue.Properties.MessageRetentionPeriod"] == (
        "registry retention", "sparkleformation/registry/retention.py:5")
    assert rows["Resources.WebEc2Instance.Properties.InstanceType"] == (
        "built-in dynamic ec2_instance (AWS::EC2::Instance)", "sparkleformation/templates/app.py:6")
    assert rows["Resources.WebEc2Instance.Properties.KeyName"] == ("template app", "sparkleformation/templates/app.py:7")
    shown = cli_inprocess.run(["trace", "app"], tmp_path, check=0)
    assert shown.returncode == 0, shown.stderr
    text = shown.stdout
    line = next(ln for ln in text.splitlines() if ln.startswith("Resources.OrdersQueue.Type "))
    assert line.split() == ["Resources.OrdersQueue.Type", "dynamic", "work_queue", "sparkleformation/dynamics/queue.py:5"]


def test_trace_of_an_unknown_template_is_a_clear_error(tmp_path):
    out = cli_inprocess.run(["trace", "nope"], tmp_path, check=2)
    assert out.returncode == 2
    assert "no template named 'nope'" in out.stderr
    assert "Traceback" not in out.stderr
