"""The rights catalogue: which rights an O2S profile has, their types and labels."""

from __future__ import annotations

import difflib
import fnmatch
from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

ScopeOption = Literal["own", "attached", "group", "all"]

# Narrowest to widest. Each option's visible users contain those of the
# options before it, which is what makes "at least attached" meaningful.
SCOPE_ORDER: tuple[ScopeOption, ...] = ("own", "attached", "group", "all")

RIGHT_KEY_PATTERN = r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$"

Lang = Literal["fr", "en"]


class _Strict(BaseModel):
    # Schemas build at first validation, not at import: a run validates a Right
    # only for an org's own `rights:`, and the shipped catalogue not at all.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Tab(_Strict):
    """An O2S tab of the rights window, such as Administration or Agenda."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label_fr: str
    label_en: str

    def label(self, lang: Lang) -> str:
        return self.label_fr if lang == "fr" else self.label_en


class OptionLabel(_Strict):
    """The drop-down text of one scope option."""

    label_fr: str
    label_en: str

    def label(self, lang: Lang) -> str:
        return self.label_fr if lang == "fr" else self.label_en


class Requirement(_Strict):
    """A dependency: the right is forced off unless `right` is on (a boolean)
    or at least `at_least` (a scope)."""

    right: str = Field(pattern=RIGHT_KEY_PATTERN)
    at_least: ScopeOption | None = None

    def describe(self) -> str:
        if self.at_least is None:
            return f"requires {self.right}"
        return f"requires {self.right} at least {self.at_least}"


class Right(_Strict):
    """One right of the catalogue. `type: scope` rights carry ordered options."""

    key: str = Field(pattern=RIGHT_KEY_PATTERN)
    type: Literal["boolean", "scope"]
    label_fr: str = Field(min_length=1)
    label_en: str = Field(min_length=1)
    source: Literal["guide", "assumed"] = "assumed"
    options: tuple[ScopeOption, ...] | None = None
    option_labels: str | None = None
    requires: Requirement | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _check_options(self) -> Right:
        if self.type == "scope":
            if not self.options:
                raise ValueError("a scope right needs 'options', narrowest first")
            if list(self.options) != [o for o in SCOPE_ORDER if o in self.options]:
                raise ValueError(
                    "scope options must be distinct and ordered own, attached, group, all"
                )
            if self.option_labels is None:
                raise ValueError(
                    "a scope right needs 'option_labels' (agenda or clients)"
                )
        elif self.options is not None or self.option_labels is not None:
            raise ValueError("only scope rights take 'options' and 'option_labels'")
        return self

    @property
    def tab(self) -> str:
        return self.key.split(".", 1)[0]

    @property
    def is_scope(self) -> bool:
        return self.type == "scope"

    def label(self, lang: Lang) -> str:
        return self.label_fr if lang == "fr" else self.label_en

    @property
    def widest(self) -> ScopeOption:
        assert self.options
        return self.options[-1]

    @property
    def narrowest(self) -> ScopeOption:
        assert self.options
        return self.options[0]


class CatalogueFile(_Strict):
    """The shipped catalogue file, `o2s_config/catalogue/o2s.yaml`."""

    version: Literal[1]
    tabs: tuple[Tab, ...]
    scope_options: dict[str, dict[ScopeOption, OptionLabel]]
    rights: tuple[Right, ...]


class Catalogue:
    """The rights in force for one org: the shipped ones plus the org's own."""

    def __init__(
        self,
        tabs: Iterable[Tab],
        scope_options: dict[str, dict[ScopeOption, OptionLabel]],
        rights: Iterable[Right],
    ) -> None:
        self.tabs = tuple(tabs)
        self.scope_options = scope_options
        tab_order = {tab.id: index for index, tab in enumerate(self.tabs)}
        ordered = sorted(
            enumerate(rights), key=lambda item: (tab_order[item[1].tab], item[0])
        )
        self.rights: dict[str, Right] = {right.key: right for _, right in ordered}
        self.boolean_keys = tuple(k for k, r in self.rights.items() if not r.is_scope)
        self.scope_keys = tuple(k for k, r in self.rights.items() if r.is_scope)
        self._tabs_by_id = {tab.id: tab for tab in self.tabs}

    def __contains__(self, key: object) -> bool:
        return key in self.rights

    def __getitem__(self, key: str) -> Right:
        return self.rights[key]

    def tab(self, tab_id: str) -> Tab:
        return self._tabs_by_id[tab_id]

    def has_tab(self, tab_id: str) -> bool:
        return tab_id in self._tabs_by_id

    def extended(self, extra: Iterable[Right]) -> Catalogue:
        return Catalogue(self.tabs, self.scope_options, [*self.rights.values(), *extra])

    def match(self, pattern: str) -> list[str]:
        """Return the keys a key or glob names, in catalogue order."""
        if not is_glob(pattern):
            return [pattern] if pattern in self.rights else []
        return [key for key in self.rights if fnmatch.fnmatchcase(key, pattern)]

    def suggest(self, key: str) -> str | None:
        """Return the closest known key, for a did-you-mean hint."""
        close = difflib.get_close_matches(key, list(self.rights), n=1, cutoff=0.6)
        return close[0] if close else None

    def option_label(self, key: str, option: str, lang: Lang = "fr") -> str:
        right = self.rights[key]
        labels = self.scope_options.get(right.option_labels or "", {})
        found = labels.get(option)  # type: ignore[call-overload]
        return found.label(lang) if found is not None else option

    def value_label(self, key: str, value: bool | str, lang: Lang = "fr") -> str:
        """Return the text a report shows for a value: Oui/Non or the option label."""
        if isinstance(value, bool):
            if lang == "fr":
                return "Oui" if value else "Non"
            return "Yes" if value else "No"
        return self.option_label(key, value, lang)


def is_glob(pattern: str) -> bool:
    return any(char in pattern for char in "*?[")


def scope_rank(option: str) -> int:
    return SCOPE_ORDER.index(option)
