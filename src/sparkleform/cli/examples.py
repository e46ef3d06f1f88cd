"""Per-verb help additions: an example for every verb's `--help`, and argument names that
match the help text (an argument the code calls `target` is shown as TEMPLATE).

Applied by the lazy group when a verb is loaded, so the verb modules keep their own
docstrings and this table stays the one place to read every example side by side.
"""

from __future__ import annotations

import click

EXAMPLES: dict[str, list[str]] = {
    "new": ["sparkleform new myproject && cd myproject && sparkleform validate web_server"],
    "compile": ["sparkleform compile web_server --format yaml",
                "sparkleform compile templates/vpc.py -o out/vpc.json --set subnets=2"],
    "list": ["sparkleform list templates"],
    "describe": ["sparkleform describe template web_server", "sparkleform describe web-prod"],
    "validate": ["sparkleform validate web_server", "sparkleform validate network.yaml --format sarif > findings.sarif"],
    "graph": ["sparkleform graph web_server --format html -o graph.html",
              "sparkleform graph network.yaml --format svg -o network.svg"],
    "convert": ["sparkleform convert template.json --to yaml -o template.yaml"],
    "import": ["sparkleform import network.yaml -o sparkleformation/templates/network.py"],
    "create": ["sparkleform create web-prod web_server -p InstanceType=t3.small"],
    "plan": ["sparkleform plan web-prod web_server -p InstanceType=t3.medium",
             "sparkleform plan --group   # every stack of sparkleform.toml, as up --plan"],
    "update": ["sparkleform update web-prod web_server --yes"],
    "execute": ["sparkleform execute web-prod my-change-set"],
    "destroy": ["sparkleform destroy web-prod --yes"],
    "events": ["sparkleform events web-prod --follow"],
    "outputs": ["sparkleform outputs web-prod --output json"],
    "list-stacks": ["sparkleform list-stacks"],
    "inspect": ["sparkleform inspect web-prod", "sparkleform inspect vpc --attribute Vpc.CidrBlock"],
    "recover": ["sparkleform recover web-prod"],
    "up": ["sparkleform up", "sparkleform up app   # app and the stacks it needs"],
    "down": ["sparkleform down --yes"],
    "iam": ["sparkleform iam simulate web_server --action s3:GetObject --resource 'arn:aws:s3:::bucket/key'"],
    "iam simulate": ["sparkleform iam simulate nat_ha --principal NatRole -p VpcId=vpc-0abc --action ec2:ReplaceRoute",
                     "sparkleform iam simulate --policy policy.json --action 's3:Get*' --resource 'arn:aws:s3:::b/*'"],
    "trace": ["sparkleform trace web_server", "sparkleform trace vpc_subnets --set subnets=4 --output json"],
    "fmt": ["sparkleform fmt templates/*.yaml --check", "sparkleform fmt network.yaml --write"],
    "completion": ["sparkleform completion bash > ~/.local/share/bash-completion/completions/sparkleform"],
    "nat-agent": ["sparkleform nat-agent run --lock etcd://127.0.0.1:2379/nat-ha --ttl 10",
                  "sparkleform nat-agent status --lock etcd://127.0.0.1:2379/nat-ha"],
    "nat-agent run": ["sparkleform nat-agent run --config /etc/nat-ha/config.json",
                      "sparkleform nat-agent run --lock consul://127.0.0.1:8500/nat-ha --route-table rtb-0abc --ttl 2"],
    "nat-agent peers": ["sparkleform nat-agent peers --instance-id i-0abc --region us-east-1"],
    "nat-agent status": ["sparkleform nat-agent status --lock etcd://127.0.0.1:2379/nat-ha"],
    "federation": ["sparkleform federation serve --config federation.toml --cert proxy.crt --key proxy.key"],
    "federation serve": ["sparkleform federation serve --config federation.toml --cert proxy.crt --key proxy.key"],
    "federation login": ["sparkleform federation login --config federation.toml --user alice",
                         "sparkleform federation login --config federation.toml --user alice --credentials"],
    "federation config": ["sparkleform outputs ad-federation --output json | sparkleform federation config --outputs - \\\n  --ldap-url ldaps://dc1.corp.example --base-dn DC=corp,DC=example > federation.toml"],
}

# Argument names as the help text calls them.
METAVARS = {"target": "TEMPLATE", "first": "STACK|KIND"}


def decorate(name: str, command: click.Command) -> click.Command:
    """Add the verb's example to its help (unless its docstring has one) and name its arguments."""
    lines = EXAMPLES.get(name)
    if lines and not command.epilog and "Example" not in (command.help or ""):
        label = "Example:" if len(lines) == 1 else "Examples:"
        command.epilog = "\b\n" + label + "\n" + "\n".join(f"  {line}" for line in lines)
    for param in command.params:
        if isinstance(param, click.Argument) and param.metavar is None and param.name in METAVARS:
            param.metavar = METAVARS[param.name]
    if isinstance(command, click.Group):
        for sub_name, sub in command.commands.items():
            decorate(f"{name} {sub_name}", sub)
    return command
