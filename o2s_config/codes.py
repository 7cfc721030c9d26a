"""The registry of diagnostic codes: a short title for each, as SARIF rules and
the documentation show them. docs/diagnostics.md has one section per code."""

from __future__ import annotations

CODES: dict[str, str] = {
    "Y001": "YAML syntax error",
    "Y002": "duplicate key",
    "Y003": "tag not allowed",
    "Y004": "alias expansion over the limit",
    "Y005": "nesting over the depth limit",
    "Y006": "file over the size limit",
    "Y007": "not UTF-8 text",
    "Y008": "empty file",
    "Y009": "top level is not a mapping",
    "Y010": "key that is not text",
    "Y011": "merge key",
    "Y012": "include outside the org's folder",
    "Y013": "included file not found",
    "Y014": "include pattern matches no file",
    "M001": "unknown field",
    "M002": "missing required field",
    "M003": "wrong type",
    "M004": "invalid value",
    "M005": "number where text is required",
    "M006": "invalid identifier",
    "M007": "invalid e-mail address",
    "M008": "unsupported format version",
    "M009": "unknown kind of check",
    "R001": "unknown profile",
    "R002": "unknown manager",
    "R003": "unknown right",
    "R004": "unknown or missing structure",
    "R005": "duplicate login",
    "R006": "duplicate e-mail",
    "R007": "duplicate profile label",
    "R008": "cycle in the manager hierarchy",
    "R009": "cycle in profile bases",
    "R010": "right both allowed and denied",
    "R011": "scope right in allow or deny",
    "R012": "administrator profile redefined",
    "R013": "reserved profile id",
    "R014": "no active administrator",
    "R015": "profile not validated",
    "R016": "pattern matches no right",
    "R017": "yes/no right in scopes",
    "R018": "scope option not offered",
    "R019": "right forced off by a dependency",
    "R020": "duplicate structure",
    "R021": "right already declared",
    "R022": "unknown tab",
    "R023": "requirement of the wrong kind",
    "R024": "profile defined twice",
}

DOCS_URL = "docs/diagnostics.md"


def title(code: str) -> str:
    return CODES.get(code, code)
