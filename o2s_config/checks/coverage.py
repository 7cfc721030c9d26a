"""Coverage: which profiles, rights and users the checks exercise."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..compiled import CompiledOrg
from .evaluate import CheckResult, Touched


@dataclass(frozen=True)
class Dimension:
    name: str
    total: list[str]
    untested: list[str]

    @property
    def percent(self) -> float:
        if not self.total:
            return 100.0
        return 100.0 * (len(self.total) - len(self.untested)) / len(self.total)


def measure(org: CompiledOrg, results: list[CheckResult]) -> list[Dimension]:
    """Count what the checks touch; built-in policies do not count."""
    touched = Touched()
    for result in results:
        if result.kind == "check":
            touched.update(result.touched)
    universes = {
        "profiles": list(org.profiles),
        "rights": list(org.catalogue.rights),
        "users": list(org.users),
    }
    seen = {
        "profiles": touched.profiles,
        "rights": touched.rights,
        "users": touched.users,
    }
    return [
        Dimension(name, total, [item for item in total if item not in seen[name]])
        for name, total in universes.items()
    ]


def lowest_percent(dimensions: list[Dimension]) -> float:
    return min(dimension.percent for dimension in dimensions)


def render_text(dimensions: list[Dimension]) -> str:
    lines = ["coverage:"]
    for dimension in dimensions:
        tested = len(dimension.total) - len(dimension.untested)
        lines.append(
            f"  {dimension.name}: {dimension.percent:.0f}% ({tested} of {len(dimension.total)})"
        )
        if dimension.untested:
            lines.append(f"    untested: {', '.join(dimension.untested)}")
    return "\n".join(lines) + "\n"


def to_json(dimensions: list[Dimension]) -> dict[str, Any]:
    return {
        dimension.name: {
            "percent": round(dimension.percent, 1),
            "tested": len(dimension.total) - len(dimension.untested),
            "total": len(dimension.total),
            "untested": dimension.untested,
        }
        for dimension in dimensions
    }
