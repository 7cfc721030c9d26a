"""Collecting the checks of a file and running them with the policies."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..compiled import CompiledOrg
from ..diagnostics import Diagnostic, Location
from ..source import SourceFile
from .collect import LocatedCheck
from .evaluate import CheckResult, Evaluator, Failure
from .model import PoliciesConfig
from .policies import run_policies


@dataclass
class CheckRun:
    results: list[CheckResult] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        if any(d.is_error for d in self.diagnostics):
            return True
        return any(not r.passed and r.severity == "error" for r in self.results)


def run_checks(
    org: CompiledOrg,
    checks: list[LocatedCheck],
    policies: PoliciesConfig,
    today: date,
    policies_location: Location,
) -> list[CheckResult]:
    evaluator = Evaluator(org)
    results = []
    for located in checks:
        result = CheckResult("check", located.label, located.label, located.location)
        evaluator.run(located.check, result)
        results.append(result)
    results.extend(run_policies(org, policies, today, policies_location))
    return results


def resolve_org_path(checks_file: Path, source: SourceFile) -> Path | None:
    """Return the org a standalone checks file names with `org:`, relative to it."""
    target = source.data.get("org") if isinstance(source.data, dict) else None
    if not isinstance(target, str):
        return None
    return checks_file.parent / target


__all__ = [
    "CheckResult",
    "CheckRun",
    "Failure",
    "LocatedCheck",
    "PoliciesConfig",
    "resolve_org_path",
    "run_checks",
]
