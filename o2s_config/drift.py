"""`o2s-config drift`: the declared organisation against the state in a workbook.

The workbook is imported in memory, with the declared org file as its
defaults (see importer.py), and both are compared with the semantic diff of
`o2s-config diff`. The declared file is the base and the workbook the head,
so the diff reads as what changed in O2S since the file. A `widen` change
means that O2S grants more than the file declares, and a removed user is a
user of the file who is missing from O2S.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .compiled import CompiledOrg
from .diff import OrgDiff, diff_orgs
from .importer import import_workbook
from .sheets import Problem


@dataclass
class DriftResult:
    """The diff from the declared org to the workbook, or the rows that stop it.

    `diff` is None when the workbook has problems: a skipped row would show
    up as a removed user or a changed right, which is not what O2S holds.
    """

    diff: OrgDiff | None
    problems: list[Problem]

    @property
    def drifted(self) -> bool:
        return self.diff is None or bool(self.diff.changes)


def compare_with_workbook(
    declared: CompiledOrg, workbook: Path, display_name: str | None = None
) -> DriftResult:
    """Import `workbook` and compare it with `declared`.

    Raises InputFileError when the workbook cannot be opened.
    """
    imported = import_workbook(workbook, defaults=declared, display_name=display_name)
    if imported.org is None or imported.problems:
        return DriftResult(None, imported.problems)
    return DriftResult(diff_orgs(declared, imported.org), [])
