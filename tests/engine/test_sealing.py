"""Markers for NoEcho values (engine/sealing.py): sealing then unsealing gives back any data
exactly, whatever the values (short, numeric, inside one another, inside the marker's own
text), and a sealed text holds no value of 4 characters or more in any form it covers."""

from __future__ import annotations

import base64
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from sparkleform.engine.sealing import _MARKER, PREFIX, Sealer, new_id

values = st.lists(
    st.one_of(
        st.sampled_from(["2024", "abcd", "0a1b", "NoEcho", "sparkleform", "ab", "x", "1", '"q"', "é€"]),
        st.text(min_size=1, max_size=12),
    ),
    min_size=1,
    max_size=3,
)


@settings(max_examples=300, deadline=None)
@given(values, st.lists(st.text(max_size=30), max_size=4))
def test_seal_then_unseal_is_exact(secrets: list[str], extra: list[str]) -> None:
    sealer = Sealer({new_id(): v for v in secrets})
    pieces = [*secrets, *extra, base64.b64encode(secrets[0].encode()).decode(), json.dumps(secrets[-1])[1:-1]]
    data = {"whole": pieces, "joined": "-".join(pieces), "nested": [{"k": p} for p in pieces], secrets[0]: "key"}
    sealed = sealer.seal(data)
    assert sealer.unseal(sealed) == data
    # outside the markers themselves, no value of 4 characters or more is left
    joined, segments, at = sealed["joined"], [], 0
    for m in _MARKER.finditer(joined):
        segments.append(joined[at : m.start()])
        at = m.end()
    segments.append(joined[at:])
    for secret in secrets:
        if len(secret) >= 4:
            assert not any(secret in seg for seg in segments), (secret, joined)


def test_a_marker_of_an_unknown_id_stays_as_it_is() -> None:
    one = Sealer({new_id(): "first-secret-value"})
    sealed = one.seal_text("user:first-secret-value@db")
    assert sealed.startswith("user:" + PREFIX) and "first-secret-value" not in sealed
    other = Sealer({new_id(): "first-secret-value"})  # the same value under another id
    assert other.unseal_text(sealed) == sealed


def test_every_covered_form_is_replaced() -> None:
    secret = 'pa"ss-wörd-123'
    sealer = Sealer({new_id(): secret})
    b64 = base64.b64encode(secret.encode()).decode()
    escaped = json.dumps(secret, ensure_ascii=False)[1:-1]
    for text in (secret, b64, escaped, f"x{secret}y", f"UserData {b64}", f'{{"pw":"{escaped}"}}'):
        sealed = sealer.seal_text(text)
        assert secret not in sealed and b64 not in sealed and escaped not in sealed, text
        assert sealer.unseal_text(sealed) == text
    assert sealer.holds(json.dumps({"a": f"x{secret}"}))  # found in the state's escaped JSON text
    assert not sealer.holds(json.dumps({"a": sealer.seal_text(secret)}))
