"""Hypothesis strategies that draw valid org files as plain Python data.

`orgs()` draws the data of an org file that compiles with no error diagnostics,
`to_yaml` writes it as YAML text, and `narrowings(org)` draws a copy of an org
with one change that can only take rights or visibility away. Drawn orgs may
still carry warnings: R015 (an active user has a profile that is not
validated), R016 (a glob matches no yes/no right) and R019 (an allowed right is
forced off by a dependency rule).
"""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import strategies as st

from o2s_config.catalogue import (
    SCOPE_ORDER,
    Catalogue,
    Right,
    is_glob,
    load_catalogue,
    scope_rank,
)
from o2s_config.model import BASE_TEMPLATES, BUILTIN_ADMINISTRATOR

Org = dict[str, Any]

SHIPPED = load_catalogue()
TAB_IDS = tuple(tab.id for tab in SHIPPED.tabs)
RESERVED_PROFILE_IDS = frozenset({*BASE_TEMPLATES, BUILTIN_ADMINISTRATOR})

# Identifiers from examples/org.yaml: the SIREN, SIRET, RCS and VAT number
# carry valid check digits and name the same company.
EXAMPLE_LEGAL = {
    "form": "SAS",
    "share_capital": 50000,
    "siren": "732829320",
    "siret": "73282932000074",
    "rcs": "RCS Paris B 732 829 320",
    "vat_number": "FR44732829320",
    "naf": "6619B",
}
EXAMPLE_INTERMEDIATION = {
    "orias": "07001234",
    "categories": ["CIF", "COA", "MIOBSP"],
    "associations": ["ANACOFI-CIF"],
    "rc_pro": {"insurer": "Mutuelle Exemple Assurances"},
}

# Letters, digits, punctuation, symbols and spaces. YAML treats every such
# character as printable, so text survives the round trip through to_yaml.
_CHARACTERS = st.characters(categories=("L", "N", "P", "S", "Zs"))


def texts(max_size: int = 16) -> st.SearchStrategy[str]:
    """Draw text that is not blank, as the models' Text type requires."""
    return st.text(_CHARACTERS, min_size=1, max_size=max_size).filter(str.strip)


def logins() -> st.SearchStrategy[str]:
    return st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,11}", fullmatch=True)


def profile_ids() -> st.SearchStrategy[str]:
    ids = st.from_regex(r"[a-z][a-z0-9_-]{0,11}", fullmatch=True)
    return ids.filter(lambda profile_id: profile_id not in RESERVED_PROFILE_IDS)


def catalogue_of(org: Org) -> Catalogue:
    """Return the catalogue in force for an org: the shipped one plus `rights:`."""
    extra = [Right.model_validate(right) for right in org.get("rights", [])]
    return SHIPPED.extended(extra) if extra else SHIPPED


def boolean_matches(pattern: str, catalogue: Catalogue) -> set[str]:
    """Return the yes/no rights that a key or glob names, without scope rights."""
    return {key for key in catalogue.match(pattern) if not catalogue[key].is_scope}


# Rights in `rights:`


@st.composite
def requirements(
    draw: st.DrawFn, keys: list[str], scope_options: dict[str, tuple[str, ...]]
) -> dict[str, str]:
    """Draw a dependency on one of `keys`, with `at_least` exactly when it is a scope.

    `scope_options` maps each scope right to its options. `at_least` is never
    wider than the scope's widest option (R023), but it may name an option
    that the scope does not offer.
    """
    key = draw(st.sampled_from(keys))
    if key in scope_options:
        widest = scope_rank(scope_options[key][-1])
        at_least = draw(st.sampled_from(SCOPE_ORDER[: widest + 1]))
        return {"right": key, "at_least": at_least}
    return {"right": key}


@st.composite
def scope_option_lists(draw: st.DrawFn) -> list[str]:
    """Draw the options of a scope right: distinct, narrowest first."""
    chosen = draw(st.sets(st.sampled_from(SCOPE_ORDER), min_size=1))
    return [option for option in SCOPE_ORDER if option in chosen]


@st.composite
def custom_rights(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Draw up to 4 rights for `rights:`, yes/no or scope, some requiring another.

    In the "chain" shape each right requires the next one and the last one
    requires a shipped right, with tabs drawn at random, so a requirement often
    names a right that comes later in catalogue order. In the "mixed" shape a
    requirement names any right, or none.
    """
    names = draw(
        st.lists(
            st.from_regex(r"custom_[a-z0-9]{1,6}", fullmatch=True),
            max_size=4,
            unique=True,
        )
    )
    keys = [f"{draw(st.sampled_from(TAB_IDS))}.{name}" for name in names]
    shape = draw(st.sampled_from(["chain", "mixed"]))
    shipped = list(SHIPPED.rights)

    scope_options = {
        key: tuple(right.options or ())
        for key, right in SHIPPED.rights.items()
        if right.is_scope
    }
    for key in keys:
        if draw(st.booleans()):
            scope_options[key] = tuple(draw(scope_option_lists()))

    rights = []
    for index, key in enumerate(keys):
        right: dict[str, Any] = {"key": key, "type": "boolean"}
        if key in scope_options:
            right["type"] = "scope"
            right["options"] = list(scope_options[key])
            right["option_labels"] = draw(st.sampled_from(["agenda", "clients"]))
        right["label_fr"] = draw(texts())
        right["label_en"] = draw(texts())
        right["source"] = draw(st.sampled_from(["guide", "assumed"]))
        if shape == "chain":
            following = keys[index + 1 : index + 2] or shipped
            right["requires"] = draw(requirements(following, scope_options))
        elif draw(st.booleans()):
            right["requires"] = draw(requirements([*shipped, *keys], scope_options))
        rights.append(right)
    return rights


# Profiles


def _globs_from_key(key: str) -> st.SearchStrategy[str]:
    """Draw globs made from `key`: a prefix and `*`, or one character as `?`, `[c]` or `[!c]`."""
    positions = st.integers(min_value=0, max_value=len(key) - 1)
    return st.one_of(
        positions.map(lambda i: key[:i] + "*"),
        positions.map(lambda i: key[:i] + "?" + key[i + 1 :]),
        positions.map(lambda i: f"{key[:i]}[{key[i]}]{key[i + 1 :]}"),
        positions.map(lambda i: f"{key[:i]}[!{key[i]}]{key[i + 1 :]}"),
    )


def right_patterns(catalogue: Catalogue) -> st.SearchStrategy[str]:
    """Draw an entry for allow or deny: a yes/no right key or a glob.

    Globs may also match scope rights, which allow and deny skip, or match no
    right at all, which is warning R016.
    """
    tabs = sorted({key.split(".", 1)[0] for key in catalogue.rights})
    return st.one_of(
        st.sampled_from(catalogue.boolean_keys),
        st.sampled_from(tabs).map(lambda tab: f"{tab}.*"),
        st.just("*"),
        st.sampled_from(list(catalogue.rights)).flatmap(_globs_from_key),
        st.sampled_from(["*.nothing_*", "zz?.*"]),
    )


def without_conflicts(
    allow: list[str], deny: list[str], catalogue: Catalogue
) -> tuple[list[str], list[str]]:
    """Drop the exact keys that would put a right in both allow and deny.

    A right matched by both lists is error R010 unless every entry that matches
    it, on both sides, is a glob.
    """
    denied = set().union(*(boolean_matches(p, catalogue) for p in deny))
    allow = [p for p in allow if is_glob(p) or p not in denied]

    allowed = set().union(*(boolean_matches(p, catalogue) for p in allow))
    deny = [p for p in deny if is_glob(p) or p not in allowed]
    return allow, deny


@st.composite
def profile_bodies(
    draw: st.DrawFn, catalogue: Catalogue, base: str, label: str
) -> dict[str, Any]:
    patterns = right_patterns(catalogue)
    allow, deny = without_conflicts(
        draw(st.lists(patterns, max_size=4)),
        draw(st.lists(patterns, max_size=4)),
        catalogue,
    )
    scope_keys = draw(st.lists(st.sampled_from(catalogue.scope_keys), unique=True))
    scopes = {
        key: draw(st.sampled_from(catalogue[key].options or ())) for key in scope_keys
    }

    body: dict[str, Any] = {"label": label}
    if draw(st.booleans()):
        body["validated"] = draw(st.booleans())
    if draw(st.booleans()):
        body["description"] = draw(texts(40))
    # `base` defaults to none, so a profile built on none may leave it out.
    if base != "none" or draw(st.booleans()):
        body["base"] = base
    for name, value in (("allow", allow), ("deny", deny), ("scopes", scopes)):
        if value or draw(st.booleans()):
            body[name] = value
    return body


@st.composite
def profile_maps(
    draw: st.DrawFn, catalogue: Catalogue, min_size: int = 0
) -> dict[str, dict[str, Any]]:
    """Draw profiles whose `base` chains end at all or none, in any file order.

    A profile's base is a template or a profile drawn before it, so the bases
    form no cycle. In the "chain" shape each profile builds on the previous
    one, which gives the deepest chains.
    """
    count = draw(st.integers(min_value=min_size, max_value=6))
    ids = draw(st.lists(profile_ids(), min_size=count, max_size=count, unique=True))
    shape = draw(st.sampled_from(["chain", "mixed"]))

    bodies = {}
    for index, profile_id in enumerate(ids):
        if shape == "chain" and index > 0:
            base = ids[index - 1]
        else:
            base = draw(st.sampled_from([*BASE_TEMPLATES, *ids[:index]]))
        # The " #index" suffix keeps labels distinct after casefolding (R007).
        label = f"{draw(texts())} #{index}"
        bodies[profile_id] = draw(profile_bodies(catalogue, base, label))

    order = draw(st.permutations(ids))
    return {profile_id: bodies[profile_id] for profile_id in order}


# Users


@st.composite
def manager_maps(draw: st.DrawFn, users: list[str]) -> dict[str, str | None]:
    """Draw each user's manager so that the users form a forest.

    Shapes: one deep chain, one wide fan under a single manager, users with no
    manager at all, or random trees. A user's manager is always drawn before
    them, so the hierarchy has no cycle.
    """
    order = draw(st.permutations(users))
    shape = draw(st.sampled_from(["chain", "fan", "flat", "forest"]))

    managers: dict[str, str | None] = {}
    for index, login in enumerate(order):
        if index == 0 or shape == "flat":
            managers[login] = None
        elif shape == "chain":
            managers[login] = order[index - 1]
        elif shape == "fan":
            managers[login] = order[0]
        else:
            managers[login] = draw(st.none() | st.sampled_from(order[:index]))
    return managers


@st.composite
def user_lists(
    draw: st.DrawFn, profiles: list[str], structures: list[str]
) -> list[dict[str, Any]]:
    """Draw 1 to 40 users, some inactive, with at least one active administrator."""
    count = draw(st.integers(min_value=1, max_value=40))
    all_logins = draw(st.lists(logins(), min_size=count, max_size=count, unique=True))
    managers = draw(manager_maps(all_logins))
    administrator = draw(st.sampled_from(all_logins))
    structure_choice = (
        st.sampled_from(structures) if structures else st.none() | texts()
    )

    users = []
    for index, login in enumerate(all_logins):
        user: dict[str, Any] = {
            "login": login,
            "first_name": draw(texts()),
            "last_name": draw(texts()),
            "email": f"user{index}@exemple.fr",
            "profile": draw(st.sampled_from([BUILTIN_ADMINISTRATOR, *profiles])),
        }
        if login == administrator:
            user["profile"] = BUILTIN_ADMINISTRATOR
        structure = draw(structure_choice)
        if structure is not None:
            user["structure"] = structure
        if managers[login] is not None or draw(st.booleans()):
            user["manager"] = managers[login]
        active = login == administrator or draw(st.sampled_from([True, True, False]))
        if not active or draw(st.booleans()):
            user["active"] = active
        users.append(user)
    return users


# Establishment and whole orgs


@st.composite
def establishments(draw: st.DrawFn) -> dict[str, Any]:
    establishment: dict[str, Any] = {
        "name": draw(texts(40)),
        "contact_email": "contact@exemple.fr",
    }
    if draw(st.booleans()):
        establishment["address"] = {
            "line1": draw(texts(30)),
            "postal_code": draw(
                st.from_regex(r"[0-9A-Z][0-9A-Z -]{0,8}[0-9A-Z]", fullmatch=True)
            ),
            "city": draw(texts()),
        }
    if draw(st.booleans()):
        establishment["phone"] = "+33 1 42 00 00 00"
    if draw(st.booleans()):
        establishment["website"] = "https://www.exemple.fr"
    if draw(st.booleans()):
        establishment["legal"] = EXAMPLE_LEGAL
    if draw(st.booleans()):
        establishment["intermediation"] = EXAMPLE_INTERMEDIATION
    return establishment


@st.composite
def orgs(draw: st.DrawFn, min_profiles: int = 0) -> Org:
    """Draw the data of a valid org file: no diagnostic it gives is an error.

    NOTE: structure names are drawn without surrounding spaces. A declared
    structure such as " Paris" is kept as written, but a user's structure is
    stripped to "Paris", so no user could reference it (R004).
    """
    rights = draw(custom_rights())
    catalogue = SHIPPED.extended(Right.model_validate(r) for r in rights)
    profiles = draw(profile_maps(catalogue, min_profiles))
    structures = draw(
        st.lists(texts().map(str.strip), max_size=3, unique=True),
    )

    org: Org = {"version": 1, "establishment": draw(establishments())}
    if structures or draw(st.booleans()):
        org["structures"] = structures
    if rights:
        org["rights"] = rights
    if profiles or draw(st.booleans()):
        org["profiles"] = profiles
    org["users"] = draw(user_lists(list(profiles), structures))
    return org


def to_yaml(org: Org) -> bytes:
    """Write an org as block YAML with JSON values, one profile or user per line.

    JSON is valid YAML. A line per profile gives each profile its own line
    number, which the Markdown report uses to order its columns.
    """
    lines = []
    for key, value in org.items():
        if key == "profiles" and value:
            lines.append("profiles:")
            lines.extend(
                f"  {_json(profile_id)}: {_json(body)}"
                for profile_id, body in value.items()
            )
        elif key == "users" and value:
            lines.append("users:")
            lines.extend(f"  - {_json(user)}" for user in value)
        else:
            lines.append(f"{key}: {_json(value)}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


# Narrowing changes


def _deny_more(body: dict[str, Any], pattern: str, catalogue: Catalogue) -> None:
    """Add `pattern` to deny, and drop from allow what would then be R010."""
    denied = boolean_matches(pattern, catalogue)
    if is_glob(pattern):
        conflicts = [p for p in body.get("allow", []) if not is_glob(p) and p in denied]
    else:
        conflicts = [
            p for p in body.get("allow", []) if boolean_matches(p, catalogue) & denied
        ]
    body["allow"] = [p for p in body.get("allow", []) if p not in conflicts]
    body["deny"] = [*body.get("deny", []), pattern]


@st.composite
def narrowings(draw: st.DrawFn, org: Org) -> tuple[str, Org]:
    """Draw a copy of `org` with one change that can only narrow rights.

    The changes: add a key or glob to a profile's deny, set a scope to an option
    no wider than before, change a base from all to none, or remove an entry
    from allow. Returns a description of the change and the changed copy. The
    org needs at least one profile.
    """
    narrowed = copy.deepcopy(org)
    catalogue = catalogue_of(org)
    profiles: dict[str, dict[str, Any]] = narrowed["profiles"]
    kinds = ["deny", "scope"]
    if any(body.get("base") == "all" for body in profiles.values()):
        kinds.append("base")
    if any(body.get("allow") for body in profiles.values()):
        kinds.append("allow")
    kind = draw(st.sampled_from(kinds))

    if kind == "deny":
        profile_id = draw(st.sampled_from(sorted(profiles)))
        pattern = draw(right_patterns(catalogue))
        _deny_more(profiles[profile_id], pattern, catalogue)
        return f"profiles.{profile_id}.deny += {pattern}", narrowed

    if kind == "scope":
        profile_id = draw(st.sampled_from(sorted(profiles)))
        key = draw(st.sampled_from(catalogue.scope_keys))
        options = catalogue[key].options or ()
        scopes = profiles[profile_id].setdefault("scopes", {})
        # Without an entry the value comes from the base, which is one of the
        # options, so only the narrowest option is certain to be no wider.
        ceiling = scope_rank(scopes[key]) if key in scopes else scope_rank(options[0])
        option = draw(st.sampled_from([o for o in options if scope_rank(o) <= ceiling]))
        scopes[key] = option
        return f"profiles.{profile_id}.scopes.{key} = {option}", narrowed

    if kind == "base":
        candidates = sorted(
            p for p, body in profiles.items() if body.get("base") == "all"
        )
        profile_id = draw(st.sampled_from(candidates))
        profiles[profile_id]["base"] = "none"
        return f"profiles.{profile_id}.base = none", narrowed

    candidates = sorted(p for p, body in profiles.items() if body.get("allow"))
    profile_id = draw(st.sampled_from(candidates))
    allow = profiles[profile_id]["allow"]
    removed = allow.pop(draw(st.integers(min_value=0, max_value=len(allow) - 1)))
    return f"profiles.{profile_id}.allow -= {removed}", narrowed
