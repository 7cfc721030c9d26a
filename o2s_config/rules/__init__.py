"""Semantic rules: what the models alone cannot check, each with a stable code.

Every rule family lives in its own module and exposes `check(context)`, which
yields diagnostics. The codes are documented for users in docs/diagnostics.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ..diagnostics import Diagnostic
from . import administrators, duplicates, hierarchy, profiles, references
from .context import RuleContext

RULE_FAMILIES: tuple[Callable[[RuleContext], Iterable[Diagnostic]], ...] = (
    duplicates.check,
    references.check,
    profiles.check,
    hierarchy.check,
    administrators.check,
)

__all__ = ["RuleContext", "run_rules"]


def run_rules(context: RuleContext) -> list[Diagnostic]:
    if not context.document.typed:
        return []
    found: list[Diagnostic] = []
    for family in RULE_FAMILIES:
        found.extend(family(context))
    return found
