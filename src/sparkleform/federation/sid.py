"""Windows security identifiers: the binary `objectSid` of Active Directory <-> `S-1-5-21-...`.

Layout (MS-DTYP 2.4.2.2): revision (1 byte), sub-authority count (1 byte), identifier
authority (6 bytes, big-endian), then that many sub-authorities (4 bytes each, little-endian).
"""

from __future__ import annotations

import re
import struct

_SID_TEXT = re.compile(r"S-(\d+)-(\d+)((?:-\d+)*)")


class SidError(ValueError):
    """The bytes or the text are not a SID."""


def sid_to_str(data: bytes) -> str:
    """The binary form of a SID as text, e.g. b'\\x01\\x02...' -> 'S-1-5-32-544'."""
    if len(data) < 8:
        raise SidError("a SID has at least 8 bytes")
    revision, count = data[0], data[1]
    if len(data) != 8 + 4 * count:
        raise SidError(f"a SID with {count} sub-authorities has {8 + 4 * count} bytes, not {len(data)}")
    authority = int.from_bytes(data[2:8], "big")
    subs = struct.unpack(f"<{count}I", data[8:])
    return "-".join(["S", str(revision), str(authority), *map(str, subs)])


def str_to_sid(text: str) -> bytes:
    """The text form of a SID as its binary form (the inverse of sid_to_str)."""
    match = _SID_TEXT.fullmatch(text)
    if not match:
        raise SidError(f"{text!r} is not a SID such as S-1-5-21-1-2-3-1001")
    subs = [int(part) for part in match.group(3).split("-")[1:]]
    if len(subs) > 15 or any(s >= 2**32 for s in subs) or int(match.group(2)) >= 2**48:
        raise SidError(f"{text!r} is out of a SID's range")
    return bytes([int(match.group(1)), len(subs)]) + int(match.group(2)).to_bytes(6, "big") + struct.pack(
        f"<{len(subs)}I", *subs
    )
