"""Reading the checks listed in a file, each validated on its own."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from ..diagnostics import Diagnostic, Location, error
from ..pydantic_errors import describe_errors
from ..source import PathKey, SourceFile
from .model import CHECK_KINDS, Check, check_model


@dataclass(frozen=True)
class LocatedCheck:
    check: Check
    location: Location
    label: str


def collect_checks(
    source: SourceFile, path: tuple[str, ...] = ("checks",)
) -> tuple[list[LocatedCheck], list[Diagnostic]]:
    """Validate the checks listed at `path` in a file, each on its own."""
    node: Any = source.data
    for step in path:
        node = node.get(step) if isinstance(node, dict) else None
    if node is None:
        return [], []
    if not isinstance(node, list):
        location = source.locate(path)
        return [], [
            error(
                "M003",
                f"{'.'.join(path)} must be a list of checks",
                location,
                path=".".join(path),
            )
        ]

    checks: list[LocatedCheck] = []
    problems: list[Diagnostic] = []
    for index, item in enumerate(node):
        item_path: tuple[PathKey, ...] = (*path, index)
        location = source.locate(item_path)
        model = check_model(item)
        if model is None:
            problems.append(
                error(
                    "M009",
                    f"{'.'.join(path)}[{index}] is not a known kind of check",
                    location,
                    path=f"{'.'.join(path)}[{index}]",
                    hint=f"a check has {CHECK_KINDS}",
                )
            )
            continue
        try:
            check = model.model_validate(item, strict=True)
        except ValidationError as exc:
            problems.extend(describe_errors(source, item_path, exc.errors(), model))
            continue
        label = getattr(check, "name", None) or _default_label(check, index)
        checks.append(LocatedCheck(check, location, label))  # type: ignore[arg-type]
    return checks, problems


def _default_label(check: Any, index: int) -> str:
    for attribute in ("profile", "user", "right"):
        value = getattr(check, attribute, None)
        if value:
            return f"checks[{index}] on {attribute} {value}"
    return f"checks[{index}]"
