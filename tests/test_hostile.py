"""Hostile inputs through the real command line, under a time and memory bound.

Every case runs `o2s-config` in a subprocess with a timeout and an address
space limit (RLIMIT_AS), so a regression that hangs or exhausts memory fails
the test instead of stalling the run. Three groups:

- The small files under tests/cases/hostile. Each sits beside a `.expected`
  file in the format of tests/cases (see test_cases.py), which has no error
  lines for a file that must validate.
- Large files that the tests generate into a temporary folder. They include a
  10 MiB scalar, nesting 10,000 levels deep, 100,000 aliases, billion laughs,
  100,000 foreign tags, keys and merge keys, and long lines. Others put an
  error after 8 MiB of valid text, or chain 10,000 profiles or managers.
- File-system objects that are not org files: a folder, a FIFO, an
  unreadable file, broken and looping symbolic links.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from .conftest import CASES

HOSTILE = sorted((CASES / "hostile").glob("*.yaml"))

# Bounds for one run of the command line. On a 2-core machine the heaviest
# cases take about 2 s and 350 MiB (100,000 foreign tags, 100,000 diagnostics),
# so these leave room for a slower machine and still catch a hang or a blow-up.
TIMEOUT_SECONDS = 60
MEMORY_LIMIT_BYTES = 1024**3

MIB = 1024 * 1024

HEADER = (
    "version: 1\n"
    "establishment: {name: Cabinet Exemple, contact_email: contact@exemple.fr}\n"
)
ADMIN = (
    "  - {login: admin, first_name: Anne, last_name: Martin, "
    "email: anne@exemple.fr, profile: administrator}\n"
)
VALID_ORG = HEADER + "users:\n" + ADMIN


def cli_command() -> list[str]:
    """Return the command that runs the installed `o2s-config` entry point."""
    script = Path(sys.executable).with_name("o2s-config")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "o2s_config"]


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))


def run_bounded(
    *args: str | Path,
    cwd: Path | None = None,
    preexec: Callable[[], None] = _limit_memory,
) -> subprocess.CompletedProcess[str]:
    """Run the command line with the time and memory bounds of this module."""
    return subprocess.run(
        [*cli_command(), *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        preexec_fn=preexec,
        env={**os.environ, "NO_COLOR": "1"},
        check=False,
    )


def diagnostic_lines(payload: dict[str, object]) -> list[str]:
    """Return `validate --format json` diagnostics as `LINE:COLUMN: SEVERITY CODE message`."""
    diagnostics = payload["diagnostics"]
    assert isinstance(diagnostics, list)
    return [
        f"{d['line']}:{d['column']}: {d['severity']} {d['code']} {d['message']}"
        for d in diagnostics
    ]


def validate_json(path: Path, *options: str) -> tuple[int, dict[str, object]]:
    completed = run_bounded("validate", "--format", "json", *options, path)
    assert "Traceback" not in completed.stderr
    assert completed.returncode in (0, 1), completed.stderr
    return completed.returncode, json.loads(completed.stdout)


# The committed corpus


def _expected_lines(case: Path) -> list[str]:
    text = case.with_suffix(".expected").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line and not line.startswith("#")]


@pytest.mark.parametrize("case", HOSTILE, ids=[case.stem for case in HOSTILE])
def test_hostile_case(case: Path):
    assert case.with_suffix(".expected").exists(), f"{case.stem}.expected is missing"
    expected = _expected_lines(case)

    code, payload = validate_json(case)

    assert diagnostic_lines(payload) == expected
    assert code == (1 if any(" error " in line for line in expected) else 0)


def test_hostile_corpus_names_its_outcome():
    for case in HOSTILE:
        errors = [line for line in _expected_lines(case) if " error " in line]
        if case.stem.startswith("valid_"):
            assert errors == [], case.name
        else:
            code = case.stem.split("_", 1)[0].upper()
            assert errors, case.name
            assert errors[0].split()[2] == code, case.name


# Generated large files


def _deep(levels: int, opening: str, closing: str, inner: str = "") -> str:
    return opening * levels + inner + closing * levels


def _laughs(levels: int, width: int) -> str:
    """Return a 'billion laughs': each level lists `width` aliases of the one before."""
    lines = ["a0: &a0 [" + ", ".join(["lol"] * width) + "]"]
    for level in range(1, levels):
        aliases = ", ".join([f"*a{level - 1}"] * width)
        lines.append(f"a{level}: &a{level} [{aliases}]")
    return "\n".join(lines) + "\n"


def _padding(size: int) -> str:
    """Return comment lines of about `size` bytes, 100 bytes a line."""
    line = "# " + "p" * 97 + "\n"
    return line * (size // len(line))


def _profile_chain(count: int) -> str:
    """Return profiles p00000 to pNNNNN, each built on the next, the last on all.

    Profiles resolve in id order, so p00000 comes first and needs the whole
    chain below it resolved before it.
    """
    lines = ["profiles:"]
    for index in range(count):
        base = "all" if index == count - 1 else f"p{index + 1:05d}"
        lines.append(f"  p{index:05d}: {{label: P{index}, base: {base}}}")
    return "\n".join(lines) + "\n"


def _user(
    login: str, manager: str | None = None, profile: str = "administrator"
) -> str:
    managed = f", manager: {manager}" if manager else ""
    return (
        f"  - {{login: {login}, first_name: F, last_name: L, "
        f"email: {login}@exemple.fr, profile: {profile}{managed}}}\n"
    )


def _manager_chain(count: int, cycle: bool = False) -> str:
    """Return users u0 to uN, each managed by the one before.

    u0 is managed by admin, or by the last user when `cycle` is true.
    """
    lines = [ADMIN]
    for index in range(count):
        if index == 0:
            manager = f"u{count - 1}" if cycle else "admin"
        else:
            manager = f"u{index - 1}"
        lines.append(_user(f"u{index}", manager))
    return "users:\n" + "".join(lines)


@dataclass(frozen=True)
class Generated:
    """A generated file, the options to validate it with, and what must come out.

    `first` is the start of the first diagnostic line and `errors` the error
    count. A case with `errors == 0` must validate with exit code 0.
    """

    name: str
    build: Callable[[], str | bytes]
    errors: int
    first: str = ""
    options: tuple[str, ...] = ()


GENERATED = [
    Generated(
        "scalar_10_mib",
        lambda: VALID_ORG.replace("Cabinet Exemple", "C" * (10 * MIB)),
        0,
    ),
    Generated(
        "comment_line_10_mib",
        lambda: VALID_ORG + "# " + "c" * (10 * MIB) + "\n",
        0,
    ),
    Generated(
        "flow_list_200000_items_on_one_line",
        lambda: (
            HEADER
            + "structures: ["
            + ", ".join(f"s{i}" for i in range(200_000))
            + "]\nusers:\n"
            + ADMIN.replace("}", ", structure: s0}")
        ),
        0,
    ),
    Generated(
        "crlf_5000_users",
        lambda: (VALID_ORG + "".join(_user(f"u{i}") for i in range(5000))).replace(
            "\n", "\r\n"
        ),
        0,
    ),
    Generated(
        "nesting_10000_flow_lists",
        lambda: VALID_ORG + "deep: " + _deep(10_000, "[", "]") + "\n",
        1,
        "5:70: error Y005 nesting is deeper than 64 levels",
    ),
    Generated(
        "nesting_10000_flow_mappings",
        lambda: VALID_ORG + "deep: " + _deep(10_000, "{a: ", "}", "b") + "\n",
        1,
        "5:259: error Y005 nesting is deeper than 64 levels",
    ),
    Generated(
        "nesting_10000_block_lists",
        lambda: VALID_ORG + "deep:\n" + "- " * 10_000 + "x\n",
        1,
        "6:127: error Y005 nesting is deeper than 64 levels",
    ),
    Generated(
        "nesting_10000_with_max_depth_raised",
        lambda: VALID_ORG + "deep: " + _deep(10_000, "[", "]") + "\n",
        1,
        "5:1: error M001 unknown field 'deep' in the top level",
        ("--max-depth", "20000"),
    ),
    Generated(
        "aliases_100001",
        lambda: VALID_ORG + "values: [&v x, " + ", ".join(["*v"] * 100_001) + "]\n",
        1,
        "5:400016: error Y004 aliases expand to more than 100,000 values; the "
        "file may be a 'billion laughs' attack",
    ),
    Generated(
        "aliases_100000_in_allow_with_limit_raised",
        lambda: (
            HEADER
            + "profiles:\n  p: {label: P, allow: [&k contacts.edit, "
            + ", ".join(["*k"] * 100_000)
            + "]}\nusers:\n"
            + ADMIN
        ),
        0,
        options=("--max-alias-nodes", "100000"),
    ),
    Generated(
        "billion_laughs_10_levels_of_10",
        lambda: VALID_ORG + _laughs(10, 10),
        1,
        "9:45: error Y004 aliases expand to more than 100,000 values; the "
        "file may be a 'billion laughs' attack",
    ),
    Generated(
        # Aliases share the value they stand for and are never copied, so
        # 10^10 expanded values cost no memory, and the validator reports the
        # ten lists in structures without walking into them.
        "billion_laughs_with_limit_raised",
        lambda: (
            "version: 1\n"
            + _laughs(10, 10)
            + HEADER.removeprefix("version: 1\n")
            + "structures: *a9\nusers:\n"
            + ADMIN
        ),
        20,
        "2:1: error M001 unknown field 'a0' in the top level",
        ("--max-alias-nodes", str(10**12)),
    ),
    Generated(
        "foreign_tags_100000",
        lambda: VALID_ORG + "values: [" + ", ".join(["!x v"] * 100_000) + "]\n",
        100_000,
        "5:10: error Y003 tag !x is not allowed; o2s-config reads plain YAML data "
        "and never builds objects from tags",
    ),
    Generated(
        "python_tags_100000",
        lambda: (
            VALID_ORG
            + "values: ["
            + ", ".join(["!!python/object/apply:os.system [x]"] * 100_000)
            + "]\n"
        ),
        100_000,
        "5:10: error Y003 tag !!python/object/apply:os.system is not allowed; "
        "o2s-config reads plain YAML data and never builds objects from tags",
    ),
    Generated(
        "non_text_keys_100000",
        lambda: (
            VALID_ORG
            + "values: {"
            + ", ".join(f"{i}: x" for i in range(100_000))
            + "}\n"
        ),
        100_000,
        "5:10: error Y010 mapping key is the number 0 in YAML; keys must be text",
    ),
    Generated(
        "merge_keys_20000",
        lambda: (
            VALID_ORG
            + "base: &b {k: v}\nvalues: ["
            + ", ".join(["{<<: *b}"] * 20_000)
            + "]\n"
        ),
        20_000,
        "6:11: error Y011 merge keys ('<<') are not supported",
    ),
    Generated(
        "syntax_error_after_8_mib",
        lambda: VALID_ORG + _padding(8 * MIB) + 'structures: ["Paris\n',
        1,
        "83892:1: error Y001 YAML syntax error: found unexpected end of stream "
        "(while scanning a quoted scalar that opens at line 83891, column 14)",
    ),
    Generated(
        "latin1_byte_after_8_mib",
        lambda: (VALID_ORG + _padding(8 * MIB)).encode() + b"# caf\xe9\n",
        1,
        "83891:6: error Y007 invalid UTF-8 byte 0xe9; the file looks like Latin-1 "
        "or Windows-1252",
    ),
    Generated(
        "nul_byte_after_8_mib",
        lambda: (VALID_ORG + _padding(8 * MIB)).encode() + b"# \x00\n",
        1,
        "83891:3: error Y007 NUL character in the file; it is binary or not UTF-8 text",
    ),
    Generated(
        "utf16_8_mib",
        lambda: (VALID_ORG + _padding(8 * MIB)).encode("utf-16"),
        1,
        "1:1: error Y007 file is encoded as UTF-16; o2s-config reads UTF-8",
    ),
    Generated(
        # Resolved with recursion, a chain of about 1,000 bases overflowed
        # the Python stack, and every profile copied the steps of its base.
        "profile_base_chain_10000",
        lambda: HEADER + _profile_chain(10_000) + "users:\n" + ADMIN,
        0,
    ),
    Generated(
        "profile_base_cycle_10000",
        lambda: (
            HEADER
            + _profile_chain(10_000).replace("base: all", "base: p00000")
            + "users:\n"
            + ADMIN
        ),
        1,
        "4:29: error R009 profile bases form a cycle: p00000 -> p00001 -> "
        "p00002 -> p00003",
    ),
    Generated(
        "manager_chain_10000",
        lambda: HEADER + _manager_chain(10_000),
        0,
    ),
    Generated(
        "manager_cycle_10000",
        lambda: HEADER + _manager_chain(10_000, cycle=True),
        1,
        "5:101: error R008 the manager hierarchy has a cycle: u0 -> u9999 -> "
        "u9998 -> u9997",
    ),
]


@pytest.mark.parametrize("case", GENERATED, ids=[case.name for case in GENERATED])
def test_generated_case(case: Generated, tmp_path: Path):
    content = case.build()
    path = tmp_path / f"{case.name}.yaml"
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8", newline="")
    else:
        path.write_bytes(content)

    code, payload = validate_json(path, *case.options)

    assert payload["errors"] == case.errors
    assert code == (1 if case.errors else 0)
    lines = diagnostic_lines(payload)
    if case.first:
        assert lines, "no diagnostic"
        assert lines[0].startswith(case.first)
    else:
        assert [line for line in lines if " error " in line] == []


def test_sparse_file_of_1_tib_is_rejected_unread(tmp_path: Path):
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:
        handle.truncate(1024**4)

    code, payload = validate_json(path)

    assert code == 1
    assert diagnostic_lines(payload) == [
        "0:0: error Y006 file is 1,099,511,627,776 bytes, over the limit of "
        "67,108,864 bytes"
    ]


@pytest.mark.parametrize(
    "command",
    [
        ("report", "--format", "xlsx", "-o", "report.xlsx"),
        ("report", "--format", "markdown", "-o", "report.md"),
        ("check",),
        ("who-can", "{org}", "agenda.view"),
    ],
    ids=["report-xlsx", "report-markdown", "check", "who-can"],
)
def test_long_chains_in_every_output(command: tuple[str, ...], tmp_path: Path):
    """A chain of 5,000 profiles and one of 3,000 managers stays within bounds.

    Before the fixes these inputs crashed or blew up. Profiles resolved by
    recursion overflowed the stack, and each profile copied its base's steps.
    `check` explained each failure with every step of the chain (an estimated
    6 GiB here). The Excel indent of a user 256 levels down raised inside
    openpyxl. The Markdown hierarchy grew with the square of the chain: over
    9 MiB of indentation here, against 1.5 MiB for the whole report now.
    """
    org = tmp_path / "org.yaml"
    users = [
        _user(f"u{index}", f"u{index - 1}" if index else "admin", "p00000")
        for index in range(3_000)
    ]
    org.write_text(
        HEADER + _profile_chain(5_000) + "users:\n" + ADMIN + "".join(users),
        encoding="utf-8",
    )
    arguments = [part.format(org=org) for part in command]
    if "{org}" not in command:
        arguments.insert(1, str(org))

    completed = run_bounded(*arguments, cwd=tmp_path)

    assert "Traceback" not in completed.stderr
    assert completed.returncode in (0, 1), completed.stderr
    if command[0] == "report":
        assert completed.returncode == 0, completed.stderr
    if command[-1] == "report.md":
        assert (tmp_path / "report.md").stat().st_size < 4 * MIB


# File-system objects


def _expect_usage_error(path: Path, message: str, **kwargs: object) -> None:
    completed = run_bounded("validate", path, **kwargs)  # type: ignore[arg-type]
    assert completed.returncode == 2, completed.stderr
    assert completed.stdout == ""
    assert completed.stderr == f"error: {path}: {message}\n"


def test_folder_is_usage_error(tmp_path: Path):
    _expect_usage_error(tmp_path, "is a folder, not an org file")


def test_link_to_folder_is_usage_error(tmp_path: Path):
    link = tmp_path / "org.yaml"
    link.symlink_to(tmp_path, target_is_directory=True)
    _expect_usage_error(link, "is a folder, not an org file")


def test_fifo_is_usage_error_without_blocking(tmp_path: Path):
    fifo = tmp_path / "org.yaml"
    os.mkfifo(fifo)
    # Opening a FIFO with no writer blocks; the timeout turns that into a failure.
    _expect_usage_error(fifo, "is not a regular file (a FIFO, socket or device)")


def test_broken_link_is_not_found(tmp_path: Path):
    link = tmp_path / "org.yaml"
    link.symlink_to(tmp_path / "absent.yaml")
    _expect_usage_error(link, "file not found")


def test_link_loop_is_usage_error(tmp_path: Path):
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.symlink_to(second)
    second.symlink_to(first)
    _expect_usage_error(
        first, "cannot read the file: Too many levels of symbolic links"
    )


def test_path_through_a_file_is_usage_error(tmp_path: Path):
    (tmp_path / "org.yaml").write_text(VALID_ORG, encoding="utf-8")
    _expect_usage_error(
        tmp_path / "org.yaml" / "org.yaml", "cannot read the file: Not a directory"
    )


# Linux capabilities that let root read and search files whatever their mode
# (linux/capability.h), and the prctl operation that drops one from the
# bounding set (linux/prctl.h). Once dropped there, exec cannot give it back.
CAP_DAC_OVERRIDE = 1
CAP_DAC_READ_SEARCH = 2
PR_CAPBSET_DROP = 24


def _without_root_file_access() -> None:
    _limit_memory()
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def test_unreadable_file_is_usage_error(tmp_path: Path):
    """A file with mode 000 cannot be opened.

    root reads a file whatever its mode, so as root the command runs without
    the two capabilities that allow it. For validate, click checks that the
    path is readable before the command runs.
    """
    path = tmp_path / "org.yaml"
    path.write_text(VALID_ORG, encoding="utf-8")
    path.chmod(0o000)
    preexec: Callable[[], None] = _limit_memory
    if os.geteuid() == 0:
        preexec = _without_root_file_access
        try:
            probe = run_bounded("--version", preexec=preexec)
        except subprocess.SubprocessError as exc:
            pytest.skip(f"running as root, and dropping CAP_DAC_OVERRIDE failed: {exc}")
        assert probe.returncode == 0, probe.stderr

    validated = run_bounded("validate", path, preexec=preexec)
    # diff takes REV:PATH as well as paths, so o2s-config opens the file itself.
    compared = run_bounded("diff", path, path, preexec=preexec)

    assert validated.returncode == 2, validated.stderr
    assert validated.stdout == ""
    assert (
        f"Error: Invalid value for 'ORG...': Path '{path}' is not readable."
        in validated.stderr
    )
    assert compared.returncode == 2, compared.stderr
    assert (
        compared.stderr == f"error: {path}: cannot read the file: Permission denied\n"
    )


@pytest.mark.parametrize(
    "command",
    [
        ("report", "{org}"),
        ("report", "{org}", "--format", "html", "-o", "{out}"),
        ("diff", "{org}", "{org}"),
        ("explain", "{org}", "admin", "agenda.view"),
        ("who-can", "{org}", "agenda.view"),
        ("check", "{org}"),
    ],
    ids=["report", "report-html", "diff", "explain", "who-can", "check"],
)
def test_fifo_in_every_command(command: tuple[str, ...], tmp_path: Path):
    fifo = tmp_path / "org.yaml"
    os.mkfifo(fifo)
    output = tmp_path / "report.html"
    arguments = [part.format(org=fifo, out=output) for part in command]

    completed = run_bounded(*arguments)

    assert completed.returncode == 2, completed.stderr
    assert "is not a regular file (a FIFO, socket or device)" in completed.stderr
    assert not output.exists()


# Limits


# Three levels deep (the top mapping, users, one user) with two aliases.
LIMITS_ORG = """\
version: 1
establishment: {name: Cabinet Exemple, contact_email: contact@exemple.fr}
structures: [&paris Paris]
users:
  - {login: admin, first_name: Anne, last_name: Martin, email: anne@exemple.fr, structure: *paris, profile: administrator}
  - {login: bob, first_name: Bob, last_name: Morel, email: bob@exemple.fr, structure: *paris, profile: administrator, manager: admin}
"""
LIMITS_ORG_DEPTH = 3
LIMITS_ORG_ALIAS_NODES = 2

LIMIT_COMMANDS = {
    "validate": ("validate", "{org}"),
    "report": ("report", "{org}", "--format", "json"),
    "diff": ("diff", "{org}", "{org}"),
    "check": ("check", "{org}"),
}


@pytest.fixture
def limits_org(tmp_path: Path) -> Path:
    path = tmp_path / "org.yaml"
    path.write_text(LIMITS_ORG, encoding="utf-8")
    return path


def _limit_cases() -> list[tuple[str, int, str]]:
    """Return (option, value at the limit, code when one below) for LIMITS_ORG."""
    size = len(LIMITS_ORG.encode("utf-8"))
    return [
        ("--max-bytes", size, "Y006"),
        ("--max-depth", LIMITS_ORG_DEPTH, "Y005"),
        ("--max-alias-nodes", LIMITS_ORG_ALIAS_NODES, "Y004"),
    ]


@pytest.mark.parametrize("command", sorted(LIMIT_COMMANDS))
@pytest.mark.parametrize(
    ("option", "at_limit", "code"),
    _limit_cases(),
    ids=[case[0].removeprefix("--") for case in _limit_cases()],
)
def test_limit_is_settable(
    run_cli, limits_org: Path, command: str, option: str, at_limit: int, code: str
):
    arguments = [part.format(org=limits_org) for part in LIMIT_COMMANDS[command]]

    below = run_cli(*arguments, option, str(at_limit - 1))
    at = run_cli(*arguments, option, str(at_limit))

    assert below.code == 1
    assert f" error {code} " in below.out + below.err
    assert at.code == 0, at.out + at.err
