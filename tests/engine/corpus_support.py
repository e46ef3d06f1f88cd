"""Helpers for deploying corpus templates: parameter values generated from each
parameter's Type and constraints, a catch-all custom resource handler, nested templates."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

EC2_IDS = {
    "AWS::EC2::VPC::Id": "vpc-0a1b2c3d4e5f60718",
    "AWS::EC2::Subnet::Id": "subnet-0a1b2c3d4e5f60718",
    "AWS::EC2::SecurityGroup::Id": "sg-0a1b2c3d4e5f60718",
    "AWS::EC2::SecurityGroup::GroupName": "default",
    "AWS::EC2::KeyPair::KeyName": "my-key",
    "AWS::EC2::AvailabilityZone::Name": "us-east-1a",
    "AWS::EC2::Image::Id": "ami-0a1b2c3d4e5f60718",
    "AWS::EC2::Instance::Id": "i-0a1b2c3d4e5f60718",
    "AWS::EC2::Volume::Id": "vol-0a1b2c3d4e5f60718",
    "AWS::Route53::HostedZone::Id": "Z0123456789ABCDEFGHIJ",
}

CANDIDATES = [
    "value", "abc", "abc123", "my-name", "Admin1", "a", "1", "10", "10.0.0.0/16", "0.0.0.0/0", "10.0.0.1",
    "user@example.com", "example.com", "t3.micro", "m5.large", "arn:aws:iam::123456789012:role/x",
    "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012", "Password1!",
    "https://example.com", "us-east-1", "us-east-1a", "vpc-0a1b2c3d", "subnet-0a1b2c3d", "sg-0a1b2c3d",
    "ami-0a1b2c3d", "Z0123456789ABC", "true", "Enabled", "dev", "prod", "1.0", "123456789012", "mybucket",
    "x-y-z", "ABCDEFGHIJKL", "a1b2c3d4e5f6", "/path", "12:00", "cron(0 12 * * ? *)", "rate(1 day)",
]


def from_pattern(pattern: str) -> str | None:
    """A string matching a simple regular expression (literals, classes, repeats, groups)."""
    import re._parser as sre_parse  # the stdlib's own regex parser

    try:
        tree = sre_parse.parse(pattern)
    except re.error:
        return None

    def gen(items) -> str:
        out = []
        for op, arg in items:
            name = str(op)
            if name == "LITERAL":
                out.append(chr(arg))
            elif name == "NOT_LITERAL":
                out.append("a" if chr(arg) != "a" else "b")
            elif name == "ANY":
                out.append("a")
            elif name == "IN":
                out.append(_in_class(arg))
            elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
                low, _high, sub = arg
                out.append(gen(sub) * max(low, 1))
            elif name == "SUBPATTERN":
                out.append(gen(arg[-1]))
            elif name == "BRANCH":
                out.append(gen(arg[1][0]))
            elif name == "CATEGORY":
                out.append(_category(str(arg)))
        return "".join(out)

    try:
        value = gen(tree)
    except Exception:
        return None
    return value if re.fullmatch(pattern, value) else None


def _category(name: str) -> str:
    if "DIGIT" in name and "NOT" not in name:
        return "1"
    if "SPACE" in name and "NOT" not in name:
        return " "
    return "a"


def _in_class(items) -> str:
    for op, arg in items:
        name = str(op)
        if name == "NEGATE":
            return "a" if not any(str(o) == "LITERAL" and a == ord("a") for o, a in items) else "b"
        if name == "LITERAL":
            return chr(arg)
        if name == "RANGE":
            return chr(arg[0])
        if name == "CATEGORY":
            return _category(str(arg))
    return "a"


def _fits(decl: dict, value: str) -> bool:
    from sparkleform.allowed_pattern import compile_pattern as _pattern

    pattern = decl.get("AllowedPattern")
    if isinstance(pattern, str):
        compiled = _pattern(pattern)
        if compiled is None or compiled.fullmatch(value) is None:
            return False
    if "MinLength" in decl and len(value) < int(decl["MinLength"]):
        return False
    return not ("MaxLength" in decl and len(value) > int(decl["MaxLength"]))


def value_for(name: str, decl: dict, choice: int = 0) -> str | None:
    """A value the parameter accepts, or None when none can be generated.

    `choice` picks among AllowedValues (0: the first, -1: the last)."""
    ptype = str(decl.get("Type", "String"))
    allowed = decl.get("AllowedValues")
    if isinstance(allowed, list) and allowed:
        others = [a for a in allowed if "Default" in decl and str(a) != str(decl["Default"])]
        v = others[0] if choice and others else allowed[choice]
        return ("true" if v else "false") if isinstance(v, bool) else str(v)
    inner = ptype[5:-1] if ptype.startswith("List<") else ptype
    many = 6 if ptype.startswith("List<") else 1
    if inner in EC2_IDS:
        return ",".join([EC2_IDS[inner]] * many)
    if inner.startswith("AWS::EC2::") or inner.startswith("AWS::Route53::"):
        return ",".join(["id-0a1b2c3d"] * many)
    if inner == "Number" or ptype == "List<Number>":
        low = float(decl.get("MinValue", 1))
        high = float(decl.get("MaxValue", max(low, 1)))
        v = low if low <= high else high
        text = str(int(v)) if float(v).is_integer() else str(v)
        return ",".join([text] * 6) if ptype == "List<Number>" else text
    if ptype.startswith("AWS::SSM::Parameter::"):
        return f"/corpus/{name}"
    lowered = name.lower()
    preferred = []
    if "cidr" in lowered:
        preferred.append("10.0.0.0/16")
    if "email" in lowered:
        preferred.append("user@example.com")
    if "subnet" in lowered and "cidr" not in lowered:  # a user passes real subnet ids (EFS wants >= 15 characters)
        preferred.append(EC2_IDS["AWS::EC2::Subnet::Id"])
    pattern = decl.get("AllowedPattern")
    generated = from_pattern(pattern) if isinstance(pattern, str) else None
    for candidate in preferred + ([""] if isinstance(pattern, str) else []) + CANDIDATES + ([generated] if generated else []):
        if _fits(decl, candidate):
            if ptype == "CommaDelimitedList" and candidate:
                return ",".join([candidate] * 6)
            return candidate
    minimum = int(decl.get("MinLength", 1))
    for base in ("a", "A", "1", "aA1"):
        v = (base * minimum)[: max(minimum, 1)]
        if _fits(decl, v):
            return v
    return None


def parameters_for(template: dict, choice: int = 0) -> tuple[dict[str, str], list[str], dict[str, str]]:
    """-> (values for parameters without a Default, names that could not be generated,
    SSM store entries the template's SSM parameter types need)."""
    values: dict[str, str] = {}
    missing: list[str] = []
    ssm: dict[str, str] = {}
    for name, decl in (template.get("Parameters") or {}).items():
        if not isinstance(decl, dict):
            continue
        ptype = str(decl.get("Type", ""))
        if ptype.startswith("AWS::SSM::Parameter::"):
            key = str(decl.get("Default", f"/corpus/{name}"))
            ssm[key] = "ami-0a1b2c3d4e5f60718" if "ami" in key.lower() else ("a,b" if "List" in ptype else "value")
            if "Default" not in decl:
                values[name] = key
            continue
        if "Default" in decl and not (choice and isinstance(decl.get("AllowedValues"), list)):
            continue
        v = value_for(name, decl, choice)
        if v is None:
            missing.append(name)
        else:
            values[name] = v
    return values, missing, ssm


def getatt_names(template: dict) -> dict[str, set[str]]:
    """logical id -> attribute names GetAtt/Sub ask of it (to answer custom resources)."""
    out: dict[str, set[str]] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "Fn::GetAtt" in node and len(node) == 1:
                v = node["Fn::GetAtt"]
                if isinstance(v, str) and "." in v:
                    a, b = v.split(".", 1)
                    out.setdefault(a, set()).add(b)
                elif isinstance(v, list) and len(v) == 2 and isinstance(v[1], str):
                    out.setdefault(str(v[0]), set()).add(v[1])
            if "Fn::Sub" in node and len(node) == 1:
                v = node["Fn::Sub"]
                text = v if isinstance(v, str) else (v[0] if isinstance(v, list) and v else "")
                if isinstance(text, str):
                    for var in re.findall(r"\$\{([^!}][^}]*)\}", text):
                        if "." in var:
                            a, b = var.split(".", 1)
                            out.setdefault(a, set()).add(b)
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(template)
    return out


def nested_templates(template: dict, folder: Path, load) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for res in (template.get("Resources") or {}).values():
        if not isinstance(res, dict):
            continue
        url = (res.get("Properties") or {}).get("TemplateURL") if res.get("Type") == "AWS::CloudFormation::Stack" else None
        if isinstance(url, dict) and "Fn::Sub" in url:
            text = url["Fn::Sub"] if isinstance(url["Fn::Sub"], str) else url["Fn::Sub"][0]
            url = str(text).rsplit("/", 1)[-1]  # a URL built from parameters: its file name
        if isinstance(url, str) and (folder / url).is_file():
            child = load(folder / url)
            found[url] = child
            found.update(nested_templates(child, (folder / url).parent, load))
    return found
