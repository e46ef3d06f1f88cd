"""A long-lived process (the Python API, a notebook, a watcher) that edits its files between
calls sees the edits: the collection, the columns and the ignore comments are cached by the
files' modification, not by their names."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import sparkleform
from sparkleform.check import columns, suppress
from sparkleform.check.diagnostic import Diagnostic
from sparkleform.sourcemap import Location


def _write(path: Path, text: str, *, bump: int = 0) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text) if text.startswith("\n") else text)
    if bump:  # a second write within the clock's resolution still counts as a change
        st = path.stat()
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + bump))


def test_compile_sees_an_edited_component(tmp_path: Path) -> None:
    component = tmp_path / "components" / "queue.py"
    _write(component, """
        from sparkleform import component

        @component
        def queue(t):
            with t.resources.queue as r:
                r.type = "AWS::SQS::Queue"
                r.properties.delay_seconds = 1
        """)
    _write(tmp_path / "templates" / "app.py", """
        from sparkleform import template

        @template(load=["queue"])
        def app(t):
            pass
        """)
    first = sparkleform.compile("app", collection=tmp_path)
    assert first["Resources"]["Queue"]["Properties"] == {"DelaySeconds": 1}
    _write(component, component.read_text().replace("delay_seconds = 1", "delay_seconds = 7"), bump=10_000_000)
    second = sparkleform.compile("app", collection=tmp_path)
    assert second["Resources"]["Queue"]["Properties"] == {"DelaySeconds": 7}


def _finding(file: Path, line: int) -> Diagnostic:
    return Diagnostic(rule="SF3020", severity="warning", message="m", path=("Resources", "Queue", "Properties", "DelaySeconds"),
                      location=Location(str(file), line))


def test_columns_and_ignore_comments_follow_an_edited_file(tmp_path: Path) -> None:
    source = tmp_path / "app.py"
    _write(source, "t.resources.queue.properties.delay_seconds = 5\n")
    assert columns.column_of(_finding(source, 1)) == 30
    assert suppress.suppress([_finding(source, 1)], {}) != []
    _write(source, "    t.resources.queue.properties.delay_seconds = 5  # sparkleform: ignore[SF3020]\n",
           bump=10_000_000)
    assert columns.column_of(_finding(source, 1)) == 34
    assert suppress.suppress([_finding(source, 1)], {}) == []
