"""Diagnostics for CI systems: GitHub Actions workflow commands and SARIF 2.1.0."""

from __future__ import annotations

import json
from pathlib import PurePath
from typing import Any
from urllib.parse import quote

from .. import __version__
from ..codes import CODES, DOCS_URL
from ..diagnostics import Diagnostic

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(diagnostics: list[Diagnostic]) -> str:
    """Render one `::error` or `::warning` workflow command per diagnostic, so
    that GitHub annotates the lines of the pull request."""
    lines = []
    for item in diagnostics:
        location = item.location
        properties = [f"file={_escape_property(location.file)}"]
        if location.line > 0:
            properties.append(f"line={location.line}")
            properties.append(f"col={location.column}")
        properties.append(
            f"title={_escape_property(item.code + ' ' + CODES.get(item.code, ''))}"
        )
        message = item.message + (f"\nhint: {item.hint}" if item.hint else "")
        lines.append(
            f"::{item.severity.value} {','.join(properties)}::{_escape_data(message)}"
        )
    return "".join(line + "\n" for line in lines)


def build_sarif(diagnostics: list[Diagnostic]) -> dict[str, Any]:
    codes = sorted({item.code for item in diagnostics})
    index = {code: position for position, code in enumerate(codes)}
    rules = [
        {
            "id": code,
            "name": CODES.get(code, code).replace(" ", "-"),
            "shortDescription": {"text": CODES.get(code, code)},
            "fullDescription": {"text": f"{code}: {CODES.get(code, code)}"},
            "help": {
                "text": f"{DOCS_URL} explains {code} with an example and the fix."
            },
        }
        for code in codes
    ]
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "o2s-config",
                        "version": __version__,
                        "rules": rules,
                    }
                },
                "results": [_result(item, index[item.code]) for item in diagnostics],
                "columnKind": "unicodeCodePoints",
            }
        ],
    }


def _result(item: Diagnostic, rule_index: int) -> dict[str, Any]:
    location = item.location
    physical: dict[str, Any] = {
        "artifactLocation": {"uri": quote(PurePath(location.file).as_posix())}
    }
    if location.line > 0:
        physical["region"] = {
            "startLine": location.line,
            "startColumn": max(location.column, 1),
        }
    message = item.message + (f" (hint: {item.hint})" if item.hint else "")
    return {
        "ruleId": item.code,
        "ruleIndex": rule_index,
        "level": item.severity.value,
        "message": {"text": message},
        "locations": [{"physicalLocation": physical}],
    }


def render_sarif(diagnostics: list[Diagnostic]) -> str:
    return json.dumps(build_sarif(diagnostics), ensure_ascii=False, indent=2) + "\n"
