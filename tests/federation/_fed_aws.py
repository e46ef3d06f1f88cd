"""The AWS side of the federation tests in a moto_server: the ad_federation template's IAM
objects (created from the compiled template, trust and proxy policies resolved), plus two roles
the proxy must never hand out; and the proxy's access key.

Runnable for docs/federation.md: `python tests/federation/_fed_aws.py ENDPOINT OUTDIR` sets up a
running moto_server, turns its IAM authorisation on, and writes OUTDIR/outputs.json (the stack
outputs) and OUTDIR/proxy-key.env (the proxy's access key, mode 0600).
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
for sub in ("federation", "packs"):
    sys.path.insert(0, str(HERE.parent / sub))
sys.path.insert(0, str(HERE.parents[1] / "src"))

import _fed_slapd  # noqa: E402

ACCOUNT = "123456789012"
# AWS-PowerUsers was deleted and re-created in AD: its role still expects the old SID.
STALE_SID = f"{_fed_slapd.DOMAIN_SID}-9102"


@dataclass
class AwsWorld:
    server: object  # _motoserver.MotoServer
    proxy_key: dict[str, str]
    proxy_user_arn: str
    outputs: dict[str, str]
    role_arns: dict[str, str]
    endpoint: str

    def env(self) -> dict[str, str]:
        return {"AWS_ACCESS_KEY_ID": self.proxy_key["AccessKeyId"],
                "AWS_SECRET_ACCESS_KEY": self.proxy_key["SecretAccessKey"],
                "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": os.devnull,
                "AWS_SHARED_CREDENTIALS_FILE": os.devnull}


def _sid(name: str) -> str:
    return next(g.sid for g in _fed_slapd.GROUPS if g.name == name)


def deploy_ad_federation(server, endpoint: str) -> AwsWorld:
    """The ad_federation template's IAM objects, created in moto from the compiled template
    (moto's CloudFormation cannot create its IAM group), with the template's own trust and
    proxy policies resolved; plus two roles the proxy must never hand out."""
    import boto3
    from seed_resolve import resolve

    import sparkleform

    template = sparkleform.load_target("ad_federation").template
    res = template["Resources"]
    kw = dict(endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="testing",
              aws_secret_access_key="testing")
    iam = boto3.client("iam", **kw)
    params = {"AwsAdministratorsSid": _sid("AWS-Administrators"), "AwsPowerUsersSid": STALE_SID,
              "AwsReadOnlySid": _sid("AWS-ReadOnly"), "RolePath": template["Parameters"]["RolePath"]["Default"]}
    for name, p in template["Parameters"].items():
        params.setdefault(name, p.get("Default"))
    group = iam.create_group(GroupName="ad-federation-proxy", Path=res["FederationProxyGroup"]["Properties"]["Path"])
    # The template puts the user under /federation/; moto's IAM authorisation names a caller
    # without its path (user/NAME), so a trust policy naming the real ARN would never match.
    assert res["FederationProxyUser"]["Properties"]["Path"] == "/federation/"
    user = iam.create_user(UserName="ad-federation-proxy", Path="/")["User"]
    iam.add_user_to_group(GroupName=group["Group"]["GroupName"], UserName=user["UserName"])
    atts = {("FederationProxyUser", "Arn"): user["Arn"]}
    refs = {**params, "FederationProxyGroup": group["Group"]["GroupName"], "FederationProxyUser": user["UserName"]}
    role_arns = {}
    for logical, r in res.items():
        if r["Type"] != "AWS::IAM::Role":
            continue
        props = resolve(r["Properties"], refs, atts)
        role = iam.create_role(RoleName=props["RoleName"], Path=props["Path"],
                               AssumeRolePolicyDocument=json.dumps(props["AssumeRolePolicyDocument"]),
                               MaxSessionDuration=props["MaxSessionDuration"])["Role"]
        role_arns[props["RoleName"]] = atts[(logical, "Arn")] = role["Arn"]
    # AD's AWS-Billing group has no objectSid; its role would let a missing ExternalId through in moto.
    extra_trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": user["Arn"]}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"sts:ExternalId": f"{_fed_slapd.DOMAIN_SID}-1199"}}}]}
    for name, path in (("AWS-Billing", params["RolePath"]), ("Staff", "/other/")):
        role_arns[name] = iam.create_role(RoleName=name, Path=path,
                                          AssumeRolePolicyDocument=json.dumps(extra_trust))["Role"]["Arn"]
    policy = res["FederationProxyPolicy"]["Properties"]
    document = resolve(policy["PolicyDocument"], refs, atts)
    document["Statement"][1]["Resource"].append(role_arns["AWS-Billing"])  # so only the ExternalId guards it
    iam.put_group_policy(GroupName=group["Group"]["GroupName"], PolicyName=policy["PolicyName"],
                         PolicyDocument=json.dumps(document))
    key = iam.create_access_key(UserName=user["UserName"])["AccessKey"]
    outputs = {name: resolve(o["Value"], refs, atts) for name, o in template["Outputs"].items()}
    return AwsWorld(server, key, user["Arn"], outputs, role_arns, endpoint)




if __name__ == "__main__":  # pragma: no cover - the docs' manual run
    import urllib.request

    endpoint, out = sys.argv[1], Path(sys.argv[2])
    world = deploy_ad_federation(None, endpoint)
    out.mkdir(parents=True, exist_ok=True)
    (out / "outputs.json").write_text(json.dumps(world.outputs, indent=2) + "\n")
    fd = os.open(out / "proxy-key.env", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(f"AWS_ACCESS_KEY_ID={world.proxy_key['AccessKeyId']}\n"
                f"AWS_SECRET_ACCESS_KEY={world.proxy_key['SecretAccessKey']}\n")
    request = urllib.request.Request(f"{endpoint}/moto-api/reset-auth", data=b"0", method="POST",
                                     headers={"Content-Type": "text/plain"})
    urllib.request.urlopen(request, timeout=10).close()
    print(f"roles and proxy user created; IAM authorisation is on; see {out}/outputs.json, {out}/proxy-key.env")
