"""validate --format github and --format sarif."""

from __future__ import annotations

import json

import jsonschema
import pytest

from o2s_config.codes import CODES

from .conftest import EXAMPLE, ROOT

SARIF_SCHEMA = ROOT.parent / "shared" / "data" / "sarif-schema-2.1.0.json"

BAD_ORG = """\
version: 1
establishment: {name: Cabinet, contact_email: contact@test.fr}
profiles:
  draft: {label: "Brouillon, v2", base: none, validated: false}
users:
  - {login: admin, first_name: Ana, last_name: Roy, email: a@test.fr, profile: administrator}
  - {login: bob, first_name: Bob, last_name: Roy, email: b@test.fr, profile: draft, manager: bobb}
"""


@pytest.fixture
def bad_org(tmp_path):
    path = tmp_path / "org, v2.yaml"
    path.write_text(BAD_ORG, encoding="utf-8")
    return path


def test_github_annotations(run_cli, bad_org):
    run = run_cli("validate", bad_org, "--format", "github")
    assert run.code == 1
    file_property = str(bad_org).replace(",", "%2C")
    assert run.out.splitlines() == [
        f"::warning file={file_property},line=7,col=78,title=R015 profile not validated::"
        "users[login=bob] holds the profile 'draft', which is not validated (Profil validé: Non)"
        "%0Ahint: set 'validated: true' on profiles.draft once it is reviewed",
        f"::error file={file_property},line=7,col=94,title=R002 unknown manager::"
        "unknown manager 'bobb' for users[login=bob]; no user has this login%0Ahint: did you mean 'bob'?",
    ]


def test_github_valid_file_prints_nothing(run_cli):
    run = run_cli("validate", EXAMPLE, "--format", "github")
    assert run.code == 0
    assert run.out == ""


@pytest.mark.skipif(
    not SARIF_SCHEMA.exists(),
    reason="the OASIS SARIF schema is not beside the repository",
)
def test_sarif_matches_oasis_schema(run_cli, bad_org):
    run = run_cli("validate", bad_org, "--format", "sarif")
    assert run.code == 1
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validate(run.json(), schema, cls=jsonschema.Draft4Validator)


def test_sarif_rules_and_locations(run_cli, bad_org):
    sarif = run_cli("validate", bad_org, "--format", "sarif").json()
    [run] = sarif["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == ["R002", "R015"]
    assert rules[0]["shortDescription"]["text"] == "unknown manager"
    first = run["results"][1]
    assert first["ruleId"] == "R002"
    assert first["level"] == "error"
    region = first["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 7, "startColumn": 94}
    uri = first["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri.endswith("org%2C%20v2.yaml")


@pytest.mark.skipif(
    not SARIF_SCHEMA.exists(),
    reason="the OASIS SARIF schema is not beside the repository",
)
def test_sarif_of_valid_file(run_cli):
    sarif = run_cli("validate", EXAMPLE, "--format", "sarif").json()
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validate(sarif, schema, cls=jsonschema.Draft4Validator)
    assert sarif["runs"][0]["results"] == []


def test_every_emitted_code_has_a_title():
    import re

    emitted = set()
    for path in (ROOT / "o2s_config").rglob("*.py"):
        emitted.update(
            re.findall(r'"([YMR][0-9]{3})"', path.read_text(encoding="utf-8"))
        )
    assert emitted == set(CODES)
