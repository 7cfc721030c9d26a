"""The rights catalogue shipped with o2s-config, loaded once per process."""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any

from ..source import parse_source
from .model import (
    SCOPE_ORDER,
    Catalogue,
    CatalogueFile,
    Lang,
    OptionLabel,
    Requirement,
    Right,
    ScopeOption,
    Tab,
    is_glob,
    scope_rank,
)

__all__ = [
    "SCOPE_ORDER",
    "Catalogue",
    "CatalogueFile",
    "Lang",
    "Right",
    "ScopeOption",
    "is_glob",
    "load_catalogue",
    "load_catalogue_file",
    "scope_rank",
]


CATALOGUE_NAME = "o2s_config/catalogue/o2s.yaml"


def read_catalogue_data() -> Any:
    raw = resources.files(__package__).joinpath("o2s.yaml").read_bytes()
    return parse_source(raw, CATALOGUE_NAME).data


@functools.cache
def load_catalogue_file() -> CatalogueFile:
    """Validate the shipped catalogue file against its model."""
    return CatalogueFile.model_validate(read_catalogue_data())


@functools.cache
def load_catalogue() -> Catalogue:
    """Return the shipped catalogue, built once per process.

    The shipped file is built without validation, because validating it costs
    every command start-up time. The tests validate it against its model and
    against schemas/catalogue.schema.json instead.
    """
    data = read_catalogue_data()
    tabs = [Tab.model_construct(**tab) for tab in data["tabs"]]
    scope_options = {
        name: {
            option: OptionLabel.model_construct(**labels)
            for option, labels in options.items()
        }
        for name, options in data["scope_options"].items()
    }
    rights = [_construct_right(right) for right in data["rights"]]
    return Catalogue(tabs, scope_options, rights)


def _construct_right(data: dict[str, Any]) -> Right:
    fields = dict(data)
    if "options" in fields:
        fields["options"] = tuple(fields["options"])
    if "requires" in fields:
        fields["requires"] = Requirement.model_construct(**fields["requires"])
    return Right.model_construct(**fields)
