"""Field types shared by the org file's models and the check models."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from pydantic import BeforeValidator, StringConstraints
from pydantic_core import PydanticCustomError

# The form of a profile id, as ProfileId below checks it.
PROFILE_ID = re.compile(r"[a-z][a-z0-9_-]{0,63}")

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
ProfileId = Annotated[
    str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]*$", max_length=64)
]
Login = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._@-]*$", max_length=128)
]
RightPattern = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_.*?\[\]!-]+$")]


def _iso_date(value: object) -> object:
    # YAML 1.2 has no date type, so dates arrive as text and are read here,
    # in strict mode, only from the ISO form.
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise PydanticCustomError("date_type", "a date must be text such as 2024-09-01")
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise PydanticCustomError(
            "date_format", f"'{value}' is not a date in the form YYYY-MM-DD"
        ) from None


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
