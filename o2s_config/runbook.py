"""`o2s-config runbook`: the steps an administrator follows in O2S to go from
one version of the organisation to another.

The steps use the words of the O2S interface. Profiles are set in the
"Gestion des droits" window of the Administration space, with its Ajouter,
Modifier, Dupliquer and Supprimer buttons, the libellé, "Profil validé",
"Appliquer tous les droits" and the tabs and labels of the rights window.
Users are set in the Utilisateurs window, where a user is attached to a
responsable by drag and drop. The interface is in French, so
the English runbook quotes its labels in French and gives the English label
in brackets.

The order keeps every step possible: a profile exists before users get it, a
user exists before others are attached under them, and users leave a profile
and a responsable before these are deleted. Each change of the diff is
carried out by exactly one step, except the changes of a user's rights and
visibility, which follow from the profile and hierarchy steps.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .catalogue import Catalogue, Lang, Right
from .compiled import CompiledOrg
from .diff import Change, OrgDiff
from .emit.markdown import escape
from .emit.messages import MESSAGES
from .infer import template_values, unmet_requirement
from .resolve import ResolvedProfile, Value

# Changes of a user's effective rights and visibility: they follow from the
# steps on profiles and on the hierarchy, so they get no step of their own.
DERIVED_KINDS = frozenset(
    {
        "right_gained",
        "right_lost",
        "scope_changed",
        "visibility_widened",
        "visibility_narrowed",
    }
)

# NOTE: three steps are not checked against the O2S interface: where a
# structure is created or deleted, how a user goes back to the top level of
# the hierarchy ("detach"), and what Dupliquer copies.
PHRASES: dict[str, dict[str, str]] = {
    "fr": {
        "title": "Mise à jour d'O2S : {base} → {head}",
        "intro": "Suivez les étapes dans l'ordre, dans l'espace Administration d'O2S, "
        "et cochez chacune une fois faite.",
        "derived": "Les {count} changements des droits et de la visibilité des "
        "utilisateurs découlent de ces étapes.",
        "nothing": "Aucun changement à faire dans O2S.",
        "section_establishment": "Établissement",
        "section_profiles": "Profils",
        "section_users": "Utilisateurs",
        "section_hierarchy": "Hiérarchie",
        "section_removals": "Suppressions",
        "section_no_action": "Sans action dans O2S",
        "establishment": "Dans Administration > « Nom et Coordonnées de "
        "l'établissement », modifiez ces champs, puis enregistrez :",
        "field_set": "{tab}{field} : indiquez {value}",
        "field_clear": "{tab}{field} : videz le champ",
        "field_tab": "onglet {tab}, ",
        "structure_add": "Ajoutez la structure {name} dans O2S.",
        "structure_remove": "Supprimez la structure {name} dans O2S.",
        "rights_window": "Dans Administration > « Gestion des droits »",
        "profile_modify": "{window}, sélectionnez le profil {label} et cliquez sur "
        "Modifier :",
        "profile_add": "{window}, cliquez sur Ajouter :",
        "profile_duplicate": "{window}, sélectionnez le profil {label} et cliquez "
        "sur Dupliquer :",
        "profile_delete": "{window}, sélectionnez le profil {label} et cliquez sur "
        "Supprimer.",
        "label_set": "dans libellé, indiquez {label}",
        "label_change": "dans libellé, remplacez {old} par {new}",
        "validated": "sélectionnez {value} dans la liste déroulante « Profil validé »",
        "apply_all": "cliquez sur « Appliquer tous les droits »",
        "no_apply_all": "ne cliquez pas sur « Appliquer tous les droits »",
        "ok": "cliquez sur OK",
        "tab": "dans l'onglet {tab} : {actions}",
        "select": "à la ligne {right}, sélectionnez {option} dans la liste déroulante",
        "tick": "cochez {labels}",
        "untick": "décochez {labels}",
        "auto_off": "la case {labels} se décoche d'elle-même",
        "auto_off_many": "les cases {labels} se décochent d'elles-mêmes",
        "auto_scope": "{right} revient d'elle-même à {option}",
        "users_window": "Dans Administration > « Utilisateurs »",
        "user_add": "{window}, cliquez sur Ajouter et renseignez :",
        "user_modify": "{window}, sélectionnez {name} ({login}) et cliquez sur "
        "Modifier :",
        "user_delete": "{window}, sélectionnez {name} ({login}) et cliquez sur "
        "Supprimer.",
        "user_field": "{field} : {value}",
        "user_field_change": "{field} : remplacez {old} par {new}",
        "user_profile": "dans la liste déroulante « Profil de droit d'utilisation », "
        "sélectionnez {label}",
        "deactivate": "désactivez le compte",
        "reactivate": "réactivez le compte",
        "attach": "{window}, faites glisser {name} sur {manager} et relâchez le "
        "bouton de la souris quand {manager} est en surbrillance : l'utilisateur "
        "est alors rattaché à son responsable.",
        "detach": "{window}, faites glisser {name} hors de l'équipe de {manager}, au "
        "premier niveau de la hiérarchie.",
        "same_label": "le profil `{old}` devient `{new}` dans le fichier, avec le même "
        "libellé {label} et les mêmes droits",
        "same_profile": "{login} passe du profil `{old}` à `{new}` dans le fichier, "
        "sous le même libellé {label}",
        "structure_order": "seul l'ordre des structures change",
        "login": "Identifiant de connexion",
        "profile_field": "Profil de droit d'utilisation",
        "yes": "Oui",
        "no": "Non",
        "and": "et",
        "separator": " ; ",
    },
    "en": {
        "title": "O2S update: {base} → {head}",
        "intro": "Follow the steps in order, in the Administration space of O2S, and "
        "tick each one once done. The O2S interface is in French, so its labels are "
        "quoted in French with the English label in brackets.",
        "derived": "The {count} changes of the users' rights and visibility follow "
        "from these steps.",
        "nothing": "Nothing to change in O2S.",
        "section_establishment": "Establishment",
        "section_profiles": "Profiles",
        "section_users": "Users",
        "section_hierarchy": "Hierarchy",
        "section_removals": "Removals",
        "section_no_action": "Nothing to do in O2S",
        "establishment": 'In Administration > "Nom et Coordonnées de '
        "l'établissement\", change these fields, then save:",
        "field_set": "{tab}{field}: enter {value}",
        "field_clear": "{tab}{field}: empty the field",
        "field_tab": "tab {tab}, ",
        "structure_add": "Add the structure {name} in O2S.",
        "structure_remove": "Delete the structure {name} in O2S.",
        "rights_window": 'In Administration > "Gestion des droits"',
        "profile_modify": "{window}, select the profile {label} and click Modifier:",
        "profile_add": "{window}, click Ajouter:",
        "profile_duplicate": "{window}, select the profile {label} and click "
        "Dupliquer:",
        "profile_delete": "{window}, select the profile {label} and click Supprimer.",
        "label_set": "in libellé, enter {label}",
        "label_change": "in libellé, replace {old} with {new}",
        "validated": 'choose {value} in the "Profil validé" drop-down list',
        "apply_all": 'click "Appliquer tous les droits"',
        "no_apply_all": 'do not click "Appliquer tous les droits"',
        "ok": "click OK",
        "tab": "in the {tab} tab: {actions}",
        "select": "on the line {right}, choose {option} in the drop-down list",
        "tick": "tick {labels}",
        "untick": "untick {labels}",
        "auto_off": "the box {labels} unticks itself",
        "auto_off_many": "the boxes {labels} untick themselves",
        "auto_scope": "{right} goes back to {option} by itself",
        "users_window": 'In Administration > "Utilisateurs"',
        "user_add": "{window}, click Ajouter and fill in:",
        "user_modify": "{window}, select {name} ({login}) and click Modifier:",
        "user_delete": "{window}, select {name} ({login}) and click Supprimer.",
        "user_field": "{field}: {value}",
        "user_field_change": "{field}: replace {old} with {new}",
        "user_profile": 'in the "Profil de droit d\'utilisation" drop-down list, '
        "choose {label}",
        "deactivate": "deactivate the account",
        "reactivate": "reactivate the account",
        "attach": "{window}, drag {name} onto {manager} and release the mouse button "
        "when {manager} is highlighted: the user is then attached to their "
        "responsable.",
        "detach": "{window}, drag {name} out of the team of {manager}, to the top "
        "level of the hierarchy.",
        "same_label": "the profile `{old}` becomes `{new}` in the file, with the same "
        "libellé {label} and the same rights",
        "same_profile": "{login} moves from the profile `{old}` to `{new}` in the file, "
        "under the same libellé {label}",
        "structure_order": "only the order of the structures changes",
        "login": "Identifiant de connexion",
        "profile_field": "Profil de droit d'utilisation",
        "yes": "Oui",
        "no": "Non",
        "and": "and",
        "separator": "; ",
    },
}

# The O2S names of the establishment's fields that the report's messages do
# not name, by their path in the org file.
FIELD_NAMES: dict[str, tuple[str, str]] = {
    "address.line1": ("Adresse", "Address"),
    "address.line2": ("Complément d'adresse", "Address line 2"),
    "address.postal_code": ("Code postal", "Postal code"),
    "address.city": ("Ville", "City"),
    "address.country": ("Pays", "Country"),
    "intermediation.rc_pro.insurer": ("RC Pro : assureur", "RC Pro: insurer"),
    "intermediation.rc_pro.policy_number": (
        "RC Pro : n° de police",
        "RC Pro: policy number",
    ),
    "intermediation.real_estate_card.number": (
        "Carte professionnelle immobilière : numéro",
        "Real-estate card: number",
    ),
    "intermediation.real_estate_card.issued_by": (
        "Carte professionnelle immobilière : délivrée par",
        "Real-estate card: issued by",
    ),
}

USER_FIELDS = ("last_name", "first_name", "email", "structure")
USER_FIELD_NAMES = {
    "last_name": ("Nom", "Nom"),
    "first_name": ("Prénom", "Prénom"),
    "email": ("E-mail", "E-mail"),
    "structure": ("Structure", "Structure"),
}


@dataclass
class Step:
    """One numbered step: a sentence, its sub-steps and the changes it carries out.

    `action` names what the step does (profile_add, user_delete, attach...)
    and `subject` the profile id, login or structure it acts on.
    """

    action: str
    subject: str
    section: str
    text: str
    details: list[str] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)


@dataclass
class Runbook:
    """The steps in order, and the changes that need no step in O2S with the reason."""

    steps: list[Step] = field(default_factory=list)
    no_action: list[tuple[Change, str]] = field(default_factory=list)
    derived: int = 0


class _Writer:
    """The builder of the runbook of one diff in one language."""

    def __init__(self, diff: OrgDiff, lang: Lang) -> None:
        self.diff = diff
        self.base = diff.base
        self.head = diff.head
        self.lang = lang
        self.catalogue = diff.head.catalogue
        self.runbook = Runbook()
        self.changes = [c for c in diff.changes if c.kind not in DERIVED_KINDS]
        self.runbook.derived = len(diff.changes) - len(self.changes)
        self.pairs = _renamed_profiles(diff)

    # Words

    def say(self, key: str, **values: object) -> str:
        return PHRASES[self.lang][key].format(**values)

    def quote(self, text: object) -> str:
        escaped = escape(text)
        return f"« {escaped} »" if self.lang == "fr" else f'"{escaped}"'

    def ui(self, label_fr: str, label_en: str) -> str:
        """Quote an interface label. In English, add its English label in brackets."""
        quoted = self.quote(label_fr)
        if self.lang == "en" and label_en != label_fr:
            return f"{quoted} ({escape(label_en)})"
        return quoted

    def join(self, items: list[str]) -> str:
        if len(items) <= 1:
            return "".join(items)
        return ", ".join(items[:-1]) + f" {self.say('and')} " + items[-1]

    def yes_no(self, value: bool) -> str:
        return self.say("yes" if value else "no")

    def add(
        self,
        action: str,
        subject: str,
        section: str,
        text: str,
        details: list[str],
        changes: list[Change],
    ) -> None:
        step = Step(action, subject, section, text, details, changes)
        self.runbook.steps.append(step)

    def of(self, category: str, subject: str, *kinds: str) -> list[Change]:
        return [
            c
            for c in self.changes
            if c.category == category
            and c.subject == subject
            and (not kinds or c.kind in kinds)
        ]

    # Sections

    def build(self) -> Runbook:
        self.establishment()
        self.structures_added()
        self.profiles_modified()
        self.profiles_added()
        self.users_added()
        self.users_modified()
        self.hierarchy()
        self.users_removed()
        self.profiles_removed()
        self.structures_removed()
        return self.runbook

    def establishment(self) -> None:
        changes = [
            c
            for c in self.changes
            if c.category == "establishment" and c.key != "structures"
        ]
        if not changes:
            return
        details = []
        for change in changes:
            tab = ""
            top = change.key.split(".", 1)[0]
            if top in ("legal", "intermediation"):
                tab = self.say(
                    "field_tab", tab=self.ui(MESSAGES["fr"][top], MESSAGES["en"][top])
                )
            name = self.ui(*_field_names(change.key))
            if change.new is None or change.new == "":
                details.append(self.say("field_clear", tab=tab, field=name))
            else:
                details.append(
                    self.say(
                        "field_set", tab=tab, field=name, value=self.quote(change.new)
                    )
                )
        self.add(
            "establishment_edit",
            "",
            self.say("section_establishment"),
            self.say("establishment"),
            details,
            changes,
        )

    def structures_added(self) -> None:
        change = next((c for c in self.changes if c.key == "structures"), None)
        if change is None:
            return
        added = [s for s in self.head.structures if s not in self.base.structures]
        removed = [s for s in self.base.structures if s not in self.head.structures]
        if not added and not removed:
            self.runbook.no_action.append((change, self.say("structure_order")))
            return
        for index, name in enumerate(added):
            covered = [change] if index == 0 else []
            self.add(
                "structure_add",
                name,
                self.say("section_establishment"),
                self.say("structure_add", name=self.quote(name)),
                [],
                covered,
            )

    def structures_removed(self) -> None:
        change = next((c for c in self.changes if c.key == "structures"), None)
        if change is None:
            return
        added = [s for s in self.head.structures if s not in self.base.structures]
        removed = [s for s in self.base.structures if s not in self.head.structures]
        for index, name in enumerate(removed):
            covered = [change] if index == 0 and not added else []
            self.add(
                "structure_delete",
                name,
                self.say("section_removals"),
                self.say("structure_remove", name=self.quote(name)),
                [],
                covered,
            )

    def profiles_modified(self) -> None:
        pairs = {new: old for old, new in self.pairs.items()}
        for profile in _display_order(self.head):
            if profile.builtin:
                continue
            old_id = (
                profile.id
                if profile.id in self.base.profiles
                else pairs.get(profile.id)
            )
            if old_id is None:
                continue
            before = self.base.profiles[old_id]
            if old_id == profile.id:
                changes = self.of("profile", profile.id)
            else:
                changes = [
                    *self.of("profile", old_id, "removed"),
                    *self.of("profile", profile.id, "added"),
                ]
            if not changes:
                continue
            details = []
            if before.label != profile.label:
                details.append(
                    self.say(
                        "label_change",
                        old=self.quote(before.label),
                        new=self.quote(profile.label),
                    )
                )
            if before.validated != profile.validated:
                details.append(
                    self.say("validated", value=self.yes_no(profile.validated))
                )
            details += self.tab_lines(before.values(), profile.values())
            if not details:
                for change in changes:
                    self.runbook.no_action.append(
                        (
                            change,
                            self.say(
                                "same_label",
                                old=old_id,
                                new=profile.id,
                                label=self.quote(profile.label),
                            ),
                        )
                    )
                continue
            details.append(self.say("ok"))
            window = self.say("rights_window")
            text = self.say(
                "profile_modify", window=window, label=self.quote(before.label)
            )
            self.add(
                "profile_modify",
                profile.id,
                self.say("section_profiles"),
                text,
                details,
                changes,
            )

    def profiles_added(self) -> None:
        renamed = set(self.pairs.values())
        added = [
            p
            for p in _display_order(self.head)
            if p.id not in self.base.profiles and p.id not in renamed
        ]
        existing = {
            pid for pid in self.head.profiles if pid in self.base.profiles
        } | renamed
        for profile in _base_first(added):
            window = self.say("rights_window")
            details = [self.say("label_set", label=self.quote(profile.label))]
            details.append(self.say("validated", value=self.yes_no(profile.validated)))
            source = self.head.profiles.get(profile.base)
            values = profile.values()
            if source is not None and source.id in existing:
                text = self.say(
                    "profile_duplicate", window=window, label=self.quote(source.label)
                )
                details += self.tab_lines(source.values(), values)
            elif sum(1 for v in values.values() if v is True) * 2 >= len(
                self.catalogue.boolean_keys
            ):
                text = self.say("profile_add", window=window)
                details.append(self.say("apply_all"))
                details += self.tab_lines(
                    template_values(self.catalogue, "all"), values
                )
            else:
                text = self.say("profile_add", window=window)
                details.append(self.say("no_apply_all"))
                details += self.tab_lines(None, values)
            existing.add(profile.id)
            details.append(self.say("ok"))
            changes = self.of("profile", profile.id, "added")
            self.add(
                "profile_add",
                profile.id,
                self.say("section_profiles"),
                text,
                details,
                changes,
            )

    def profiles_removed(self) -> None:
        renamed = set(self.pairs)
        for profile in _display_order(self.base):
            if profile.id in self.head.profiles or profile.id in renamed:
                continue
            text = self.say(
                "profile_delete",
                window=self.say("rights_window"),
                label=self.quote(profile.label),
            )
            self.add(
                "profile_delete",
                profile.id,
                self.say("section_removals"),
                text,
                [],
                self.of("profile", profile.id, "removed"),
            )

    def users_added(self) -> None:
        for login in self.head.hierarchy.order:
            if login in self.base.users:
                continue
            user = self.head.users[login]
            details = [
                self.say(
                    "user_field",
                    field=self.quote(self.say("login")),
                    value=self.quote(login),
                ),
            ]
            for name in USER_FIELDS:
                value = getattr(user, name)
                if value:
                    details.append(
                        self.say(
                            "user_field",
                            field=self.user_field(name),
                            value=self.quote(value),
                        )
                    )
            label = self.head.profiles[user.profile].label
            details.append(
                self.say(
                    "user_field",
                    field=self.quote(self.say("profile_field")),
                    value=self.quote(label),
                )
            )
            if not user.active:
                details.append(self.say("deactivate"))
            details.append(self.say("ok"))
            text = self.say("user_add", window=self.say("users_window"))
            self.add(
                "user_add",
                login,
                self.say("section_users"),
                text,
                details,
                self.of("user", login, "added"),
            )

    def users_modified(self) -> None:
        for login in self.head.hierarchy.order:
            if login not in self.base.users:
                continue
            before, after = self.base.users[login], self.head.users[login]
            details: list[str] = []
            changes: list[Change] = []
            for change in self.of("user", login, "field_changed"):
                details.append(
                    self.say(
                        "user_field_change",
                        field=self.user_field(change.key),
                        old=self.quote(change.old or ""),
                        new=self.quote(change.new or ""),
                    )
                )
                changes.append(change)
            for change in self.of("user", login, "profile_changed"):
                old_label = self.base.profiles[before.profile].label
                new_label = self.head.profiles[after.profile].label
                if (
                    old_label == new_label
                    and self.pairs.get(before.profile) == after.profile
                ):
                    reason = self.say(
                        "same_profile",
                        login=login,
                        old=before.profile,
                        new=after.profile,
                        label=self.quote(new_label),
                    )
                    self.runbook.no_action.append((change, reason))
                    continue
                details.append(self.say("user_profile", label=self.quote(new_label)))
                changes.append(change)
            for change in self.of("user", login, "deactivated", "reactivated"):
                details.append(
                    self.say(
                        "deactivate" if change.kind == "deactivated" else "reactivate"
                    )
                )
                changes.append(change)
            if not details:
                continue
            details.append(self.say("ok"))
            text = self.say(
                "user_modify",
                window=self.say("users_window"),
                name=self.quote(before.name),
                login=login,
            )
            self.add(
                "user_modify",
                login,
                self.say("section_users"),
                text,
                details,
                changes,
            )

    def hierarchy(self) -> None:
        window = self.say("users_window")
        for login in self.head.hierarchy.order:
            user = self.head.users[login]
            if login in self.base.users:
                changes = self.of("user", login, "manager_changed")
                if not changes:
                    continue
            elif user.manager is None:
                continue
            else:
                changes = []
            name = self.quote(user.name)
            action = "attach" if user.manager is not None else "detach"
            if user.manager is not None:
                manager = self.quote(self.head.users[user.manager].name)
                text = self.say("attach", window=window, name=name, manager=manager)
            else:
                old_manager = self.base.users[login].manager
                assert old_manager is not None
                manager = self.quote(self.base.users[old_manager].name)
                text = self.say("detach", window=window, name=name, manager=manager)
            self.add(action, login, self.say("section_hierarchy"), text, [], changes)

    def users_removed(self) -> None:
        for login in self.base.hierarchy.order:
            if login in self.head.users:
                continue
            user = self.base.users[login]
            text = self.say(
                "user_delete",
                window=self.say("users_window"),
                name=self.quote(user.name),
                login=login,
            )
            self.add(
                "user_delete",
                login,
                self.say("section_removals"),
                text,
                [],
                self.of("user", login, "removed"),
            )

    def user_field(self, name: str) -> str:
        french, english = USER_FIELD_NAMES[name]
        return self.ui(french, english)

    # Rights

    def tab_lines(
        self, before: Mapping[str, Value] | None, after: Mapping[str, Value]
    ) -> list[str]:
        """Return one line per tab of the rights window with what to change in it.

        With no `before`, every scope is chosen and every right that is on is
        ticked, as on a profile created without "Appliquer tous les droits".
        """
        catalogue = self.catalogue
        if before is None:
            changed = [
                key
                for key, right in catalogue.rights.items()
                if right.is_scope or after[key] is True
            ]
        else:
            changed = [key for key in catalogue.rights if before.get(key) != after[key]]
        if not changed:
            return []
        lines = []
        for tab in _tab_order(catalogue, changed, after):
            keys = [key for key in changed if catalogue[key].tab == tab]
            actions = self.tab_actions(keys, changed, after)
            tab_label = catalogue.tab(tab)
            lines.append(
                self.say(
                    "tab",
                    tab=self.ui(tab_label.label_fr, tab_label.label_en),
                    actions=self.say("separator").join(actions),
                )
            )
        return lines

    def tab_actions(
        self, keys: list[str], changed: list[str], after: Mapping[str, Value]
    ) -> list[str]:
        catalogue = self.catalogue
        actions: list[str] = []
        ticks, unticks, automatic, automatic_scopes = [], [], [], []
        for key in keys:
            right = catalogue[key]
            value = after[key]
            # O2S switches a right off by itself when this step breaks its
            # requirement, as it unticks agenda.edit_others on "Voir
            # uniquement mon agenda".
            requirement = right.requires
            forced = (
                value == _off_value(right)
                and requirement is not None
                and requirement.right in changed
                and unmet_requirement(catalogue, key, {**after, key: _on_value(right)})
                is not None
            )
            label = self.ui(right.label_fr, right.label_en)
            if right.is_scope and forced:
                automatic_scopes.append((label, key, value))
            elif right.is_scope:
                assert isinstance(value, str)
                option = self.ui(
                    catalogue.option_label(key, value, "fr"),
                    catalogue.option_label(key, value, "en"),
                )
                actions.append(self.say("select", right=label, option=option))
            elif forced:
                automatic.append(label)
            elif value:
                ticks.append(label)
            else:
                unticks.append(label)
        if ticks:
            actions.append(self.say("tick", labels=self.join(ticks)))
        if unticks:
            actions.append(self.say("untick", labels=self.join(unticks)))
        if automatic:
            phrase = "auto_off" if len(automatic) == 1 else "auto_off_many"
            actions.append(self.say(phrase, labels=self.join(automatic)))
        for label, key, value in automatic_scopes:
            option = self.ui(
                catalogue.option_label(key, str(value), "fr"),
                catalogue.option_label(key, str(value), "en"),
            )
            actions.append(self.say("auto_scope", right=label, option=option))
        return actions


def build_runbook(diff: OrgDiff, lang: Lang = "fr") -> Runbook:
    """Turn a diff into the ordered steps that carry it out in O2S."""
    return _Writer(diff, lang).build()


def render_markdown(
    runbook: Runbook, base_name: str, head_name: str, lang: Lang = "fr"
) -> str:
    """Render the runbook as Markdown: one checkbox per numbered step."""
    say = PHRASES[lang]
    lines = [
        f"# {say['title'].format(base=_code(base_name), head=_code(head_name))}",
        "",
    ]
    if not runbook.steps:
        lines.append(say["nothing"])
    else:
        lines.append(say["intro"])
        if runbook.derived:
            lines.append(say["derived"].format(count=runbook.derived))
    section = None
    for number, step in enumerate(runbook.steps, 1):
        if step.section != section:
            section = step.section
            lines += ["", f"## {section}", ""]
        lines.append(f"- [ ] {number}. {step.text}")
        lines.extend(f"  - {detail}" for detail in step.details)
    if runbook.no_action:
        lines += ["", f"## {say['section_no_action']}", ""]
        # The two changes of a renamed profile share one reason.
        reasons = dict.fromkeys(reason for _, reason in runbook.no_action)
        lines.extend(f"- {reason}" for reason in reasons)
    return "\n".join(lines) + "\n"


def _renamed_profiles(diff: OrgDiff) -> dict[str, str]:
    """Return old id -> new id for each profile removed and added under the same label.

    O2S identifies a profile by its libellé, so such a pair is one O2S profile
    whose id changed in the file.
    """
    removed = {
        c.subject: c.old
        for c in diff.changes
        if c.category == "profile" and c.kind == "removed"
    }
    added = {
        c.subject: c.new
        for c in diff.changes
        if c.category == "profile" and c.kind == "added"
    }
    pairs: dict[str, str] = {}
    paired: set[str] = set()
    for old_id, old_label in removed.items():
        for new_id, new_label in added.items():
            if (
                new_id not in paired
                and str(old_label).casefold() == str(new_label).casefold()
            ):
                pairs[old_id] = new_id
                paired.add(new_id)
                break
    return pairs


def _display_order(org: CompiledOrg) -> list[ResolvedProfile]:
    return sorted(
        org.profiles.values(),
        key=lambda p: (not p.builtin, p.location.line if p.location else 0, p.id),
    )


def _base_first(profiles: list[ResolvedProfile]) -> list[ResolvedProfile]:
    """Order new profiles so that a profile comes after the new profile it is based on."""
    pending = list(profiles)
    ids = {p.id for p in profiles}
    ordered: list[ResolvedProfile] = []
    placed: set[str] = set()
    while pending:
        ready = next(
            (p for p in pending if p.base not in ids or p.base in placed),
            pending[0],
        )
        pending.remove(ready)
        ordered.append(ready)
        placed.add(ready.id)
    return ordered


def _tab_order(
    catalogue: Catalogue, keys: list[str], after: Mapping[str, Value]
) -> list[str]:
    """Return the tabs that hold `keys`, in catalogue order, except that a tab
    holding the requirement of a right to switch on comes before that right's tab."""
    tabs = [
        tab.id
        for tab in catalogue.tabs
        if any(catalogue[k].tab == tab.id for k in keys)
    ]
    before: dict[str, set[str]] = {tab: set() for tab in tabs}
    for key in keys:
        requirement = catalogue[key].requires
        if requirement is None or after[key] == _off_value(catalogue[key]):
            continue
        required_tab = catalogue[requirement.right].tab
        if required_tab in before and required_tab != catalogue[key].tab:
            before[catalogue[key].tab].add(required_tab)
    ordered: list[str] = []
    while len(ordered) < len(tabs):
        ready = next(
            (t for t in tabs if t not in ordered and before[t] <= set(ordered)),
            next(t for t in tabs if t not in ordered),
        )
        ordered.append(ready)
    return ordered


def _field_names(key: str) -> tuple[str, str]:
    """Return the French and English names of an establishment field path."""
    if key in FIELD_NAMES:
        return FIELD_NAMES[key]
    last = key.rsplit(".", 1)[-1]
    if last in MESSAGES["fr"]:
        return MESSAGES["fr"][last], MESSAGES["en"][last]
    return key, key


def _on_value(right: Right) -> Value:
    return right.widest if right.is_scope else True


def _off_value(right: Right) -> Value:
    return right.narrowest if right.is_scope else False


def _code(value: str) -> str:
    return "`" + value.replace("`", "'").replace("\n", " ") + "`"
