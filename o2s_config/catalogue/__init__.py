"""The rights catalogue shipped with o2s-config, loaded once per process."""

from __future__ import annotations

import functools
from importlib import resources

from ..source import parse_source
from .model import (
    SCOPE_ORDER,
    Catalogue,
    CatalogueFile,
    Lang,
    Right,
    ScopeOption,
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


@functools.cache
def load_catalogue_file() -> CatalogueFile:
    raw = resources.files(__package__).joinpath("o2s.yaml").read_bytes()
    source = parse_source(raw, "o2s_config/catalogue/o2s.yaml")
    return CatalogueFile.model_validate(source.data)


@functools.cache
def load_catalogue() -> Catalogue:
    """Return the shipped catalogue. The data is validated once, at first use."""
    data = load_catalogue_file()
    return Catalogue(data.tabs, data.scope_options, data.rights)
