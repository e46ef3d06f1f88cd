"""Findings as JUnit XML, for CI systems that show test reports: one test suite per template
file, one failing test case per finding (errors as <failure>, warnings and notes as
<failure type="warning">), and one passing case for a clean file."""

from __future__ import annotations

from collections.abc import Sequence
from xml.etree import ElementTree as ET

from sparkleform.check.diagnostic import ERROR, Diagnostic
from sparkleform.check.report import place


def format_junit(diagnostics: Sequence[Diagnostic], files: Sequence[str]) -> str:
    root = ET.Element("testsuites", name="sparkleform validate")
    by_file: dict[str, list[Diagnostic]] = {f: [] for f in files}
    for d in diagnostics:
        by_file.setdefault(d.location.file if d.location else (files[0] if files else "template"), []).append(d)
    total = failures = 0
    for file, found in by_file.items():
        suite = ET.SubElement(root, "testsuite", name=file, tests=str(max(1, len(found))),
                              failures=str(len(found)), errors="0")
        total += max(1, len(found))
        failures += len(found)
        if not found:
            ET.SubElement(suite, "testcase", classname=file, name="validate")
            continue
        for d in found:
            where = place(d, file)
            case = ET.SubElement(suite, "testcase", classname=file, name=f"{d.rule} {d.path_text or '(template)'}")
            failure = ET.SubElement(case, "failure", message=d.message,
                                    type="error" if d.severity == ERROR else d.severity)
            failure.text = f"{where}: {d.path_text or '(template)'}: {d.message} [{d.rule}]"
    root.set("tests", str(total))
    root.set("failures", str(failures))
    return ET.tostring(root, encoding="unicode", xml_declaration=True)
