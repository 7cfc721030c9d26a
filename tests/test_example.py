"""The organisation of the O2S setup guide, as examples/org.yaml encodes it."""

from __future__ import annotations

import pytest

from .conftest import EXAMPLE

GUIDE_JUNIOR_UNTICKS = [
    "administration.module_access",
    "administration.subscription_access",
    "administration.import_contacts",
    "administration.import_accounts",
    "application.services_module",
    "application.compliance",
    "application.commercial_operations",
    "application.commissions",
    "contacts.edit",
    "requests.manage",
]

ALEXIS_TEAM = [
    "cdurand",
    "elaurent",
    "hsimon",
    "jleroy",
    "jmoreau",
    "lrobert",
    "mgarnier",
    "nrichard",
    "pgirard",
    "sbernard",
    "tpetit",
]


@pytest.fixture(scope="module")
def report():
    from o2s_config.emit.json_report import build_report
    from o2s_config.pipeline import compile_path

    result = compile_path(EXAMPLE)
    assert result.org is not None, result.diagnostics
    return build_report(result.org)


def _profile(report, profile_id):
    return next(p for p in report["profiles"] if p["id"] == profile_id)


def _user(report, login):
    return next(u for u in report["users"] if u["login"] == login)


def test_example_is_valid_without_findings(run_cli):
    run = run_cli("validate", EXAMPLE, "--strict")
    assert run.code == 0
    assert run.out.endswith("org.yaml: valid\n")


def test_manager_keeps_subscription(report):
    rights = _profile(report, "manager")["rights"]
    assert rights["administration.module_access"] is False
    assert rights["administration.subscription_access"] is True
    assert rights["agenda.view"] == "attached"
    assert rights["contacts.client_access"] == "attached"


def test_advisor_has_group_scopes(report):
    rights = _profile(report, "advisor")["rights"]
    assert rights["administration.module_access"] is False
    assert rights["administration.subscription_access"] is False
    assert rights["agenda.view"] == "group"
    assert rights["contacts.client_access"] == "group"
    assert rights["application.commercial_operations"] is True
    assert rights["application.commissions"] is True


def test_junior_loses_what_guide_unticks(report):
    rights = _profile(report, "junior")["rights"]
    for key in GUIDE_JUNIOR_UNTICKS:
        assert rights[key] is False, key
    assert rights["agenda.view"] == "own"
    assert rights["contacts.client_access"] == "group"


def test_backoffice_loses_portfolio_and_agenda_edit(report):
    rights = _profile(report, "backoffice")["rights"]
    assert rights["portfolio.edit_portfolios"] is False
    assert rights["portfolio.edit_accounts"] is False
    assert rights["agenda.view"] == "own"
    assert rights["agenda.edit_others"] is False
    assert rights["administration.import_contacts"] is True
    assert rights["application.compliance"] is True


def test_backoffice_agenda_edit_forced_by_dependency():
    from o2s_config.pipeline import compile_path

    org = compile_path(EXAMPLE).org
    assert org is not None
    steps = org.profiles["backoffice"].rights["agenda.edit_others"].steps
    assert steps[-1].kind == "dependency"
    assert (
        steps[-1].entry == "agenda.edit_others requires agenda.view at least attached"
    )


def test_alexis_sees_eleven_advisers(report):
    alexis = _user(report, "adubois")
    agenda = alexis["visibility"]["agenda.view"]
    assert agenda["scope"] == "attached"
    assert [login for login in agenda["users"] if login != "adubois"] == ALEXIS_TEAM
    assert agenda["count"] == 12


def test_sub_level_adviser_sees_group(report):
    girard = _user(report, "pgirard")
    assert girard["visibility"]["agenda.view"]["users"] == ["pgirard"]
    assert girard["visibility"]["contacts.client_access"]["users"] == [
        "jleroy",
        "pgirard",
    ]


def test_administrator_sees_everyone(report):
    claire = _user(report, "cmartin")
    assert claire["visibility"]["agenda.view"] == {"scope": "all", "count": 15}
