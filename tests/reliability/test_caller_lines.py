"""Issue 19 item 9: the DSL finds the user's line from a per-code line table (f_lineno rescans
the whole table, which made import quadratic); the lines it reports must stay exact."""

from __future__ import annotations

import textwrap

from cli_runner import run_cli


def test_errors_point_at_the_exact_line_deep_in_a_long_template(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    body = "".join(f"    t.resources.q{i}.type = 'AWS::SQS::Queue'\n" for i in range(300))
    source = "import sparkleform as sf\n\n\n@sf.template\ndef t(t):\n" + body + "    t.resources.bad.propertiez = 1\n"
    (tmp_path / "t.py").write_text(source)
    line = source.splitlines().index("    t.resources.bad.propertiez = 1") + 1
    result = run_cli("validate", "t.py")
    assert f"t.py:{line}:" in result.stdout + result.stderr, result.stdout + result.stderr


def test_lines_inside_loops_and_multi_line_calls(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    source = textwrap.dedent("""\
        import sparkleform as sf


        @sf.template
        def t(t):
            for i in range(3):
                t.resources[f"q{i}"].type = "AWS::SQS::Queue"
            t.resources.w.type = (
                "AWS::Nope::Thing"
            )
        """)
    (tmp_path / "t.py").write_text(source)
    result = run_cli("validate", "t.py")
    assert "t.py:8:" in result.stdout, result.stdout
