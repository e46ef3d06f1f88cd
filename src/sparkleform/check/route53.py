"""Route 53 record sets: record values in the form their Type requires (A: IPv4, AAAA:
IPv6, CNAME: one domain name, MX: "priority host", TXT: quoted strings of at most 255
characters, CAA: 'flags tag "value"'), and no TTL beside an AliasTarget."""

from __future__ import annotations

import ipaddress
import re
from typing import TYPE_CHECKING

from sparkleform.check.diagnostic import ERROR
from sparkleform.check.intrinsics import call_of
from sparkleform.check.rules import check, rule

if TYPE_CHECKING:
    from sparkleform.check.context import CheckContext


RULES = (
    rule("SF2012", "resources", ERROR, "Route 53 record value not in the form its record type needs", "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/ResourceRecordTypes.html"),
)

DOMAIN = re.compile(r"^[A-Za-z0-9!\"#$%&'()*+,\-/:;<=>?@\[\\\]^_`{|}~.]+$")
MX = re.compile(r"^(\d{1,5})\s+(\S+)$")
TXT = re.compile(r'^("[^"]{1,255}" *)*"[^"]{1,255}"$')
CAA = re.compile(r'^(0|128)\s([A-Za-z0-9]+)\s(".+")$')


def _record_problem(rtype: str, value: str) -> str | None:
    if rtype == "A":
        try:
            ipaddress.IPv4Address(value)
        except ValueError:
            return f"{value!r} is not an IPv4 address"
    elif rtype == "AAAA":
        try:
            ipaddress.IPv6Address(value)
        except ValueError:
            return f"{value!r} is not an IPv6 address"
    elif rtype == "CNAME":
        if not DOMAIN.match(value):
            return f"{value!r} is not a domain name"
    elif rtype == "MX":
        m = MX.match(value)
        if not m or int(m.group(1)) > 65535 or not DOMAIN.match(m.group(2)):
            return f"{value!r} is not 'priority host' (priority 0-65535)"
    elif rtype == "TXT":
        if not TXT.match(value):
            return f"{value!r} must be one or more double-quoted strings of at most 255 characters"
    elif rtype == "CAA" and not CAA.match(value):
        return f"{value!r} is not 'flags tag \"value\"' (flags 0 or 128)"
    return None


def _check_record_set(ctx: CheckContext, path: tuple, rs: dict) -> None:
    rtype = rs.get("Type")
    records = rs.get("ResourceRecords")
    if "AliasTarget" in rs and "TTL" in rs:
        ctx.report("SF2012", (*path, "TTL"), "a record set with an AliasTarget takes no TTL")
    if not isinstance(rtype, str) or not isinstance(records, list):
        return
    literal = [(i, r) for i, r in enumerate(records) if isinstance(r, str)]
    if rtype == "CNAME" and len(records) > 1 and all(call_of(r) is None for r in records):
        ctx.report("SF2012", (*path, "ResourceRecords"), f"a CNAME record set has one value, not {len(records)}")
    for i, value in literal:
        problem = _record_problem(rtype, value)
        if problem:
            ctx.report("SF2012", (*path, "ResourceRecords", i), f"{rtype} record: {problem}")


@check()
def check_route53(ctx) -> None:
    for logical_id, res in ctx.resources.items():
        props = res.get("Properties")
        if not isinstance(props, dict):
            continue
        base = ("Resources", logical_id, "Properties")
        if res.get("Type") == "AWS::Route53::RecordSet":
            _check_record_set(ctx, base, props)
        elif res.get("Type") == "AWS::Route53::RecordSetGroup" and isinstance(props.get("RecordSets"), list):
            for i, rs in enumerate(props["RecordSets"]):
                if isinstance(rs, dict):
                    _check_record_set(ctx, (*base, "RecordSets", i), rs)
