"""`o2s-config runbook`: the O2S steps between two versions of a test org, with
every change carried out once and in an order O2S accepts."""

from __future__ import annotations

import re

import pytest

from o2s_config.diff import diff_orgs
from o2s_config.pipeline import compile_bytes
from o2s_config.runbook import DERIVED_KINDS, build_runbook, render_markdown

from .conftest import commit_all

BASE = """\
version: 1
establishment:
  name: Cabinet Test
  contact_email: contact@test.fr
  legal: {share_capital: 50000}
structures: [Paris, Lyon]
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
    deny: [application.services_module, contacts.edit]
    scopes: {agenda.view: own}
  old:
    label: Ancien profil
    base: none
  assist:
    label: Assistant
    base: all
    deny: [administration.module_access]
users:
  - {login: admin, first_name: Ana, last_name: Admin, email: admin@test.fr,
     profile: administrator, structure: Paris}
  - {login: boss1, first_name: Bea, last_name: Un, email: boss1@test.fr,
     profile: manager, structure: Paris}
  - {login: adv1, first_name: Dan, last_name: Adv, email: adv1@test.fr,
     profile: advisor, manager: boss1, structure: Paris}
  - {login: adv2, first_name: Eve, last_name: Adv, email: adv2@test.fr,
     profile: old, manager: boss1, structure: Lyon}
  - {login: jun1, first_name: Fay, last_name: Jun, email: jun1@test.fr,
     profile: junior, manager: adv1, structure: Paris}
  - {login: gone, first_name: Gil, last_name: Gone, email: gone@test.fr,
     profile: advisor, structure: Lyon}
  - {login: sub, first_name: Ian, last_name: Sub, email: sub@test.fr,
     profile: advisor, manager: gone, structure: Lyon}
  - {login: asst, first_name: Jo, last_name: Asst, email: asst@test.fr,
     profile: assist, structure: Paris}
"""

HEAD = """\
version: 1
establishment:
  name: Cabinet Test
  contact_email: contact@test.fr
  legal: {share_capital: 60000}
structures: [Paris, Lyon, Nantes]
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
    scopes: {agenda.view: own, contacts.client_access: group}
  junior:
    label: Conseiller junior
    base: advisor
    deny: [application.services_module, contacts.edit, requests.*, application.compliance]
  trainee:
    label: Stagiaire
    validated: false
    base: junior
    deny: [portfolio.*]
  reader:
    label: Lecture seule
    base: none
    allow: [contacts.edit]
    scopes: {contacts.client_access: attached}
  backoffice:
    label: Back-office
    base: all
    deny: [administration.module_access, portfolio.*]
  assistant:
    label: Assistant
    base: all
    deny: [administration.module_access]
users:
  - {login: admin, first_name: Ana, last_name: Admin, email: admin@test.fr,
     profile: administrator, structure: Paris}
  - {login: boss1, first_name: Bea, last_name: Un, email: boss1@test.fr,
     profile: manager, structure: Paris}
  - {login: boss2, first_name: Carl, last_name: Deux, email: boss2@test.fr,
     profile: manager, structure: Nantes}
  - {login: adv1, first_name: Dan, last_name: Adv, email: dan.adv@test.fr,
     profile: advisor, manager: boss2, structure: Paris}
  - {login: adv2, first_name: Eve, last_name: Adv, email: adv2@test.fr,
     profile: advisor, manager: boss1, structure: Lyon}
  - {login: jun1, first_name: Fay, last_name: Jun, email: jun1@test.fr,
     profile: junior, manager: adv1, structure: Paris, active: false}
  - {login: tra1, first_name: Hal, last_name: Tra, email: tra1@test.fr,
     profile: trainee, manager: boss2, structure: Nantes}
  - {login: sub, first_name: Ian, last_name: Sub, email: sub@test.fr,
     profile: advisor, manager: boss1, structure: Lyon}
  - {login: asst, first_name: Jo, last_name: Asst, email: asst@test.fr,
     profile: assistant, structure: Paris}
  - {login: bo1, first_name: Kim, last_name: Back, email: bo1@test.fr,
     profile: backoffice, structure: Lyon, active: false}
  - {login: read1, first_name: Lou, last_name: Lit, email: read1@test.fr,
     profile: reader, manager: tra1, structure: Nantes}
"""


def _compile(text, name):
    result = compile_bytes(text.encode(), name)
    assert result.org is not None, [d.message for d in result.diagnostics]
    return result.org


@pytest.fixture(scope="module")
def diff():
    return diff_orgs(_compile(BASE, "base.yaml"), _compile(HEAD, "head.yaml"))


@pytest.fixture(scope="module", params=["fr", "en"])
def runbook(request, diff):
    return build_runbook(diff, request.param)


def _index(runbook, action, subject):
    found = [
        index
        for index, step in enumerate(runbook.steps)
        if step.action == action and step.subject == subject
    ]
    assert len(found) == 1, (action, subject, found)
    return found[0]


def test_every_change_carried_out_once(diff, runbook):
    carried = [id(change) for step in runbook.steps for change in step.changes]
    no_action = [id(change) for change, _ in runbook.no_action]
    expected = [c for c in diff.changes if c.kind not in DERIVED_KINDS]

    assert len(carried) == len(set(carried))
    for change in expected:
        count = carried.count(id(change)) + no_action.count(id(change))
        assert count == 1, (change.category, change.subject, change.kind, change.key)
    assert set(carried) | set(no_action) == {id(c) for c in expected}
    assert runbook.derived == len(diff.changes) - len(expected)


def test_profile_exists_before_users_get_it(diff, runbook):
    no_action = [id(change) for change, _ in runbook.no_action]
    checked = 0
    for change in diff.changes:
        if change.category != "user" or change.kind not in ("added", "profile_changed"):
            continue
        if id(change) in no_action:
            continue
        profile = change.new
        if profile not in diff.base.profiles:
            user_step = _index(
                runbook,
                "user_add" if change.kind == "added" else "user_modify",
                change.subject,
            )
            assert _index(runbook, "profile_add", profile) < user_step
            checked += 1
    assert checked == 3


def test_duplicated_profile_comes_after_its_base(runbook):
    assert _index(runbook, "profile_modify", "junior") < _index(
        runbook, "profile_add", "trainee"
    )


def test_user_exists_before_others_attach(diff, runbook):
    attached = [step for step in runbook.steps if step.action == "attach"]
    assert {step.subject for step in attached} == {"adv1", "tra1", "sub", "read1"}
    for step in attached:
        manager = diff.head.users[step.subject].manager
        assert manager is not None
        attach = runbook.steps.index(step)
        if manager not in diff.base.users:
            assert _index(runbook, "user_add", manager) < attach
        if step.subject not in diff.base.users:
            assert _index(runbook, "user_add", step.subject) < attach


def test_users_leave_before_deletions(diff, runbook):
    # Eve Adv leaves the profile "Ancien profil" before it is deleted.
    assert _index(runbook, "user_modify", "adv2") < _index(
        runbook, "profile_delete", "old"
    )
    # Ian Sub leaves the team of Gil Gone before Gil Gone is deleted.
    assert _index(runbook, "attach", "sub") < _index(runbook, "user_delete", "gone")
    deletions = [
        index
        for index, step in enumerate(runbook.steps)
        if step.action.endswith("_delete")
    ]
    others = [
        index
        for index, step in enumerate(runbook.steps)
        if not step.action.endswith("_delete")
    ]
    assert max(others) < min(deletions)


def test_renamed_profile_needs_nothing_in_o2s(runbook):
    assert not [s for s in runbook.steps if s.subject in ("assist", "assistant")]
    reasons = [reason for _, reason in runbook.no_action]
    assert len(reasons) == 3
    assert all("`assist`" in reason and "`assistant`" in reason for reason in reasons)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_steps_are_numbered_checkboxes(diff, lang):
    runbook = build_runbook(diff, lang)
    text = render_markdown(runbook, "base.yaml", "head.yaml", lang)
    numbers = [int(n) for n in re.findall(r"^- \[ \] (\d+)\. ", text, re.MULTILINE)]

    assert numbers == list(range(1, len(runbook.steps) + 1))


def _step_text(runbook, action, subject):
    step = runbook.steps[_index(runbook, action, subject)]
    return "\n".join([step.text, *step.details])


def test_french_steps_use_o2s_words(diff):
    runbook = build_runbook(diff, "fr")
    junior = _step_text(runbook, "profile_modify", "junior")
    advisor = _step_text(runbook, "profile_modify", "advisor")
    trainee = _step_text(runbook, "profile_add", "trainee")
    backoffice = _step_text(runbook, "profile_add", "backoffice")
    reader = _step_text(runbook, "profile_add", "reader")

    assert junior == (
        "Dans Administration > « Gestion des droits », sélectionnez le profil "
        "« Conseiller junior » et cliquez sur Modifier :\n"
        "dans l'onglet « Configuration de l'application » : décochez « Gestion de "
        "la conformité »\n"
        "dans l'onglet « Requêtes » : décochez « Gestion des requêtes »\n"
        "cliquez sur OK"
    )
    # Choosing "Voir uniquement mon agenda" unticks the box by itself.
    assert (
        "dans l'onglet « Agenda » : à la ligne « Voir les agendas », sélectionnez "
        "« Voir uniquement mon agenda » dans la liste déroulante ; la case « Modifier "
        "les agendas visibles » se décoche d'elle-même" in advisor
    )
    assert "décochez « Modifier les agendas visibles »" not in advisor
    assert "sélectionnez le profil « Conseiller junior » et cliquez sur Dupliquer" in (
        trainee
    )
    assert "sélectionnez Non dans la liste déroulante « Profil validé »" in trainee
    assert "cliquez sur « Appliquer tous les droits »" in backoffice
    assert (
        "décochez « Modification des portefeuilles » et « Modification des comptes »"
        in backoffice
    )
    assert "ne cliquez pas sur « Appliquer tous les droits »" in reader
    assert "cochez « Modification des contacts »" in reader
    assert "sélectionnez « Mes clients et ceux des utilisateurs rattachés »" in reader


def test_each_right_change_named_once(diff):
    runbook = build_runbook(diff, "fr")
    catalogue = diff.head.catalogue
    for change in diff.changes:
        if change.kind != "right_changed":
            continue
        step = next(s for s in runbook.steps if any(c is change for c in s.changes))
        label = f"« {catalogue[change.key].label_fr} »"
        assert "\n".join(step.details).count(label) == 1, (change.subject, change.key)


def test_french_user_steps(diff):
    runbook = build_runbook(diff, "fr")
    added = _step_text(runbook, "user_add", "bo1")

    assert added == (
        "Dans Administration > « Utilisateurs », cliquez sur Ajouter et renseignez :\n"
        "« Identifiant de connexion » : « bo1 »\n"
        "« Nom » : « Back »\n"
        "« Prénom » : « Kim »\n"
        "« E-mail » : « bo1@test.fr »\n"
        "« Structure » : « Lyon »\n"
        "« Profil de droit d'utilisation » : « Back-office »\n"
        "désactivez le compte\n"
        "cliquez sur OK"
    )
    assert _step_text(runbook, "attach", "read1") == (
        "Dans Administration > « Utilisateurs », faites glisser « Lou Lit » sur "
        "« Hal Tra » et relâchez le bouton de la souris quand « Hal Tra » est en "
        "surbrillance : l'utilisateur est alors rattaché à son responsable."
    )
    modified = _step_text(runbook, "user_modify", "adv1")
    assert "« E-mail » : remplacez « adv1@test.fr » par « dan.adv@test.fr »" in modified
    assert "désactivez le compte" in _step_text(runbook, "user_modify", "jun1")
    assert _step_text(runbook, "structure_add", "Nantes") == (
        "Ajoutez la structure « Nantes » dans O2S."
    )


def test_english_steps_quote_french_labels(diff):
    runbook = build_runbook(diff, "en")
    junior = _step_text(runbook, "profile_modify", "junior")

    assert junior == (
        'In Administration > "Gestion des droits", select the profile "Conseiller '
        'junior" and click Modifier:\n'
        'in the "Configuration de l\'application" (Application settings) tab: untick '
        '"Gestion de la conformité" (Compliance management)\n'
        'in the "Requêtes" (Queries) tab: untick "Gestion des requêtes" (Manage '
        "queries)\n"
        "click OK"
    )
    text = render_markdown(runbook, "base.yaml", "head.yaml", "en")
    assert text.startswith("# O2S update: `base.yaml` → `head.yaml`\n")
    assert "## Nothing to do in O2S" in text
    assert text.count("in the file, with the same libellé") == 1
    assert (
        'the box "Modifier les agendas visibles" (Edit the calendars in view) '
        "unticks itself" in text
    )


def test_no_change_has_no_steps(run_cli, tmp_path):
    org = tmp_path / "org.yaml"
    org.write_text(BASE, encoding="utf-8")

    french = run_cli("runbook", org, org)
    english = run_cli("runbook", org, org, "--lang", "en")

    assert french.code == 0
    assert french.out == (
        f"# Mise à jour d'O2S : `{org}` → `{org}`\n\nAucun changement à faire dans O2S.\n"
    )
    assert english.out.endswith("\nNothing to change in O2S.\n")


def test_revisions_from_git(run_cli, tmp_path, monkeypatch):
    (tmp_path / "org.yaml").write_text(BASE, encoding="utf-8")
    commit_all(tmp_path, "base")
    (tmp_path / "org.yaml").write_text(HEAD, encoding="utf-8")
    monkeypatch.chdir(tmp_path)

    run = run_cli("runbook", "HEAD:org.yaml", "org.yaml")

    assert run.code == 0, run.err
    assert run.out.startswith("# Mise à jour d'O2S : `HEAD:org.yaml` → `org.yaml`\n")
    assert "## Profils" in run.out
    assert "- [ ] 1. Dans Administration > « Nom et Coordonnées" in run.out
