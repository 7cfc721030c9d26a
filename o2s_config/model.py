"""Pydantic models of the org file, format version 1.

The models are strict: YAML text is never coerced into numbers or booleans and
numbers are never coerced into text, so `postal_code: 01000` (a number in YAML)
is an error instead of a silent `1000`. Unknown fields are errors.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    model_validator,
)
from pydantic_core import PydanticCustomError

from . import identifiers
from .catalogue import Right, ScopeOption
from .catalogue.model import RIGHT_KEY_PATTERN
from .checks.model import Check, PoliciesConfig
from .fields import IsoDate, Login, ProfileId, RightPattern, Text

FORMAT_VERSION = 1

BUILTIN_ADMINISTRATOR = "administrator"
BASE_TEMPLATES = ("all", "none")

ORIAS_CATEGORIES = (
    "CIF",
    "COA",
    "AGA",
    "MA",
    "MIA",
    "COBSP",
    "MOBSPL",
    "MOBSP",
    "MIOBSP",
    "CIP",
    "IFP",
)


def _identifier(check: Any, error_type: str) -> AfterValidator:
    def validate(value: str) -> str:
        try:
            return str(check(value))
        except ValueError as exc:
            raise PydanticCustomError(error_type, str(exc)) from None

    return AfterValidator(validate)


Siren = Annotated[str, _identifier(identifiers.check_siren, "siren")]
Siret = Annotated[str, _identifier(identifiers.check_siret, "siret")]
VatNumber = Annotated[str, _identifier(identifiers.check_vat, "vat_number")]
Rcs = Annotated[str, _identifier(identifiers.check_rcs, "rcs")]
Orias = Annotated[str, _identifier(identifiers.check_orias, "orias")]
Naf = Annotated[str, _identifier(identifiers.check_naf, "naf")]
PostalCode = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9A-Z][0-9A-Z -]{1,9}$")
]
Phone = Annotated[str, StringConstraints(pattern=r"^\+?[0-9 .()-]{6,20}$")]
Website = Annotated[str, StringConstraints(pattern=r"^https?://[^\s]+$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Address(_Strict):
    line1: Text
    line2: Text | None = None
    postal_code: PostalCode
    city: Text
    country: Text = "France"


class Legal(_Strict):
    """The "Informations juridiques" tab."""

    form: Text | None = Field(
        default=None, description="Legal form, such as SAS or SARL"
    )
    share_capital: float | int | None = Field(
        default=None, ge=0, description="In euros"
    )
    siren: Siren | None = None
    siret: Siret | None = None
    rcs: Rcs | None = Field(
        default=None, description="For example 'RCS Paris B 732 829 320'"
    )
    vat_number: VatNumber | None = None
    naf: Naf | None = Field(default=None, description="APE / NAF code, such as 6619B")

    @model_validator(mode="after")
    def _consistent_siren(self) -> Legal:
        if self.siren is None:
            return self
        others = {
            "siret": self.siret[:9] if self.siret else None,
            "rcs": identifiers.rcs_siren(self.rcs) if self.rcs else None,
            "vat_number": identifiers.vat_siren(self.vat_number)
            if self.vat_number
            else None,
        }
        mismatches = [
            (name, embedded)
            for name, embedded in others.items()
            if embedded is not None and embedded != self.siren
        ]
        if not mismatches:
            return self
        names_by_siren: dict[str, list[str]] = {}
        for name, embedded in mismatches:
            names_by_siren.setdefault(embedded, []).append(name)
        found = " and ".join(
            f"{_join(names)} {'contains' if len(names) == 1 else 'contain'} the SIREN "
            f"{embedded}"
            for embedded, names in names_by_siren.items()
        )
        # PydanticCustomError formats the message as a template, so it must not
        # contain braces. SIREN digits and field names never do.
        raise PydanticCustomError(
            "siren_mismatch",
            f"{found}, but siren is {self.siren}",
            {"field": mismatches[0][0]},
        )


def _join(names: list[str]) -> str:
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


class RcPro(_Strict):
    """Professional liability insurance (RC Pro)."""

    insurer: Text
    policy_number: Text | None = None


class RealEstateCard(_Strict):
    """The carte professionnelle for real-estate transactions."""

    number: Text
    issued_by: Text | None = Field(default=None, description="The issuing CCI")


class Intermediation(_Strict):
    """The "Informations d'intermédiation" tab."""

    orias: Orias | None = Field(
        default=None, description="ORIAS registration, 8 digits"
    )
    categories: list[Literal[ORIAS_CATEGORIES]] = Field(default_factory=list)  # type: ignore[valid-type]
    associations: list[Text] = Field(default_factory=list)
    rc_pro: RcPro | None = None
    mediator: Text | None = Field(
        default=None, description="The médiateur de la consommation"
    )
    real_estate_card: RealEstateCard | None = None


class Establishment(_Strict):
    """The "Nom et Coordonnées de l'établissement" page."""

    name: Text = Field(description="Raison sociale")
    contact_email: EmailStr
    address: Address | None = None
    phone: Phone | None = None
    website: Website | None = None
    legal: Legal | None = None
    intermediation: Intermediation | None = None


class Profile(_Strict):
    """A user-rights profile ("Gestion des droits").

    Rights resolve in this order: `base`, then `allow`, then `deny`, then
    `scopes`, then the catalogue's dependency rules.
    """

    label: Text = Field(description="The O2S 'Libellé', unique among profiles")
    validated: bool = Field(default=True, description="'Profil validé'")
    description: Text | None = None
    base: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]*$")] = Field(
        default="none",
        description="'all' (every right, widest scopes), 'none', or another profile id",
    )
    max_tenure_days: int | None = Field(
        default=None,
        ge=1,
        description="Most days since hired_on for users of this profile (max_tenure policy)",
    )
    allow: list[RightPattern] = Field(default_factory=list)
    deny: list[RightPattern] = Field(default_factory=list)
    scopes: dict[
        Annotated[str, StringConstraints(pattern=RIGHT_KEY_PATTERN)], ScopeOption
    ] = Field(default_factory=dict)


class User(_Strict):
    """A user account, and its place in the hierarchy through `manager`."""

    login: Login = Field(description="The identifiant de connexion, unique")
    first_name: Text
    last_name: Text
    email: EmailStr = Field(description="Professional e-mail, unique")
    structure: Text | None = None
    profile: ProfileId
    manager: Login | None = Field(default=None, description="The responsable's login")
    active: bool = True
    hired_on: IsoDate | None = Field(
        default=None, description="Date of hire, YYYY-MM-DD"
    )

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class OrgFile(_Strict):
    """An org file, format version 1."""

    # The document builder validates each part on its own, so this model serves
    # the JSON Schema and the list of top-level keys. Its validation schema is
    # built only if something validates a whole file with it.
    model_config = ConfigDict(
        extra="forbid", strict=True, frozen=True, defer_build=True
    )

    version: Literal[1]
    include: list[str] = Field(
        default_factory=list,
        description="Files to merge, relative to this one: paths or globs such as "
        "agences/*.yaml",
    )
    establishment: Establishment
    structures: list[Text] = Field(default_factory=list)
    rights: list[Right] = Field(
        default_factory=list, description="Rights to add to the shipped catalogue"
    )
    profiles: dict[ProfileId, Profile] = Field(default_factory=dict)
    users: list[User] = Field(default_factory=list)
    checks: list[Check] = Field(
        default_factory=list, description="Assertions that 'o2s-config check' runs"
    )
    policies: PoliciesConfig = Field(
        default_factory=PoliciesConfig, description="Settings of the built-in policies"
    )
