"""The rule registry: every code the source reports is a declared rule, every declared rule is
reported somewhere (in the module that declares it), checks are found without a list, and
docs/validate.md's rule table is the registry's."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import sparkleform
from sparkleform.check import run_checks
from sparkleform.check.diagnostic import SEVERITIES
from sparkleform.check.docs import BEGIN, END, rule_table
from sparkleform.check.rules import all_rules, checks

SRC = Path(sparkleform.__file__).parent
DOC = Path(__file__).resolve().parents[2] / "docs" / "validate.md"
CODE = re.compile(r"SF\d{4}")


def _codes_in_source() -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """(declared: code -> modules whose `rule("SF....", ...)` declares it,
    reported: code -> modules where the code appears anywhere else)."""
    declared: dict[str, list[str]] = {}
    reported: dict[str, list[str]] = {}
    for path in sorted(SRC.rglob("*.py")):
        module = ".".join(path.relative_to(SRC.parent).with_suffix("").parts)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        declaring = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "rule" and node.args:
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    declaring.add(id(first))
                    declared.setdefault(first.value, []).append(module)
        for node in ast.walk(tree):
            # a code as a whole literal (`ctx.report("SF2002", ...)`), not prose in a docstring
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in declaring \
                    and CODE.fullmatch(node.value):
                reported.setdefault(node.value, []).append(module)
    return declared, reported


def test_every_reported_code_is_a_registered_rule_and_every_rule_is_reported():
    declared, reported = _codes_in_source()
    rules = all_rules()
    assert set(declared) == set(rules), "a rule(...) outside sparkleform.check is not discovered"
    assert all(len(modules) == 1 for modules in declared.values())
    assert sorted(set(reported) - set(rules)) == [], "codes reported without a rule declaration"
    assert sorted(set(rules) - set(reported)) == [], "rules no code path reports"
    for code, (module,) in declared.items():
        assert module in reported[code], f"{code} is declared in {module} but reported elsewhere"


def test_rules_carry_their_metadata():
    rules = all_rules()
    assert len(rules) >= 63
    for rule_id, rule in rules.items():
        assert rule.id == rule_id and CODE.fullmatch(rule_id)
        assert rule.severity in SEVERITIES
        assert rule.family and rule.description
        assert rule.source_url.startswith("https://docs.aws.amazon.com/"), rule_id
        assert rule.anchor == rule_id.lower()


def test_checks_are_found_in_their_modules():
    found = checks()
    modules = {c.run.__module__ for c in found}
    assert {"sparkleform.check.structure", "sparkleform.check.references", "sparkleform.check.iam"} <= modules
    assert len({c.name for c in found}) == len(found)
    assert [c.family for c in found if c.written] == ["iam"]


def test_a_new_module_joins_by_declaring_its_rule_and_check(tmp_path):
    """A check module the runner has never heard of runs and its rule is known."""
    extra = tmp_path / "extra_checks"
    extra.mkdir()
    (extra / "widgets.py").write_text(
        textwrap.dedent(
            """
            from sparkleform.check.diagnostic import WARNING
            from sparkleform.check.rules import CFN_DOCS, check, rule

            RULES = (rule("SF8001", "widgets", WARNING, "A widget", CFN_DOCS + "template-anatomy.html"),)

            @check()
            def check_widgets(ctx):
                for logical_id in ctx.resources:
                    ctx.report("SF8001", ("Resources", logical_id), "a widget")
            """
        )
    )
    script = textwrap.dedent(
        f"""
        import sparkleform.check as package
        package.__path__.append({str(extra)!r})
        from sparkleform.check import run_checks
        from sparkleform.check.rules import all_rules
        found = run_checks({{"Resources": {{"B": {{"Type": "AWS::S3::Bucket"}}}}}})
        print(all_rules()["SF8001"].family, [(d.rule, d.severity) for d in found])
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "widgets [('SF8001', 'warning')]"


def test_iam_false_leaves_out_the_iam_family_only():
    t = {
        "Parameters": {"Unused": {"Type": "String"}},
        "Resources": {
            "P": {
                "Type": "AWS::IAM::ManagedPolicy",
                "Properties": {"PolicyDocument": {"Version": "2012-10-17",
                                                  "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}},
            }
        },
    }
    with_iam = {d.rule for d in run_checks(t)}
    without = {d.rule for d in run_checks(t, iam=False)}
    assert "SF9001" in with_iam and "SF3020" in with_iam
    assert without == {r for r in with_iam if all_rules()[r].family != "iam"}


def test_validate_md_rule_table_is_the_registry():
    text = DOC.read_text(encoding="utf-8")
    table = text[text.index(BEGIN) + len(BEGIN): text.index(END)].strip()
    assert table == rule_table(), "docs/validate.md is stale: run python -m sparkleform.check.docs"
    anchors = re.findall(r'<a id="(sf\d{4})"></a>', text)
    assert sorted(anchors) == sorted(r.anchor for r in all_rules().values())


def test_docs_generator_check_mode(tmp_path):
    stale = tmp_path / "validate.md"
    stale.write_text(f"# doc\n\n{BEGIN}\n| old |\n{END}\n", encoding="utf-8")
    run = [sys.executable, "-m", "sparkleform.check.docs"]
    assert subprocess.run([*run, "--check", str(stale)], capture_output=True).returncode == 1
    assert subprocess.run([*run, str(stale)], capture_output=True).returncode == 0
    assert subprocess.run([*run, "--check", str(stale)], capture_output=True).returncode == 0
    assert '<a id="sf2002"></a>SF2002' in stale.read_text(encoding="utf-8")
