"""The Markdown and JSON reports of the example organisation."""

from __future__ import annotations

import jsonschema
import pytest

from o2s_config.emit.json_report import build_report
from o2s_config.emit.markdown import escape, render_markdown
from o2s_config.pipeline import compile_bytes, compile_path
from o2s_config.schema import report_schema

from .conftest import EXAMPLE


@pytest.fixture(scope="module")
def org():
    result = compile_path(EXAMPLE, display_name="examples/org.yaml")
    assert result.org is not None
    return result.org


@pytest.fixture(scope="module")
def markdown_fr(org):
    return render_markdown(org, "fr")


def test_json_report_matches_schema(org):
    jsonschema.Draft202012Validator(report_schema()).validate(build_report(org))


def test_json_report_sorted(org):
    report = build_report(org)
    ids = [profile["id"] for profile in report["profiles"]]
    logins = [user["login"] for user in report["users"]]
    assert ids == sorted(ids)
    assert logins == sorted(logins)
    assert ids[0] == "administrator"


def test_json_report_omits_users_for_all(org):
    report = build_report(org)
    claire = next(user for user in report["users"] if user["login"] == "cmartin")
    assert "users" not in claire["visibility"]["agenda.view"]


def test_json_establishment_as_declared(org):
    establishment = build_report(org)["establishment"]
    assert establishment["address"]["postal_code"] == "75002"
    assert establishment["legal"]["siren"] == "732829320"
    assert establishment["intermediation"]["categories"] == ["CIF", "COA", "MIOBSP"]


def test_markdown_sections_in_order(markdown_fr):
    headings = [line for line in markdown_fr.splitlines() if line.startswith("## ")]
    assert headings == [
        "## Établissement",
        "## Profils et droits",
        "## Utilisateurs",
        "## Hiérarchie",
        "## Visibilité",
        "## Diagnostics",
    ]


def test_markdown_establishment(markdown_fr):
    assert "| Raison sociale | Cabinet Dubois Patrimoine |" in markdown_fr
    assert "| N° ORIAS | 07001234 |" in markdown_fr
    assert "| Catégories ORIAS | CIF, COA, MIOBSP |" in markdown_fr


def test_markdown_matrix_columns(markdown_fr):
    header = next(
        line for line in markdown_fr.splitlines() if line.startswith("| Droit |")
    )
    assert header == (
        "| Droit | Administrateur | Manager | Conseiller | Conseiller junior | Back-office |"
    )


def test_markdown_matrix_rows(markdown_fr):
    lines = markdown_fr.splitlines()
    assert "| **Configuration de l'application** |  |  |  |  |  |" in lines
    assert "| Accès au module Services | Oui | Oui | Oui | Non | Oui |" in lines
    assert "| Accès à l'espace Abonnement | Oui | Oui | Non | Non | Non |" in lines
    assert (
        "| Voir les agendas | Voir tous les agendas "
        "| Voir mon agenda et ceux des utilisateurs qui me sont rattachés "
        "| Voir mon agenda et ceux des utilisateurs de mon groupe "
        "| Voir uniquement mon agenda | Voir uniquement mon agenda |"
    ) in lines
    assert "| Modifier les agendas visibles | Oui | Oui | Oui | Non | Non |" in lines


def test_markdown_users_table(markdown_fr):
    assert (
        "| `pgirard` | Pauline Girard | p.girard@dubois-patrimoine.fr "
        "| Conseiller junior | Marc Garnier | Paris | Oui |"
    ) in markdown_fr.splitlines()


def test_markdown_hierarchy_indentation(markdown_fr):
    lines = markdown_fr.splitlines()
    alexis = lines.index("- Alexis Dubois (`adubois`), Manager")
    assert lines[alexis + 1] == "  - Camille Durand (`cdurand`), Conseiller"
    assert "    - Pauline Girard (`pgirard`), Conseiller junior" in lines


def test_markdown_visibility_names_and_counts(markdown_fr):
    lines = markdown_fr.splitlines()
    pauline = next(line for line in lines if line.startswith("| Pauline Girard"))
    assert "Voir uniquement mon agenda : `pgirard`" in pauline
    assert "Mes clients et ceux du groupe : `jleroy`, `pgirard`" in pauline
    claire = next(line for line in lines if line.startswith("| Claire Martin"))
    assert "Voir tous les agendas : tous (15)" in claire


def test_markdown_english(org):
    markdown = render_markdown(org, "en")
    assert "## Profiles and rights" in markdown
    assert "| Access to the Services module | Yes | Yes | Yes | No | Yes |" in markdown


def test_markdown_no_diagnostics(markdown_fr):
    assert markdown_fr.endswith("## Diagnostics\n\nAucun diagnostic.\n")


def test_markdown_escapes_names():
    raw = b"""version: 1
establishment: {name: "<b>Cabinet</b> | *X*", contact_email: c@test.fr}
users:
  - {login: admin, first_name: "<script>alert(1)</script>", last_name: "# Titre",
     email: a@test.fr, profile: administrator}
"""
    result = compile_bytes(raw, "org.yaml")
    assert result.org is not None
    markdown = render_markdown(result.org)
    assert "<script>" not in markdown
    assert "\\<script\\>alert(1)\\</script\\> # Titre" in markdown
    assert "\\<b\\>Cabinet\\</b\\> \\| \\*X\\*" in markdown


def test_escape_leading_markup():
    assert escape("- item") == "\\- item"
    assert escape("a\nb") == "a b"


def test_markdown_lists_warnings():
    raw = b"""version: 1
establishment: {name: Cabinet, contact_email: c@test.fr}
profiles:
  draft: {label: Brouillon, base: none, validated: false}
users:
  - {login: admin, first_name: Ana, last_name: Roy, email: a@test.fr, profile: administrator}
  - {login: bob, first_name: Bob, last_name: Roy, email: b@test.fr, profile: draft}
"""
    result = compile_bytes(raw, "org.yaml")
    assert result.org is not None
    markdown = render_markdown(result.org)
    assert "| avertissement | R015 | `org.yaml:7:78` |" in markdown


def test_streamed_json_equals_whole_document(org):
    import json

    from o2s_config.emit.json_report import render_json

    expected = json.dumps(build_report(org), ensure_ascii=False, indent=2) + "\n"
    assert render_json(org) == expected
