"""The rule context: the typed document and the catalogue in force."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from ..catalogue import Catalogue
from ..document import OrgDocument
from ..model import BUILTIN_ADMINISTRATOR


@dataclass
class RuleContext:
    document: OrgDocument
    catalogue: Catalogue
    # Filled by the hierarchy rule: users whose manager chain loops.
    users_in_cycles: set[str] = field(default_factory=set)
    # Filled by the profile rule: profiles whose base chain loops or breaks.
    unresolvable_profiles: set[str] = field(default_factory=set)

    @property
    def known_profiles(self) -> set[str]:
        return self.document.declared_profiles | {BUILTIN_ADMINISTRATOR}

    @property
    def rejected_rights(self) -> set[str]:
        """Keys declared under `rights:` whose entry has an error of its own.

        They are not in the catalogue, but names that use them are not unknown.
        """
        declared = self.document.declared_rights
        return {key for key in declared if key not in self.catalogue}


def did_you_mean(value: str, candidates: list[str]) -> str:
    close = difflib.get_close_matches(value, candidates, n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""
