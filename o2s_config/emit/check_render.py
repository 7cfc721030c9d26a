"""Text and JSON output of `check`."""

from __future__ import annotations

import json
from typing import Any

from ..checks.evaluate import CheckResult


def _status(result: CheckResult) -> str:
    if result.passed:
        return "PASS"
    return "FAIL" if result.severity == "error" else "WARN"


def render_text(results: list[CheckResult]) -> str:
    lines = []
    for result in results:
        prefix = {"policy": "policy ", "snapshot": ""}.get(result.kind, "")
        lines.append(f"{_status(result)}  {prefix}{result.name}  ({result.location})")
        for failure in result.failures:
            lines.append(f"      {failure.message}")
            lines.append(f"        expected: {failure.expected}")
            lines.append(f"        actual:   {failure.actual}")
            if failure.explain:
                lines.append("        because:")
                lines.extend(f"          {line}" for line in failure.explain)
    lines.append(summary(results))
    return "\n".join(lines) + "\n"


def summary(results: list[CheckResult]) -> str:
    parts = []
    for kind, title in (
        ("check", "checks"),
        ("policy", "policies"),
        ("snapshot", "snapshot"),
    ):
        selected = [r for r in results if r.kind == kind]
        if not selected:
            continue
        passed = sum(1 for r in selected if r.passed)
        failed = sum(1 for r in selected if not r.passed and r.severity == "error")
        warned = len(selected) - passed - failed
        text = f"{title}: {passed} passed, {failed} failed"
        if warned:
            text += f", {warned} with warnings"
        parts.append(text)
    return "; ".join(parts) if parts else "no checks"


def to_json(results: list[CheckResult], extra: dict[str, Any] | None = None) -> str:
    payload: dict[str, Any] = {
        "format_version": 1,
        "passed": not any(not r.passed and r.severity == "error" for r in results),
        "results": [
            {
                "kind": result.kind,
                "id": result.id,
                "name": result.name,
                "file": result.location.file,
                "line": result.location.line,
                "severity": result.severity,
                "passed": result.passed,
                "failures": [
                    {
                        "message": failure.message,
                        "expected": failure.expected,
                        "actual": failure.actual,
                        "explain": failure.explain,
                    }
                    for failure in result.failures
                ],
            }
            for result in results
        ],
    }
    payload.update(extra or {})
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
