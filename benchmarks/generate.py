"""Generate a synthetic org file for benchmarks.

The org has 30 profiles chained through `base` (each adds a deny or a scope to
the one before), 40 structures, a manager tree of five levels or more, and a
mix of scopes. `--variant` derives a second version of the same org that
differs in 5% of the users (moved, re-profiled, deactivated) and in 3 profiles,
which is what a large pull request looks like to `diff`.

    python benchmarks/generate.py --users 10000 -o /tmp/org-10k.yaml
    python benchmarks/generate.py --users 10000 --variant -o /tmp/org-10k-b.yaml
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

PROFILES = 30
STRUCTURES = 40
DENY_STEPS = [
    "administration.module_access",
    "administration.subscription_access",
    "administration.import_contacts",
    "administration.import_accounts",
    "application.services_module",
    "application.compliance",
    "application.commercial_operations",
    "application.commissions",
    "application.esignature_options",
    "contacts.edit",
    "requests.*",
    "portfolio.edit_portfolios",
]
SCOPES = ["own", "attached", "group", "all"]


def build(users: int, variant: bool, seed: int) -> str:
    rng = random.Random(seed)
    lines = [
        "# yaml-language-server: $schema=../schemas/org.schema.json",
        "version: 1",
        "establishment:",
        "  name: Réseau Exemple Patrimoine",
        "  contact_email: contact@reseau-exemple.fr",
        '  address: {line1: 1 place de la Bourse, postal_code: "69002", city: Lyon}',
        "structures:",
    ]
    lines.extend(f"  - Agence {index:02d}" for index in range(STRUCTURES))
    lines.append("profiles:")
    # Both versions draw the same numbers, so they differ only where the
    # variant applies its changes.
    changed = set(rng.sample(range(1, PROFILES), 3))
    if not variant:
        changed = set()
    for index in range(PROFILES):
        lines.extend(_profile(index, index in changed))
    lines.append("users:")
    lines.extend(_users(users, variant, rng))
    return "\n".join(lines) + "\n"


def _profile(index: int, changed: bool) -> list[str]:
    base = "all" if index == 0 else f"p{index - 1:02d}"
    deny = [DENY_STEPS[index % len(DENY_STEPS)]]
    if changed:
        deny.append("contacts.edit" if deny[0] != "contacts.edit" else "requests.*")
    agenda = SCOPES[(index * 7) % 4]
    clients = SCOPES[(index * 3 + 1) % 4]
    return [
        f"  p{index:02d}:",
        f"    label: Profil {index:02d}{' (revu)' if changed else ''}",
        f"    base: {base}",
        f"    deny: [{', '.join(deny)}]",
        f"    scopes: {{agenda.view: {agenda}, contacts.client_access: {clients}}}",
    ]


def _users(count: int, variant: bool, rng: random.Random) -> list[str]:
    """Users in a tree: 1 administrator, then each user reports to one of the
    users created before it, biased towards recent ones, which gives five or
    more levels of managers."""
    lines = [
        "  - {login: admin, first_name: Alice, last_name: Admin, "
        "email: admin@reseau-exemple.fr, structure: Agence 00, profile: administrator}"
    ]
    touched = set(rng.sample(range(1, count), max(1, count // 20)))
    if not variant:
        touched = set()
    changes = random.Random(rng.random())
    for index in range(1, count):
        manager = (
            "admin" if index < 8 else f"u{rng.randrange(max(1, index // 4), index):06d}"
        )
        profile = f"p{rng.randrange(PROFILES):02d}"
        active = "true"
        if index in touched:
            action = index % 3
            if action == 0:
                manager = (
                    f"u{changes.randrange(1, index):06d}" if index > 1 else "admin"
                )
            elif action == 1:
                profile = f"p{(int(profile[1:]) + 1) % PROFILES:02d}"
            else:
                active = "false"
        structure = f"Agence {index % STRUCTURES:02d}"
        lines.append(
            f"  - {{login: u{index:06d}, first_name: Prénom{index}, last_name: Nom{index}, "
            f"email: u{index:06d}@reseau-exemple.fr, structure: {structure}, "
            f"profile: {profile}, manager: {manager}, active: {active}}}"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=1000, help="number of users")
    parser.add_argument(
        "--variant", action="store_true", help="write the changed version"
    )
    parser.add_argument("--seed", type=int, default=7, help="random seed")
    parser.add_argument(
        "-o", "--output", type=Path, required=True, help="file to write"
    )
    args = parser.parse_args()
    args.output.write_text(build(args.users, args.variant, args.seed), encoding="utf-8")


if __name__ == "__main__":
    main()
