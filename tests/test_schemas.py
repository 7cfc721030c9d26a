"""The JSON Schemas: committed files match the code, and real files validate."""

from __future__ import annotations

import json

import jsonschema
import pytest

from o2s_config.schema import generated_schemas
from o2s_config.source import parse_source

from .conftest import EXAMPLE, ROOT

SCHEMAS = ROOT / "schemas"


@pytest.mark.parametrize("name", sorted(generated_schemas()))
def test_committed_schema_matches_code(name):
    committed = (SCHEMAS / name).read_text(encoding="utf-8")
    assert committed == generated_schemas()[name], (
        f"schemas/{name} is out of date; run 'o2s-config schema'"
    )


def _validator(name):
    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_catalogue_matches_its_schema():
    raw = (ROOT / "o2s_config" / "catalogue" / "o2s.yaml").read_bytes()
    _validator("catalogue.schema.json").validate(parse_source(raw, "o2s.yaml").data)


def test_example_matches_org_schema():
    data = parse_source(EXAMPLE.read_bytes(), "org.yaml").data
    _validator("org.schema.json").validate(data)


def test_org_schema_completes_rights():
    schema = json.loads((SCHEMAS / "org.schema.json").read_text(encoding="utf-8"))
    profile = schema["$defs"]["Profile"]["properties"]
    deny_choices = profile["deny"]["items"]["anyOf"][0]["enum"]
    assert "administration.module_access" in deny_choices
    assert "agenda.view" not in deny_choices
    assert profile["scopes"]["properties"]["agenda.view"]["enum"] == [
        "own",
        "attached",
        "group",
        "all",
    ]


def test_org_schema_rejects_unknown_scope_option():
    data = parse_source(EXAMPLE.read_bytes(), "org.yaml").data
    data["profiles"]["manager"]["scopes"]["agenda.view"] = "team"
    with pytest.raises(jsonschema.ValidationError):
        _validator("org.schema.json").validate(data)


def test_shipped_catalogue_matches_its_model():
    from o2s_config.catalogue import load_catalogue, load_catalogue_file

    validated = load_catalogue_file()
    built = load_catalogue()
    assert [right.model_dump() for right in validated.rights] == [
        right.model_dump() for right in built.rights.values()
    ]
    assert [tab.model_dump() for tab in validated.tabs] == [
        tab.model_dump() for tab in built.tabs
    ]
    assert {
        name: {option: label.model_dump() for option, label in labels.items()}
        for name, labels in validated.scope_options.items()
    } == {
        name: {option: label.model_dump() for option, label in labels.items()}
        for name, labels in built.scope_options.items()
    }
