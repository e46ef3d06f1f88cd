"""The resource types most used in the corpus (../shared/corpus), with how many resources
and templates use each, and which engine.service_rules cover: the list docs/engine.md keeps.

    PYTHONPATH=src python benchmarks/corpus_resource_types.py --top 40
"""

from __future__ import annotations

import argparse
import csv
from collections import Counter
from pathlib import Path

from sparkleform.engine.service_rules import NAMES, RULES, UNIQUE_NAMES
from sparkleform.formats import load_template


def count(corpus: Path) -> tuple[Counter, Counter]:
    resources: Counter = Counter()
    templates: Counter = Counter()
    with (corpus / "MANIFEST.tsv").open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh, delimiter="\t") if r.get("parse") == "ok"]
    for row in rows:
        try:
            doc, _ = load_template(corpus / row["path"])
        except Exception:  # a template the readers refuse is not counted
            continue
        found = doc.get("Resources") if isinstance(doc, dict) else None
        if not isinstance(found, dict):
            continue
        kinds = [r.get("Type") for r in found.values() if isinstance(r, dict) and isinstance(r.get("Type"), str)]
        resources.update(kinds)
        templates.update(set(kinds))
    return resources, templates


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--corpus", default="../shared/corpus")
    args = parser.parse_args()
    resources, templates = count(Path(args.corpus))
    print("| # | type | resources | templates | service rules beyond the schema |")
    print("|---|---|---|---|---|")
    for i, (rtype, n) in enumerate(resources.most_common(args.top), 1):
        rules = [f.__name__.lstrip("_") for f in RULES.get(rtype, ())]
        if rtype in UNIQUE_NAMES:
            rules.append("unique name")
        if rtype in NAMES and "named" not in rules:
            rules.append("name")
        print(f"| {i} | {rtype} | {n} | {templates[rtype]} | {', '.join(rules) or '-'} |")


if __name__ == "__main__":
    main()
