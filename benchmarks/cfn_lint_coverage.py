"""Regenerate docs/cfn-lint-coverage.md: of the errors cfn-lint reports on the corpus's bad
fixtures, how many sparkleform's checks also catch, per cfn-lint rule family.

    python benchmarks/cfn_lint_coverage.py            # rewrites docs/cfn-lint-coverage.md
    python benchmarks/cfn_lint_coverage.py --print    # prints the table only

A cfn-lint match counts as caught when sparkleform reports an error on the same place:
one template path is a prefix of the other and they share at least section and logical id
(or the section, for a match on a whole section)
(`Resources.Web.Properties` matches `Resources.Web.Properties.ImageId`, but not
`Resources.Web.Properties.Runtime` vs `Resources.Web.Properties.ImageId`), or, for a match
at the template root, when sparkleform reports any error. A file sparkleform's
loader refuses (exit 2) catches cfn-lint's parse errors (E0000).
"""

from __future__ import annotations

import csv
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = (ROOT / ".." / "shared" / "corpus").resolve()

FAMILIES = [
    ("E0", "template parse / transform errors (E0xxx)"),
    ("E1001", "template sections (E1001)"),
    ("E10", "intrinsic functions and references (E10xx)"),
    ("E11", "intrinsic functions, more (E11xx)"),
    ("E20", "parameters (E20xx)"),
    ("E25", "resource-specific semantics (E25xx: runtimes, memory, ...)"),
    ("E30", "resources against their schema (E30xx)"),
    ("E35", "resource-specific semantics (E35xx)"),
    ("E36", "resource-specific semantics (E36xx)"),
    ("E6", "outputs (E6xxx)"),
    ("E7", "mappings (E7xxx)"),
    ("E8", "conditions (E8xxx)"),
    ("E37", "resource-specific semantics (E37xx)"),
    ("E50", "modules (E50xx)"),
]


def family(rule_id: str) -> str:
    best = ""
    for prefix, _ in FAMILIES:
        if rule_id.startswith(prefix) and len(prefix) > len(best):
            best = prefix
    return best or rule_id[:3]


def caught(match_path: tuple, ours: list[tuple]) -> bool:
    if not match_path:
        return bool(ours)
    for path in ours:
        n = min(len(match_path), len(path))
        if n >= min(2, len(match_path)) and tuple(match_path[:n]) == tuple(path[:n]):
            return True
    return False


def measure():
    from cfnlint.api import ManualArgs, lint_file

    from sparkleform.check import run_checks
    from sparkleform.errors import SparkleformError
    from sparkleform.formats import load_template

    rows = list(csv.DictReader((CORPUS / "MANIFEST.tsv").open(encoding="utf-8"), delimiter="\t"))
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    by_rule: dict[str, list] = defaultdict(lambda: [0, 0, ""])
    files = 0
    for row in rows:
        if row["label"] != "bad-fixture" or not row["cfn_lint"].startswith(("errors:", "unparseable:")):
            continue
        path = CORPUS / row["path"]
        files += 1
        try:
            template, sources = load_template(path)
            ours = [d.path for d in run_checks(template, sources, filename=str(path)) if d.severity == "error"]
            refused = False
        except SparkleformError:
            ours, refused = [], True
        try:
            matches = lint_file(path, config=ManualArgs(regions=["us-east-1"]))
        except Exception as exc:
            print(f"cfn-lint failed on {row['path']}: {exc}", file=sys.stderr)
            continue
        for m in matches:
            rule_id = m.rule.id
            if not rule_id.startswith("E"):
                continue
            hit = refused if rule_id.startswith("E0000") else caught(tuple(getattr(m, "path", None) or ()), ours)
            fam = family(rule_id)
            totals[fam][0] += 1
            totals[fam][1] += int(hit)
            totals[fam][2] += int(refused and not hit)
            by_rule[rule_id][0] += 1
            by_rule[rule_id][1] += int(hit)
            by_rule[rule_id][2] = m.rule.shortdesc
    return files, totals, by_rule


def render(files, totals, by_rule) -> str:
    names = dict(FAMILIES)
    lines = [
        "| cfn-lint family | cfn-lint errors | also caught by sparkleform | share | in files sparkleform refuses to load |",
        "|---|---:|---:|---:|---:|",
    ]
    all_n = all_hit = all_refused = 0
    for fam in sorted(totals):
        n, hit, refused = totals[fam]
        all_n += n
        all_hit += hit
        all_refused += refused
        lines.append(f"| {names.get(fam, fam)} | {n} | {hit} | {100 * hit / n:.0f}% | {refused} |")
    share = 100 * all_hit / max(all_n, 1)
    lines.append(f"| **all** | **{all_n}** | **{all_hit}** | **{share:.0f}%** | **{all_refused}** |")
    rule_lines = ["| cfn-lint rule | what | errors | caught |", "|---|---|---:|---:|"]
    for rule_id in sorted(by_rule):
        n, hit, desc = by_rule[rule_id]
        rule_lines.append(f"| {rule_id} | {desc} | {n} | {hit} |")
    return "\n".join(lines), "\n".join(rule_lines), files


def main() -> None:
    if not (CORPUS / "MANIFEST.tsv").is_file():
        sys.exit("../shared/corpus is absent")
    files, totals, by_rule = measure()
    family_table, rule_table, files = render(files, totals, by_rule)
    if "--print" in sys.argv:
        print(family_table)
        print()
        print(rule_table)
        return
    doc = ROOT / "docs" / "cfn-lint-coverage.md"
    text = DOC.format(files=files, family_table=family_table, rule_table=rule_table)
    doc.write_text(text, encoding="utf-8")
    print(family_table)
    print(f"wrote {doc}")


DOC = """# How many cfn-lint errors `sparkleform validate` also catches

Generated by `python benchmarks/cfn_lint_coverage.py` (cfn-lint's Python API on each file,
sparkleform's `run_checks` on the same file) over the {files} public corpus files labelled
`bad-fixture` whose cfn-lint result is `errors:` or `unparseable:`
(`../shared/corpus/MANIFEST.tsv`). Do not edit by hand: rerun the script.

A cfn-lint error counts as caught when sparkleform reports an error at the same place
(one template path is a prefix of the other, and they share at least section and logical
id; a match at the template root counts when sparkleform reports any error); cfn-lint's parse errors (E0000)
count as caught when sparkleform's loader refuses the file; the other errors in a refused
file are counted as missed (the last column: the user does get an error, the loader's
first one, with its line). cfn-lint bad fixtures are
written to trip one rule each; many are about resource-specific semantics sparkleform
does not implement (deprecated Lambda runtimes, instance-type lists, ...), which is
where the misses are concentrated.

## By family

{family_table}

## By rule

{rule_table}
"""

if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    main()
