"""JUnit XML of check results, the format GitLab and GitHub test reports read.

Each check and each policy is one test case. A failing error-level result is a
`<failure>`; a failing warning-level result passes and carries its findings in
`<system-out>`, since warnings do not fail the run.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

from .evaluate import CheckResult


def render_junit(results: list[CheckResult], suite_name: str) -> str:
    suites = ElementTree.Element("testsuites", name="o2s-config check")
    for kind, title in (
        ("check", "checks"),
        ("policy", "policies"),
        ("snapshot", "snapshot"),
    ):
        selected = [result for result in results if result.kind == kind]
        if not selected:
            continue
        failures = sum(1 for r in selected if not r.passed and r.severity == "error")
        suite = ElementTree.SubElement(
            suites,
            "testsuite",
            name=f"{suite_name} {title}",
            tests=str(len(selected)),
            failures=str(failures),
            errors="0",
            skipped="0",
        )
        for result in selected:
            _case(suite, result, title)

    suites.set("tests", str(sum(int(s.get("tests", "0")) for s in suites)))
    suites.set("failures", str(sum(int(s.get("failures", "0")) for s in suites)))
    ElementTree.indent(suites)
    return ElementTree.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def _case(suite: ElementTree.Element, result: CheckResult, title: str) -> None:
    case = ElementTree.SubElement(
        suite,
        "testcase",
        classname=f"o2s-config.{title}",
        name=result.name,
        file=result.location.file,
        line=str(result.location.line),
    )
    if result.passed:
        return
    text = "\n".join(
        f"{failure.message}\n  expected: {failure.expected}\n  actual: {failure.actual}"
        + "".join(f"\n    {line}" for line in failure.explain)
        for failure in result.failures
    )
    if result.severity == "error":
        failure = ElementTree.SubElement(
            case, "failure", message=result.failures[0].message, type="error"
        )
        failure.text = f"{result.location}\n{text}"
    else:
        out = ElementTree.SubElement(case, "system-out")
        out.text = f"warning: {result.location}\n{text}"
