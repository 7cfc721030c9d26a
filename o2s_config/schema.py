"""JSON Schemas generated from the code: the org file, the catalogue, the report.

`schemas/*.json` in the repository are the output of `o2s-config schema`, and a
test fails when they drift from what the code generates.
"""

from __future__ import annotations

import json
from typing import Any

from .catalogue import Catalogue, CatalogueFile, load_catalogue
from .catalogue.model import RIGHT_KEY_PATTERN
from .model import OrgFile

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_BASE = "https://o2s-config.invalid/schemas/"


def org_schema(catalogue: Catalogue | None = None) -> dict[str, Any]:
    """Build the org file schema, with right keys and scope options for editors."""
    catalogue = catalogue or load_catalogue()
    schema = OrgFile.model_json_schema(mode="validation")
    profile = schema["$defs"]["Profile"]["properties"]

    boolean_keys = list(catalogue.boolean_keys)
    for field in ("allow", "deny"):
        profile[field]["items"] = {
            "anyOf": [
                {"enum": boolean_keys},
                {
                    "type": "string",
                    "pattern": r"^[a-z0-9_.*?\[\]!-]*[*?\[][a-z0-9_.*?\[\]!-]*$",
                },
                {"type": "string", "pattern": RIGHT_KEY_PATTERN},
            ],
            "description": "A yes/no right key, or a glob such as requests.*",
        }
    profile["scopes"] = {
        "type": "object",
        "description": "The option of each scope right, narrowest first: "
        "own, attached, group, all",
        "properties": {
            key: {
                "enum": list(catalogue[key].options or ()),
                "description": catalogue[key].label_fr,
            }
            for key in catalogue.scope_keys
        },
        "patternProperties": {
            RIGHT_KEY_PATTERN: {"enum": ["own", "attached", "group", "all"]},
        },
        "additionalProperties": False,
    }
    return _wrap(
        "org.schema.json", "o2s-config organisation file, format version 1", schema
    )


def catalogue_schema() -> dict[str, Any]:
    schema = CatalogueFile.model_json_schema(mode="validation")
    return _wrap("catalogue.schema.json", "o2s-config rights catalogue", schema)


def report_schema(catalogue: Catalogue | None = None) -> dict[str, Any]:
    """Build the schema of `report --format json`, format version 1."""
    catalogue = catalogue or load_catalogue()
    value = {
        "oneOf": [{"type": "boolean"}, {"enum": ["own", "attached", "group", "all"]}]
    }
    rights = {
        "type": "object",
        "properties": {key: _value_schema(catalogue, key) for key in catalogue.rights},
        "required": list(catalogue.rights),
        "additionalProperties": value,
    }
    visibility_entry = {
        "type": "object",
        "properties": {
            "scope": {"enum": ["own", "attached", "group", "all"]},
            "count": {"type": "integer", "minimum": 1},
            "users": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        },
        "required": ["scope", "count"],
        "additionalProperties": False,
    }
    schema: dict[str, Any] = {
        "type": "object",
        "required": [
            "format_version",
            "establishment",
            "profiles",
            "users",
            "diagnostics",
        ],
        "additionalProperties": False,
        "properties": {
            "format_version": {"const": 1},
            "source": {"type": "string"},
            "establishment": {"$ref": "#/$defs/Establishment"},
            "structures": {"type": "array", "items": {"type": "string"}},
            "rights": {"type": "array", "items": {"$ref": "#/$defs/Right"}},
            "profiles": {"type": "array", "items": {"$ref": "#/$defs/Profile"}},
            "users": {"type": "array", "items": {"$ref": "#/$defs/User"}},
            "diagnostics": {"type": "array", "items": {"$ref": "#/$defs/Diagnostic"}},
        },
        "$defs": {
            "Establishment": {"type": "object", "required": ["name", "contact_email"]},
            "Right": {
                "type": "object",
                "required": ["key", "tab", "type", "label_fr", "label_en", "source"],
            },
            "Rights": rights,
            "Profile": {
                "type": "object",
                "required": ["id", "label", "validated", "builtin", "base", "rights"],
                "additionalProperties": False,
                "properties": {
                    "id": {"type": "string"},
                    "label": {"type": "string"},
                    "validated": {"type": "boolean"},
                    "builtin": {"type": "boolean"},
                    "base": {"type": "string"},
                    "rights": {"$ref": "#/$defs/Rights"},
                },
            },
            "User": {
                "type": "object",
                "required": [
                    "login",
                    "name",
                    "email",
                    "structure",
                    "profile",
                    "manager",
                    "active",
                    "rights",
                    "visibility",
                ],
                "additionalProperties": False,
                "properties": {
                    "login": {"type": "string"},
                    "name": {"type": "string"},
                    "first_name": {"type": "string"},
                    "last_name": {"type": "string"},
                    "email": {"type": "string"},
                    "structure": {"type": ["string", "null"]},
                    "profile": {"type": "string"},
                    "manager": {"type": ["string", "null"]},
                    "active": {"type": "boolean"},
                    "rights": {"$ref": "#/$defs/Rights"},
                    "visibility": {
                        "type": "object",
                        "additionalProperties": visibility_entry,
                    },
                },
            },
            "Diagnostic": {
                "type": "object",
                "required": [
                    "severity",
                    "code",
                    "message",
                    "file",
                    "line",
                    "column",
                    "path",
                    "hint",
                ],
                "additionalProperties": False,
                "properties": {
                    "severity": {"enum": ["error", "warning"]},
                    "code": {"type": "string", "pattern": "^[A-Z][0-9]{3}$"},
                    "message": {"type": "string"},
                    "file": {"type": "string"},
                    "line": {"type": "integer", "minimum": 0},
                    "column": {"type": "integer", "minimum": 0},
                    "path": {"type": "string"},
                    "hint": {"type": "string"},
                },
            },
        },
    }
    return _wrap(
        "report.schema.json", "o2s-config JSON report, format version 1", schema
    )


def diff_schema() -> dict[str, Any]:
    """Build the schema of `diff --format json`, format version 1."""
    value = {"type": ["boolean", "string", "number", "null"]}
    change = {
        "type": "object",
        "required": ["category", "kind", "subject", "classification"],
        "additionalProperties": False,
        "properties": {
            "category": {"enum": ["establishment", "profile", "user"]},
            "kind": {
                "enum": [
                    "field_changed",
                    "added",
                    "removed",
                    "label_changed",
                    "validated_changed",
                    "right_changed",
                    "deactivated",
                    "reactivated",
                    "profile_changed",
                    "manager_changed",
                    "right_gained",
                    "right_lost",
                    "scope_changed",
                    "visibility_widened",
                    "visibility_narrowed",
                ]
            },
            "subject": {"type": "string"},
            "classification": {"enum": ["widen", "narrow", "neutral"]},
            "key": {"type": "string"},
            "old": value,
            "new": value,
            "gained": {"type": "array", "items": {"type": "string"}, "minItems": 1},
            "lost": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        },
    }
    count = {"type": "integer", "minimum": 0}
    schema = {
        "type": "object",
        "required": ["format_version", "base", "head", "summary", "changes"],
        "additionalProperties": False,
        "properties": {
            "format_version": {"const": 1},
            "base": {"type": "string"},
            "head": {"type": "string"},
            "summary": {
                "type": "object",
                "required": [
                    "profiles_changed",
                    "users_affected",
                    "widen",
                    "narrow",
                    "neutral",
                ],
                "additionalProperties": False,
                "properties": {
                    name: count
                    for name in (
                        "profiles_changed",
                        "users_affected",
                        "widen",
                        "narrow",
                        "neutral",
                    )
                },
            },
            "changes": {"type": "array", "items": change},
        },
    }
    return _wrap(
        "diff.schema.json", "o2s-config semantic diff, format version 1", schema
    )


def _value_schema(catalogue: Catalogue, key: str) -> dict[str, Any]:
    right = catalogue[key]
    if right.is_scope:
        return {"enum": list(right.options or ())}
    return {"type": "boolean"}


def _wrap(name: str, title: str, schema: dict[str, Any]) -> dict[str, Any]:
    wrapped: dict[str, Any] = {"$schema": SCHEMA_DIALECT, "$id": SCHEMA_BASE + name}
    wrapped["title"] = title
    wrapped.update((key, value) for key, value in schema.items() if key != "title")
    return wrapped


def generated_schemas() -> dict[str, str]:
    """Return each schema file name with its content, as the repository stores it."""
    schemas = {
        "catalogue.schema.json": catalogue_schema(),
        "diff.schema.json": diff_schema(),
        "org.schema.json": org_schema(),
        "report.schema.json": report_schema(),
    }
    return {
        name: json.dumps(schema, ensure_ascii=False, indent=2) + "\n"
        for name, schema in schemas.items()
    }
