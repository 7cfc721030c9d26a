"""The files `o2s-config init` writes: a starter org file and a pre-commit configuration.

The starter org contains the four profiles of the O2S setup guide ("Mettez en
place O2S dans votre structure"). It passes `validate --strict` and `check`,
and `fmt --check` finds it already in canonical form. tests/test_init.py
checks all three.
"""

from __future__ import annotations

from . import __version__

ORG_FILE_NAME = "org.yaml"
PRE_COMMIT_FILE_NAME = ".pre-commit-config.yaml"
# The hook that .pre-commit-hooks.yaml, at the root of this repository, declares.
PRE_COMMIT_HOOK_ID = "o2s-config-validate"

STARTER_ORG = """\
# yaml-language-server: $schema=schemas/org.schema.json
#
# The schema above lets editors complete field names, right keys and scope
# options. To write it, run this in the folder of this file:
#   o2s-config schema -o schemas
#
# A starter organisation with the four profiles of the O2S setup guide. Fill in
# the establishment and the users, then run:
#   o2s-config validate org.yaml
#   o2s-config check org.yaml
# 'o2s-config rights' lists every right key.
version: 1

# The "Nom et Coordonnées de l'établissement" page. Replace the name and the
# e-mail address. The address, phone, website, legal and intermediation
# details are optional.
establishment:
  name: Nom du cabinet
  contact_email: contact@cabinet.example

# Each profile starts from a base: 'all' (every right on and every scope at
# its widest, like "Appliquer tous les droits" in O2S) or another profile.
# Then 'deny' switches rights off and 'scopes' sets whose agendas and clients
# the profile's users see.
profiles:
  # Every right but the Administration module. A manager sees the agendas and
  # clients of the users attached to them, on every level below.
  manager:
    label: Manager
    base: all
    deny:
      - administration.module_access
    scopes:
      agenda.view: attached
      contacts.client_access: attached

  # Every right but the Administration module and the Abonnement
  # (subscription) area. An adviser sees their group: the users who have the
  # same manager, and every user below the adviser.
  advisor:
    label: Conseiller
    base: all
    deny:
      - administration.module_access
      - administration.subscription_access
    scopes:
      agenda.view: group
      contacts.client_access: group

  # An adviser who joined the firm less than a year ago. A junior has the
  # adviser's rights but cannot import contacts or accounts, open the Services
  # module, manage compliance, commercial operations or commissions, edit
  # contacts or manage queries. A junior sees only their own agenda, and the
  # clients of their group, as an adviser does.
  junior:
    label: Conseiller junior
    base: advisor
    # The max_tenure policy of 'o2s-config check' warns about a junior whose
    # hired_on date is more than 365 days ago: time to change their profile.
    max_tenure_days: 365
    deny:
      - administration.import_accounts
      - administration.import_contacts
      - application.commercial_operations
      - application.commissions
      - application.compliance
      - application.services_module
      - contacts.edit
      - requests.*
    scopes:
      agenda.view: own

  # The adviser's rights without any right on portfolios and accounts, so the
  # back office keeps the imports and compliance. It sees only its own agenda,
  # which also switches off editing other agendas (agenda.edit_others), as O2S
  # does.
  backoffice:
    label: Back-office
    base: advisor
    deny:
      - portfolio.*
    scopes:
      agenda.view: own

# The user accounts. 'administrator' is the built-in profile with every right.
# Keep at least one active user on it. Give a user 'manager: LOGIN' to
# place them under their responsable, and 'hired_on: "YYYY-MM-DD"' for the
# max_tenure policy.
users:
  - login: admin
    first_name: Prénom
    last_name: Nom
    email: admin@cabinet.example
    profile: administrator

# What the set-up must keep true. 'o2s-config check' runs these checks and the
# built-in policies, and exits 1 when one fails.
checks:
  - name: only the administrator profile opens the Administration module
    right: administration.module_access
    only: {profiles: [administrator]}

  - name: managers keep the subscription area but not the Administration module
    profile: manager
    has: [administration.subscription_access]
    lacks: [administration.module_access]
    scopes:
      agenda.view: {exactly: attached}

  - name: juniors lack what the setup guide takes away and see only their agenda
    profile: junior
    lacks:
      - administration.import_accounts
      - administration.import_contacts
      - application.commercial_operations
      - application.commissions
      - application.compliance
      - application.services_module
      - contacts.edit
      - requests.*
    scopes:
      agenda.view: {exactly: own}

  - name: the back office keeps no portfolio right and sees only its own agenda
    profile: backoffice
    lacks: [portfolio.*, agenda.edit_others]
    scopes:
      agenda.view: {exactly: own}
"""


def pre_commit_config() -> str:
    """Return the pre-commit configuration that runs the validate hook on org.yaml."""
    return f"""\
# pre-commit runs 'o2s-config validate' on org.yaml before each commit.
# Install pre-commit, then run: pre-commit install
repos:
  # Replace with the git URL of the o2s-config repository the firm uses.
  - repo: <where the firm keeps o2s-config>
    rev: v{__version__}
    hooks:
      # Add 'args: [--strict]' below the id to stop a commit on warnings too.
      - id: {PRE_COMMIT_HOOK_ID}
"""
