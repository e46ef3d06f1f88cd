"""Fn::Cidr: carve `count` consecutive subnets of `bits` host bits out of an address block.

Matches CloudFormation: the block's network address is the start (host bits of the given
address are ignored), subnets are returned in order in their canonical text form, and
asking for more subnets than fit, or a subnet larger than the block, is an error.
"""

from __future__ import annotations

import ipaddress

from sparkleform.engine.errors import TemplateFormatError


def cidr(ip_block: str, count: int | str, cidr_bits: int | str) -> list[str]:
    try:
        net = ipaddress.ip_network(str(ip_block).strip(), strict=False)
    except ValueError:
        raise TemplateFormatError(f"Template error: Fn::Cidr: invalid ipBlock {ip_block!r}") from None
    try:
        n = int(count)
        bits = int(cidr_bits)
    except (TypeError, ValueError):
        raise TemplateFormatError("Template error: Fn::Cidr count and cidrBits must be integers") from None
    if not 1 <= n <= 256:
        raise TemplateFormatError("Template error: Fn::Cidr count must be between 1 and 256")
    width = net.max_prefixlen
    if not 1 <= bits <= width:
        raise TemplateFormatError(f"Template error: Fn::Cidr cidrBits must be between 1 and {width}")
    prefix = width - bits
    if prefix < net.prefixlen:
        raise TemplateFormatError(
            f"Template error: Fn::Cidr cannot carve /{prefix} subnets out of {net.with_prefixlen}"
        )
    available = 1 << (prefix - net.prefixlen)
    if n > available:
        raise TemplateFormatError(
            f"Template error: Fn::Cidr: {net.with_prefixlen} holds only {available} /{prefix} subnets, {n} asked"
        )
    size = 1 << bits
    start = int(net.network_address)
    cls = ipaddress.IPv4Network if net.version == 4 else ipaddress.IPv6Network
    return [str(cls((start + i * size, prefix))) for i in range(n)]
