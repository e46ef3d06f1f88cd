"""Property test: any text either reads as a template or fails with one FormatError."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sparkleform.errors import FormatError
from sparkleform.formats import loads_template

PIECES = st.sampled_from(
    ["A", "b", ":", ": ", " ", "  ", "\n", "\t", "- ", "!Ref ", "!GetAtt ", "!If ", "!Sub ", "!!str ", "!!int ",
     "!!python/name:x ", "&a ", "*a", "<<: ", "[", "]", "{", "}", ", ", "'", '"', "|", ">", "#", "yes", "0644",
     "2010-09-09", "~", "---\n", "...\n", "%YAML 1.1\n", "?", "\\", "\x00", "\ufeff", "é"]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(PIECES, max_size=30).map("".join))
def test_reading_never_crashes(text: str) -> None:
    from sparkleform.formats import loads_document

    try:
        doc, smap = loads_template(text, "f.yaml")
    except FormatError as exc:
        assert exc.location is not None and exc.location.startswith("f.yaml:")
        try:
            loads_document(text, "f.yaml")
        except FormatError as again:
            assert str(again) == str(exc)
        else:
            raise AssertionError("the fast reader accepted what the located reader refused") from None
        return
    assert isinstance(doc, dict)
    assert smap.get(()) is not None
    assert loads_document(text, "f.yaml") == doc


JSON_PIECES = st.sampled_from(
    ['{', '}', '[', ']', '"a"', '"b"', ":", ",", " ", "\n", "1", "-0.5e3", "true", "null", "NaN", '"\\u00e9"',
     '"\\ud800"', '"x\ty"', "01", '"', "\\"]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(JSON_PIECES, max_size=30).map(lambda parts: "{" + "".join(parts)))
def test_reading_json_never_crashes(text: str) -> None:
    from sparkleform.formats import loads_document

    try:
        doc, _ = loads_template(text, "f.json")
    except FormatError as exc:
        assert exc.location is not None and exc.location.startswith("f.json:")
        try:
            loads_document(text, "f.json")
        except FormatError as again:
            assert again.message == exc.message
        else:
            raise AssertionError("the fast reader accepted what the located reader refused") from None
        return
    assert isinstance(doc, dict)
    assert loads_document(text, "f.json") == doc
