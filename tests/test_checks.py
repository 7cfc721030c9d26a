"""check: assertions, built-in policies, snapshots, JUnit and coverage."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

import pytest

from .conftest import EXAMPLE

ORG = """\
version: 1
establishment: {name: Cabinet Test, contact_email: contact@test.fr}
profiles:
  manager:
    label: Manager
    base: all
    deny: [administration.module_access]
    scopes: {agenda.view: attached, contacts.client_access: attached}
  advisor:
    label: Conseiller
    base: all
    deny: [administration.module_access, administration.subscription_access]
    scopes: {agenda.view: group, contacts.client_access: group}
  junior:
    label: Conseiller junior
    base: advisor
    max_tenure_days: 365
    deny: [application.services_module, contacts.edit]
    scopes: {agenda.view: own}
users:
  - {login: admin, first_name: Ana, last_name: Admin, email: admin@test.fr, profile: administrator}
  - {login: boss, first_name: Bea, last_name: Boss, email: boss@test.fr, profile: manager}
  - {login: adv1, first_name: Dan, last_name: Adv, email: adv1@test.fr, profile: advisor, manager: boss}
  - {login: adv2, first_name: Eve, last_name: Adv, email: adv2@test.fr, profile: advisor, manager: boss}
  - {login: jun1, first_name: Fay, last_name: Jun, email: jun1@test.fr, profile: junior, manager: adv1, hired_on: "2026-01-15"}
"""


def _org(tmp_path, checks="", policies="", text=ORG):
    path = tmp_path / "org.yaml"
    body = text
    if policies:
        body += "policies:\n" + policies
    if checks:
        body += "checks:\n" + checks
    path.write_text(body, encoding="utf-8")
    return path


def _check(run_cli, path, *args):
    return run_cli("check", path, "--today", "2026-12-04", *args)


def _block(out, title):
    """Return the lines of one result: its status line and the indented ones."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if title in line)
    block = [lines[start]]
    for line in lines[start + 1 :]:
        if not line.startswith("      "):
            break
        block.append(line)
    return block


def test_example_passes(run_cli):
    run = run_cli("check", EXAMPLE, "--today", "2026-12-04")
    assert run.code == 0, run.out
    assert (
        run.out.splitlines()[-1]
        == "checks: 9 passed, 0 failed; policies: 6 passed, 0 failed"
    )


PROFILE_CHECK = """\
  - name: juniors lack services
    profile: junior
    lacks: [application.services_module, contacts.*]
    has: [requests.manage]
    scopes: {agenda.view: {exactly: own}, contacts.client_access: {at_most: group}}
"""


def test_profile_check_passes(run_cli, tmp_path):
    run = _check(run_cli, _org(tmp_path, PROFILE_CHECK))
    assert run.code == 0
    assert "PASS  juniors lack services" in run.out


def test_profile_check_fails_with_chain(run_cli, tmp_path):
    checks = PROFILE_CHECK.replace("profile: junior", "profile: advisor")
    path = _org(tmp_path, checks)
    run = _check(run_cli, path)
    assert run.code == 1
    block = _block(run.out, "juniors lack services")
    assert block[0] == f"FAIL  juniors lack services  ({path}:27:5)"
    assert block[1:6] == [
        "      profiles.advisor: application.services_module is on",
        "        expected: off",
        "        actual:   on",
        "        because:",
        f"          {path}:11:11: profiles.advisor starts from base 'all': on",
    ]
    assert "      profiles.advisor: agenda.view is group" in block
    assert "        expected: exactly own" in block


def test_user_check_can_and_cannot(run_cli, tmp_path):
    checks = """\
  - name: junior rights
    user: jun1
    can: [requests.manage]
    cannot: [contacts.edit, application.services_module]
"""
    assert _check(run_cli, _org(tmp_path, checks)).code == 0
    failing = checks.replace("user: jun1", "user: adv1")
    run = _check(run_cli, _org(tmp_path, failing))
    assert run.code == 1
    block = _block(run.out, "junior rights")
    assert block[1] == "      users[login=adv1]: contacts.edit is on"
    assert block[-1].endswith("profiles.advisor starts from base 'all': on")


def test_user_sees_and_does_not_see(run_cli, tmp_path):
    checks = """\
  - name: the manager sees the team
    user: boss
    sees: {agenda.view: [adv1, adv2, jun1]}
    does_not_see: {agenda.view: [admin]}
"""
    assert _check(run_cli, _org(tmp_path, checks)).code == 0
    failing = """\
  - name: the junior sees the team
    user: jun1
    sees: {agenda.view: [adv1]}
  - name: the manager sees nobody
    user: boss
    does_not_see: {contacts.client_access: [jun1]}
"""
    run = _check(run_cli, _org(tmp_path, failing))
    assert run.code == 1
    junior = _block(run.out, "the junior sees the team")
    assert (
        junior[1]
        == "      users[login=jun1] does not see adv1 through agenda.view (own)"
    )
    assert junior[2:4] == ["        expected: visible", "        actual:   not visible"]
    manager = _block(run.out, "the manager sees nobody")
    assert (
        manager[1]
        == "      users[login=boss] sees jun1 through contacts.client_access (attached)"
    )
    assert manager[-1] == "          jun1 is below the user: jun1 -> adv1 -> boss"


def test_only_profiles(run_cli, tmp_path):
    checks = """\
  - name: only the administrator has the module
    right: administration.module_access
    only: {profiles: [administrator]}
"""
    assert _check(run_cli, _org(tmp_path, checks)).code == 0
    failing = checks.replace(
        "administration.module_access", "administration.subscription_access"
    )
    run = _check(run_cli, _org(tmp_path, failing))
    assert run.code == 1
    block = _block(run.out, "only the administrator has the module")
    assert (
        block[1]
        == "      administration.subscription_access is held by profiles.manager"
    )
    assert block[2:4] == [
        "        expected: only administrator",
        "        actual:   profiles.manager also holds it",
    ]


def test_only_users(run_cli, tmp_path):
    checks = """\
  - name: named users alone edit agendas
    right: agenda.edit_others
    only: {users: [admin, boss, adv1, adv2]}
"""
    assert _check(run_cli, _org(tmp_path, checks)).code == 0
    run = _check(run_cli, _org(tmp_path, checks.replace(", adv2]", "]")))
    assert run.code == 1
    block = _block(run.out, "named users alone edit agendas")
    assert (
        block[1]
        == "      agenda.edit_others is held by users[login=adv2] through profiles.advisor"
    )


def test_count_of_active_users(run_cli, tmp_path):
    checks = """\
  - name: two advisers
    profile: advisor
    active_users: {at_least: 2, at_most: 2}
  - name: few hold the subscription area
    right: administration.subscription_access
    active_users: {at_most: 2}
"""
    assert _check(run_cli, _org(tmp_path, checks)).code == 0
    run = _check(
        run_cli, _org(tmp_path, checks.replace("at_least: 2, at_most: 2", "at_most: 1"))
    )
    assert run.code == 1
    block = _block(run.out, "two advisers")
    assert block[1:4] == [
        "      2 active user(s) hold profile advisor: adv1, adv2",
        "        expected: at most 1",
        "        actual:   2",
    ]


def test_unknown_names_in_checks_fail(run_cli, tmp_path):
    checks = """\
  - name: typo
    user: jun2
    cannot: [contacts.edit]
"""
    run = _check(run_cli, _org(tmp_path, checks))
    assert run.code == 1
    assert "      unknown user 'jun2'; did you mean 'jun1'?" in run.out


def test_invalid_check_is_a_diagnostic(run_cli, tmp_path):
    checks = """\
  - name: bad bound
    profile: junior
    scopes: {agenda.view: {at_least: team}}
"""
    run = _check(run_cli, _org(tmp_path, checks))
    assert run.code == 1
    assert (
        "error M004 invalid value 'team' for checks[0].scopes.agenda.view.at_least"
        in run.err
    )


@pytest.mark.parametrize(
    ("policy", "text", "message"),
    [
        (
            "administrator_count",
            ORG.replace("profile: manager}", "profile: administrator}"),
            "      2 active administrator(s): admin, boss",
        ),
        (
            "administration_module",
            ORG.replace("    deny: [administration.module_access]\n", ""),
            "      profiles.manager holds administration.module_access",
        ),
        (
            "empty_scope",
            ORG.replace("manager: adv1, hired", "manager: boss, hired").replace(
                "scopes: {agenda.view: own}", "scopes: {agenda.view: attached}"
            ),
            "      users[login=jun1] has agenda.view attached but no one else is in that scope",
        ),
        (
            "max_tenure",
            ORG.replace("2026-01-15", "2025-01-15"),
            "      users[login=jun1] was hired 688 days ago (2025-01-15), over the 365 days of "
            "profiles.junior",
        ),
        (
            "unused_profile",
            ORG.replace("profile: junior, manager", "profile: advisor, manager"),
            "      profiles.junior (Conseiller junior) is held by no active user",
        ),
        (
            "inactive_manager",
            ORG.replace("profile: manager}", "profile: manager, active: false}"),
            "      users[login=boss] is inactive but still manages adv1, adv2",
        ),
    ],
)
def test_policy_fails(run_cli, tmp_path, policy, text, message):
    passing = _check(
        run_cli, _org(tmp_path, policies="  administrator_count: {max: 1}\n")
    )
    assert passing.code == 0
    path = _org(tmp_path, text=text, policies="  administrator_count: {max: 1}\n")
    run = _check(run_cli, path)
    block = _block(run.out, f"policy {policy}:")
    assert block[0].startswith(("FAIL  policy", "WARN  policy"))
    assert block[1] == message


def test_policy_severity_and_disable(run_cli, tmp_path):
    text = ORG.replace("profile: junior, manager", "profile: advisor, manager")
    warned = _check(run_cli, _org(tmp_path, text=text))
    assert warned.code == 0
    assert "WARN  policy unused_profile" in warned.out
    raised = _check(
        run_cli,
        _org(tmp_path, text=text, policies="  unused_profile: {severity: error}\n"),
    )
    assert raised.code == 1
    assert "FAIL  policy unused_profile" in raised.out
    disabled = _check(
        run_cli,
        _org(tmp_path, text=text, policies="  unused_profile: {enabled: false}\n"),
    )
    assert "unused_profile" not in disabled.out


def test_administration_module_allow(run_cli, tmp_path):
    text = ORG.replace("    deny: [administration.module_access]\n", "")
    run = _check(
        run_cli,
        _org(
            tmp_path,
            text=text,
            policies="  administration_module: {allow: [manager]}\n",
        ),
    )
    assert run.code == 0


def test_max_tenure_needs_hired_on(run_cli, tmp_path):
    run = _check(
        run_cli, _org(tmp_path, text=ORG.replace(', hired_on: "2026-01-15"', ""))
    )
    block = _block(run.out, "policy max_tenure:")
    assert block[1] == (
        "      users[login=jun1] has no hired_on date, so the tenure limit of "
        "profiles.junior cannot be checked"
    )


def test_junit_structure(run_cli, tmp_path):
    checks = PROFILE_CHECK + PROFILE_CHECK.replace(
        "profile: junior", "profile: advisor"
    ).replace("juniors lack services", "advisers lack services")
    report = tmp_path / "junit.xml"
    run = _check(run_cli, _org(tmp_path, checks), "--junit", report)
    assert run.code == 1
    root = ElementTree.parse(report).getroot()
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert [suite.get("name").rsplit(" ", 1)[-1] for suite in suites] == [
        "checks",
        "policies",
    ]
    cases = suites[0].findall("testcase")
    assert [case.get("name") for case in cases] == [
        "juniors lack services",
        "advisers lack services",
    ]
    assert cases[0].find("failure") is None
    failure = cases[1].find("failure")
    assert (
        failure.get("message") == "profiles.advisor: application.services_module is on"
    )
    assert suites[0].get("tests") == "2"
    assert suites[0].get("failures") == "1"
    assert len(suites[1].findall("testcase")) == 6
    assert root.get("tests") == "8"


def test_snapshot_round_trip(run_cli, tmp_path):
    path = _org(tmp_path)
    snapshot = tmp_path / "expected.yaml"
    assert _check(run_cli, path, "--update-expected", snapshot).code == 0
    assert snapshot.read_text(encoding="utf-8").startswith(
        "# Expected rights and visibility"
    )
    assert _check(run_cli, path, "--expected", snapshot).code == 0

    _org(
        tmp_path,
        text=ORG.replace(
            "deny: [application.services_module, contacts.edit]",
            "deny: [contacts.edit]",
        ),
    )
    run = _check(run_cli, path, "--expected", snapshot)
    assert run.code == 1
    block = _block(run.out, f"snapshot {snapshot}")
    assert "      [widen] profiles.junior application.services_module" in block
    assert block[
        block.index("      [widen] profiles.junior application.services_module") + 1 :
    ][:2] == [
        "        expected: off",
        "        actual:   on",
    ]


def test_snapshot_names_visibility_change(run_cli, tmp_path):
    path = _org(tmp_path)
    snapshot = tmp_path / "expected.yaml"
    _check(run_cli, path, "--update-expected", snapshot)
    _org(
        tmp_path,
        text=ORG.replace(
            "profile: junior, manager: adv1", "profile: junior, manager: adv2"
        ),
    )
    run = _check(run_cli, path, "--expected", snapshot)
    assert run.code == 1
    assert "      [widen] users[login=adv2] agenda.view now sees jun1" in run.out
    assert "      [narrow] users[login=adv1] agenda.view no longer sees jun1" in run.out


def test_coverage_report_and_minimum(run_cli, tmp_path):
    path = _org(tmp_path, PROFILE_CHECK)
    run = _check(run_cli, path, "--coverage")
    assert run.code == 0
    assert "  profiles: 25% (1 of 4)" in run.out
    assert "    untested: administrator, advisor, manager" in run.out
    assert "  users: 0% (0 of 5)" in run.out
    low = _check(run_cli, path, "--min-coverage", "50")
    assert low.code == 1
    assert "coverage is below the minimum of 50%" in low.out


def test_coverage_json(run_cli, tmp_path):
    run = _check(
        run_cli, _org(tmp_path, PROFILE_CHECK), "--coverage", "--format", "json"
    )
    payload = run.json()
    assert payload["passed"] is True
    assert payload["coverage"]["rights"]["tested"] == 5
    assert payload["results"][0]["name"] == "juniors lack services"


def test_standalone_checks_file(run_cli, tmp_path):
    _org(tmp_path)
    checks = tmp_path / "team.checks.yaml"
    checks.write_text("org: org.yaml\nchecks:\n" + PROFILE_CHECK, encoding="utf-8")
    run = _check(run_cli, checks)
    assert run.code == 0
    assert f"PASS  juniors lack services  ({checks}:3:5)" in run.out


def test_standalone_checks_file_errors(run_cli, tmp_path):
    _org(tmp_path)
    checks = tmp_path / "team.checks.yaml"
    checks.write_text(
        "org: org.yaml\nchecks:\n  - {profiles: junior}\n", encoding="utf-8"
    )
    run = _check(run_cli, checks)
    assert run.code == 1
    assert "error M009 checks[0] is not a known kind of check" in run.err
