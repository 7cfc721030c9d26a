"""French company and intermediary identifiers, checked with python-stdnum.

Each check returns the identifier in its compact form or raises ValueError with
a message that says what is wrong, which the model turns into a diagnostic.
"""

from __future__ import annotations

import re

from stdnum import luhn
from stdnum.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
)
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret
from stdnum.fr import tva as stdnum_tva

_STDNUM_ERRORS = (InvalidChecksum, InvalidFormat, InvalidLength, InvalidComponent)

ORIAS_PATTERN = re.compile(r"[0-9]{8}")
NAF_PATTERN = re.compile(r"[0-9]{2}\.?[0-9]{2}[A-Z]")
RCS_PATTERN = re.compile(
    r"RCS\s+(?P<city>\S.*?)\s+(?P<letter>[AB])\s+(?P<siren>[0-9 ]{9,11})"
)


def check_siren(value: str) -> str:
    compact = stdnum_siren.compact(value)
    try:
        return str(stdnum_siren.validate(compact))
    except InvalidChecksum:
        raise ValueError(f"SIREN {value} fails its check digit (Luhn key)") from None
    except _STDNUM_ERRORS:
        raise ValueError(f"SIREN {value} must be 9 digits") from None


def check_siret(value: str) -> str:
    compact = stdnum_siret.compact(value)
    try:
        return str(stdnum_siret.validate(compact))
    except InvalidChecksum:
        if len(compact) == 14 and compact.isdigit() and not luhn.is_valid(compact[:9]):
            raise ValueError(f"SIRET {value} starts with an invalid SIREN") from None
        raise ValueError(f"SIRET {value} fails its check digit (Luhn key)") from None
    except _STDNUM_ERRORS:
        raise ValueError(f"SIRET {value} must be 14 digits (SIREN and NIC)") from None


def check_vat(value: str) -> str:
    compact = stdnum_tva.compact(value)
    try:
        return "FR" + str(stdnum_tva.validate(compact))
    except InvalidChecksum:
        raise ValueError(
            f"VAT number {value} fails its check key; the two digits after FR must "
            "match the SIREN"
        ) from None
    except _STDNUM_ERRORS:
        raise ValueError(
            f"VAT number {value} must be FR, a 2-character key and the 9-digit SIREN"
        ) from None


def vat_siren(vat: str) -> str:
    """Return the SIREN inside a French VAT number."""
    return stdnum_tva.compact(vat)[-9:]


def check_rcs(value: str) -> str:
    found = RCS_PATTERN.fullmatch(value.strip())
    if found is None:
        raise ValueError(
            f"RCS '{value}' must read 'RCS <city> <A or B> <SIREN>', for example "
            "'RCS Paris B 732 829 320'"
        )
    check_siren(found["siren"])
    return value.strip()


def rcs_siren(rcs: str) -> str:
    found = RCS_PATTERN.fullmatch(rcs.strip())
    return found["siren"].replace(" ", "") if found else ""


def check_orias(value: str) -> str:
    compact = value.replace(" ", "")
    if not ORIAS_PATTERN.fullmatch(compact):
        raise ValueError(f"ORIAS number {value} must be 8 digits")
    return compact


def check_naf(value: str) -> str:
    if not NAF_PATTERN.fullmatch(value):
        raise ValueError(
            f"NAF code {value} must be 4 digits and a capital letter, such as 6619B"
        )
    return value
