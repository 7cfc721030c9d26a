"""The org files under tests/cases, run as parametrized cases.

Each `invalid/NAME.yaml` sits beside `invalid/NAME.expected`, which lists the
diagnostics that `validate` must print, in output order, one
`LINE:COLUMN: SEVERITY CODE message` per line: the output lines without the
file name and hints. Each `valid/NAME.yaml` must validate with no error, and a
`valid/NAME.expected` beside it lists the warnings it must give.

Lines of an `.expected` file that start with `#` are comments, except
`# limits: max_bytes=200`, which compiles the case with those
`o2s_config.source.Limits` (max_bytes, max_depth, max_alias_nodes). A
diagnostic about the whole file, such as Y006, has no position and shows as
`0:0`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from o2s_config.pipeline import compile_path
from o2s_config.source import DEFAULT_LIMITS, Limits

from .conftest import CASES

INVALID = sorted((CASES / "invalid").glob("*.yaml"))
VALID = sorted((CASES / "valid").glob("*.yaml"))


def _expected(case: Path) -> list[str]:
    expected = case.with_suffix(".expected")
    if not expected.exists():
        return []
    lines = expected.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


def _limits(case: Path) -> Limits:
    """Read the `# limits: name=value ...` line of a case's .expected file."""
    expected = case.with_suffix(".expected")
    if not expected.exists():
        return DEFAULT_LIMITS
    for line in expected.read_text(encoding="utf-8").splitlines():
        if line.startswith("# limits:"):
            settings = line.removeprefix("# limits:").split()
            values = dict(setting.split("=", 1) for setting in settings)
            return Limits(**{name: int(value) for name, value in values.items()})
    return DEFAULT_LIMITS


def _actual(case: Path) -> list[str]:
    result = compile_path(case, display_name=case.name, limits=_limits(case))
    return [_line(case, d) for d in result.diagnostics]


def _line(case: Path, diagnostic) -> str:
    """Format a diagnostic as the .expected files list it; a diagnostic in an
    included file starts with that file's path."""
    location = diagnostic.location
    where = f"{location.line}:{location.column}"
    if location.file != case.name:
        where = f"{location.file}:{where}"
    return (
        f"{where}: {diagnostic.severity.value} {diagnostic.code} {diagnostic.message}"
    )


@pytest.mark.parametrize("case", INVALID, ids=[case.stem for case in INVALID])
def test_invalid_case(case: Path):
    expected = _expected(case)
    assert expected, f"{case.name} needs a {case.stem}.expected file"
    assert _actual(case) == expected
    result = compile_path(case, limits=_limits(case))
    assert result.has_errors or any(line.split()[1] == "warning" for line in expected)


@pytest.mark.parametrize("case", VALID, ids=[case.stem for case in VALID])
def test_valid_case(case: Path):
    result = compile_path(case, display_name=case.name, limits=_limits(case))
    assert not result.has_errors, _actual(case)
    assert result.org is not None
    assert _actual(case) == _expected(case)


def test_every_code_has_a_case():
    covered = set()
    for case in INVALID + VALID:
        for line in _expected(case):
            covered.add(line.split()[2])
    from .test_docs import documented_codes

    missing = documented_codes() - covered
    assert not missing, f"codes without a case under tests/cases: {sorted(missing)}"
