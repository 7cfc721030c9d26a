"""explain and who-can on the example organisation."""

from __future__ import annotations

import pytest

from .conftest import EXAMPLE

JUNIOR_DENIED = [
    "administration.module_access",
    "administration.subscription_access",
    "administration.import_contacts",
    "administration.import_accounts",
    "application.services_module",
    "application.compliance",
    "application.commercial_operations",
    "application.commissions",
    "contacts.edit",
]


def _line_of(entry):
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    junior = lines.index("  junior:")
    offset = next(
        i for i, line in enumerate(lines[junior:]) if line == f"      - {entry}"
    )
    return junior + offset + 1


@pytest.mark.parametrize("key", JUNIOR_DENIED)
def test_explain_junior_names_deny_line(run_cli, key):
    run = run_cli("explain", EXAMPLE, "jleroy", key)
    assert run.code == 0
    last = run.out.splitlines()[-1]
    assert last == (f"  {EXAMPLE}:{_line_of(key)}:9: profiles.junior deny '{key}': off")


def test_explain_glob_deny(run_cli):
    run = run_cli("explain", EXAMPLE, "jleroy", "requests.manage")
    assert run.out.splitlines()[-1] == (
        f"  {EXAMPLE}:{_line_of('requests.*')}:9: profiles.junior deny 'requests.*': off"
    )


def test_explain_shows_base_chain(run_cli):
    lines = run_cli(
        "explain", EXAMPLE, "jleroy", "application.services_module"
    ).out.splitlines()
    assert lines[0] == "jleroy (Julie Leroy), profile junior (Conseiller junior)"
    assert lines[1] == "application.services_module (Accès au module Services): off"
    assert lines[4].endswith(": profiles.advisor starts from base 'all': on")
    assert lines[5].endswith(": profiles.junior inherits from base 'advisor': on")


def test_explain_dependency_names_rule(run_cli):
    last = run_cli(
        "explain", EXAMPLE, "ifournier", "agenda.edit_others"
    ).out.splitlines()[-1]
    assert last.endswith(
        "dependency rule 'agenda.edit_others requires agenda.view at least attached' "
        "forces off in profiles.backoffice"
    )


def test_explain_scope_lists_hierarchy_paths(run_cli):
    out = run_cli("explain", EXAMPLE, "adubois", "agenda.view").out
    assert "users visible through agenda.view (12):" in out
    assert "  pgirard: is below mgarnier, who is below you\n" in out
    assert "  mgarnier: is directly below you\n" in out
    assert "  adubois: the user themself\n" in out


def test_explain_group_names_shared_manager(run_cli):
    out = run_cli("explain", EXAMPLE, "mgarnier", "contacts.client_access").out
    assert "  sbernard: in the group: has the same manager, adubois\n" in out
    assert "  pgirard: is directly below you\n" in out


def test_explain_json(run_cli):
    payload = run_cli(
        "explain", EXAMPLE, "jleroy", "contacts.edit", "--format", "json"
    ).json()
    assert payload["value"] is False
    assert [step["kind"] for step in payload["steps"]] == [
        "template",
        "inherited",
        "deny",
    ]
    assert payload["steps"][-1]["line"] == _line_of("contacts.edit")


def test_explain_unknown_user_suggests(run_cli):
    run = run_cli("explain", EXAMPLE, "jlery", "contacts.edit")
    assert run.code == 2
    assert "unknown user 'jlery'; did you mean 'jleroy'?" in run.err


def test_explain_unknown_right_suggests(run_cli):
    run = run_cli("explain", EXAMPLE, "jleroy", "contacts.edti")
    assert run.code == 2
    assert "unknown right 'contacts.edti'; did you mean 'contacts.edit'?" in run.err


def test_who_can_boolean(run_cli):
    payload = run_cli(
        "who-can", EXAMPLE, "administration.subscription_access", "--format", "json"
    ).json()
    assert [p["id"] for p in payload["profiles"]] == ["administrator", "manager"]
    assert [u["login"] for u in payload["users"]] == ["adubois", "cmartin"]
    assert payload["profiles"][1]["granted_by"]["kind"] == "template"


def test_who_can_scope_at_least(run_cli):
    payload = run_cli(
        "who-can", EXAMPLE, "agenda.view", "--at-least", "group", "--format", "json"
    ).json()
    assert [p["id"] for p in payload["profiles"]] == ["administrator", "advisor"]
    assert "adubois" not in [u["login"] for u in payload["users"]]


def test_who_can_text(run_cli):
    out = run_cli("who-can", EXAMPLE, "portfolio.edit_accounts").out
    assert out.startswith("portfolio.edit_accounts (Modification des comptes)\n")
    assert "  backoffice" not in out
    assert (
        "  junior (Conseiller junior): on, from profiles.advisor starts from base 'all': on"
        in out
    )


def test_who_can_boolean_rejects_at_least(run_cli):
    run = run_cli("who-can", EXAMPLE, "contacts.edit", "--at-least", "group")
    assert run.code == 2
    assert "'contacts.edit' is a yes/no right; --at-least applies to scopes" in run.err
