"""Robustness: damaged orgs through every command, the diff's symmetry,
stable bytes, and writes that an interruption cannot leave half done.

The valid orgs come from tests/strategies.py. The damaged ones are valid orgs
with one mutation: a key deleted, a value of another type, two values
swapped, a duplicate user, a cycle of managers or bases, or random bytes in
the YAML text. Every command must end with exit code 0 (success), 1
(findings) or 2 (usage error), never 3 (internal error), and never print a
traceback.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, assume, event, given, settings
from hypothesis import strategies as st

from o2s_config import cli
from o2s_config.catalogue import scope_rank
from o2s_config.compiled import CompiledOrg
from o2s_config.diff import OrgDiff, diff_orgs
from o2s_config.model import BUILTIN_ADMINISTRATOR
from o2s_config.pipeline import compile_bytes

from .conftest import EXAMPLE
from .strategies import (
    Org,
    boolean_matches,
    catalogue_of,
    orgs,
    right_patterns,
    to_yaml,
)

FILE_NAME = "org.yaml"
COMMAND_SETTINGS = settings(max_examples=200, deadline=None)
PROPERTY_SETTINGS = settings(max_examples=100, deadline=None)

DataPath = tuple[str | int, ...]


def _paths(value: Any, prefix: DataPath = ()) -> Iterator[DataPath]:
    """Yield the path of every value inside `value`, containers first."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*prefix, key)
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield (*prefix, index)
            yield from _paths(item, (*prefix, index))


def _parent(org: Org, path: DataPath) -> Any:
    node: Any = org
    for step in path[:-1]:
        node = node[step]
    return node


def _get(org: Org, path: DataPath) -> Any:
    return _parent(org, path)[path[-1]]


def _set(org: Org, path: DataPath, value: Any) -> None:
    _parent(org, path)[path[-1]] = value


OTHER_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(),
    st.text(max_size=20),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


def _dump(org: Org) -> bytes:
    """Write a possibly damaged org as YAML: to_yaml's layout while profiles is
    a mapping and users a list, else one JSON value per top-level key."""
    if isinstance(org.get("profiles", {}), dict) and isinstance(
        org.get("users", []), list
    ):
        return to_yaml(org)
    lines = [f"{json.dumps(key)}: {json.dumps(value)}\n" for key, value in org.items()]
    return "".join(lines).encode("utf-8")


@st.composite
def mutated_orgs(draw: st.DrawFn) -> tuple[str, Org, bytes]:
    """Draw a valid org, and the YAML text of a copy damaged by one mutation.

    A text value replaced by any text, control characters included, often
    leaves the org valid, so the reports render it.

    Returns a description of the mutation, the valid org and the damaged text.
    """
    org = draw(orgs())
    damaged = copy.deepcopy(org)
    paths = list(_paths(damaged))
    texts = [path for path in paths if isinstance(_get(damaged, path), str)]
    kinds = ["text", "bytes", "retype", "delete", "swap", "duplicate_user"]
    kinds.append("manager_cycle")
    if damaged.get("profiles"):
        kinds.append("base_cycle")
    kind = draw(st.sampled_from(kinds))

    if kind == "delete":
        path = draw(st.sampled_from(paths))
        del _parent(damaged, path)[path[-1]]
        return f"delete {path}", org, _dump(damaged)
    if kind == "retype":
        path = draw(st.sampled_from(paths))
        value = draw(OTHER_VALUES)
        _set(damaged, path, value)
        return f"set {path} = {value!r}", org, _dump(damaged)
    if kind == "text":
        path = draw(st.sampled_from(texts))
        value = draw(st.text(max_size=30))
        _set(damaged, path, value)
        return f"set {path} = {value!r}", org, _dump(damaged)
    if kind == "swap":
        first = draw(st.sampled_from(paths))
        second = draw(st.sampled_from(paths))
        # Swapping a value with one inside it would build a loop.
        assume(first[: len(second)] != second and second[: len(first)] != first)
        first_value, second_value = _get(damaged, first), _get(damaged, second)
        _set(damaged, first, second_value)
        _set(damaged, second, first_value)
        return f"swap {first} and {second}", org, _dump(damaged)
    if kind == "duplicate_user":
        user = draw(st.sampled_from(damaged["users"]))
        damaged["users"].append(copy.deepcopy(user))
        return f"duplicate user {user['login']}", org, _dump(damaged)
    if kind == "manager_cycle":
        users = damaged["users"]
        members = draw(st.lists(st.sampled_from(users), min_size=1, max_size=3))
        for user, manager in zip(members, [*members[1:], members[0]], strict=True):
            user["manager"] = manager["login"]
        logins = [user["login"] for user in members]
        return f"manager cycle {logins}", org, _dump(damaged)
    if kind == "base_cycle":
        profiles = damaged["profiles"]
        members = draw(
            st.lists(st.sampled_from(sorted(profiles)), min_size=1, max_size=3)
        )
        for member, base in zip(members, [*members[1:], members[0]], strict=True):
            profiles[member]["base"] = base
        return f"base cycle {members}", org, _dump(damaged)

    text = bytearray(_dump(damaged))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        position = draw(st.integers(min_value=0, max_value=len(text)))
        noise = draw(st.binary(min_size=1, max_size=8))
        if draw(st.booleans()):
            text[position:position] = noise
        else:
            text[position : position + len(noise)] = noise
    return "random bytes", org, bytes(text)


def run_command(*args: str | Path) -> tuple[int, str, str]:
    """Run the command line in this process and return its exit code and output."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main([str(arg) for arg in args])
    return code, out.getvalue(), err.getvalue()


def _commands(
    org: Path, base: Path, login: str, folder: Path
) -> list[list[str | Path]]:
    commands: list[list[str | Path]] = [
        ["validate", org],
        ["validate", org, "--format", "json"],
        ["diff", base, org, "--format", "json"],
        ["diff", org, base, "--fail-on", "widen"],
        ["explain", org, login, "agenda.view"],
        ["who-can", org, "contacts.edit"],
        ["check", org, "--today", "2025-01-01", "--junit", folder / "junit.xml"],
    ]
    for output_format in ("markdown", "json", "html", "xlsx", "csv"):
        output = folder / f"report.{output_format}"
        commands.append(["report", org, "--format", output_format, "-o", output])
    return commands


@COMMAND_SETTINGS
@given(mutated_orgs())
def test_damaged_org_never_crashes_a_command(mutation: tuple[str, Org, bytes]):
    """Run every command on the damaged org, and on the valid one it came from,
    since most mutations make the org invalid and reports render only valid orgs."""
    description, valid, damaged = mutation
    login = valid["users"][0]["login"]

    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        damaged_path, valid_path = folder / "damaged.yaml", folder / "valid.yaml"
        damaged_path.write_bytes(damaged)
        valid_path.write_bytes(to_yaml(valid))
        for org, other in ((damaged_path, valid_path), (valid_path, damaged_path)):
            for command in _commands(org, other, login, folder):
                code, out, err = run_command(*command)
                event(f"{command[0]} {org.stem} exit {code}")
                command_line = " ".join(map(str, [command[0], org.name, *command[2:]]))
                assert code in (0, 1, 2), (
                    f"{description}: {command_line} exited {code}: {err}"
                )
                assert "Traceback" not in out + err, f"{description}: {command_line}"


# Deny


@st.composite
def orgs_with_more_deny(draw: st.DrawFn) -> tuple[str, Org, Org]:
    """Draw an org and a copy with one more entry in one profile's deny.

    Exact keys in allow that the new entry switches off are dropped, since
    allowing and denying a key exactly is error R010. Dropping them can only
    take rights away too.
    """
    org = draw(orgs(min_profiles=1))
    catalogue = catalogue_of(org)
    denied = copy.deepcopy(org)
    profile_id = draw(st.sampled_from(sorted(denied["profiles"])))
    body = denied["profiles"][profile_id]
    pattern = draw(right_patterns(catalogue))

    switched_off = boolean_matches(pattern, catalogue)
    body["allow"] = [
        entry
        for entry in body.get("allow", [])
        if not (entry in switched_off and not any(c in entry for c in "*?["))
    ]
    body["deny"] = [*body.get("deny", []), pattern]
    return f"profiles.{profile_id}.deny += {pattern}", org, denied


def _compile(org: Org) -> CompiledOrg:
    result = compile_bytes(to_yaml(org), FILE_NAME)
    errors = [f"{d.code} {d.message}" for d in result.diagnostics if d.is_error]
    assert errors == []
    assert result.org is not None
    return result.org


@PROPERTY_SETTINGS
@given(orgs_with_more_deny())
def test_deny_never_widens(change: tuple[str, Org, Org]):
    description, org, denied = change
    before, after = _compile(org), _compile(denied)

    for login in before.users:
        for key in before.catalogue.boolean_keys:
            if after.value_of(login, key) is True:
                assert before.value_of(login, key) is True, (
                    f"{description}: {login} {key}"
                )
        for key in before.catalogue.scope_keys:
            old, new = before.value_of(login, key), after.value_of(login, key)
            assert isinstance(old, str)
            assert isinstance(new, str)
            assert scope_rank(new) <= scope_rank(old), f"{description}: {login} {key}"
            seen_after = set(after.visibility(login, key).logins())
            seen_before = set(before.visibility(login, key).logins())
            assert seen_after <= seen_before, f"{description}: {login} {key}"
    assert diff_orgs(before, after).count("widen") == 0, description


# Diff symmetry


@st.composite
def edited_orgs(draw: st.DrawFn) -> tuple[list[str], Org, Org]:
    """Draw an org and a copy with one to four edits that may widen or narrow.

    The edits: a user's active flag, profile or manager, a scope option, an
    entry added to allow or deny, a user removed or added. The copy may be
    invalid, and the test skips such draws.
    """
    org = draw(orgs())
    edited = copy.deepcopy(org)
    profiles: dict[str, Any] = edited.get("profiles") or {}
    catalogue = catalogue_of(org)
    edits = []
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        users = edited["users"]
        user = draw(st.sampled_from(users))
        kinds = ["active", "profile", "manager", "remove", "add"]
        if profiles:
            kinds += ["scope", "allow", "deny"]
        kind = draw(st.sampled_from(kinds))
        if kind == "active":
            user["active"] = not user.get("active", True)
        elif kind == "profile":
            user["profile"] = draw(st.sampled_from([BUILTIN_ADMINISTRATOR, *profiles]))
        elif kind == "manager":
            # A user with no manager is a root, and a root is never below
            # another user, so making it the manager cannot close a cycle.
            roots = [
                u["login"] for u in users if not u.get("manager") and u is not user
            ]
            user["manager"] = draw(st.sampled_from([None, *roots]))
        elif kind == "remove":
            managers = {u.get("manager") for u in users}
            leaves = [u for u in users if u["login"] not in managers]
            if len(leaves) > 1:
                users.remove(draw(st.sampled_from(leaves)))
        elif kind == "add":
            logins = {u["login"] for u in users}
            new = {
                "login": f"new-{len(users)}",
                "first_name": "Nouveau",
                "last_name": "Venu",
                "email": f"new{len(users)}@autre.fr",
                "profile": draw(st.sampled_from([BUILTIN_ADMINISTRATOR, *profiles])),
                "manager": draw(st.sampled_from([None, *sorted(logins)])),
            }
            if edited.get("structures"):
                new["structure"] = edited["structures"][0]
            users.append(new)
        else:
            body = profiles[draw(st.sampled_from(sorted(profiles)))]
            if kind == "scope":
                key = draw(st.sampled_from(catalogue.scope_keys))
                option = draw(st.sampled_from(catalogue[key].options or ()))
                body.setdefault("scopes", {})[key] = option
            else:
                body[kind] = [*body.get(kind, []), draw(right_patterns(catalogue))]
        edits.append(kind)
    return edits, org, edited


def _classified(diff: OrgDiff, classification: str) -> set[tuple[str, str, str]]:
    return {
        (change.category, change.subject, change.key)
        for change in diff.changes
        if change.classification == classification
    }


@PROPERTY_SETTINGS
@given(orgs())
def test_diff_of_org_with_itself_is_empty(org: Org):
    compiled = _compile(org)
    again = _compile(org)

    assert diff_orgs(compiled, compiled).changes == []
    assert diff_orgs(compiled, again).changes == []


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.filter_too_much],
)
@given(edited_orgs())
def test_diff_widens_where_reverse_narrows(change: tuple[list[str], Org, Org]):
    edits, org, edited = change
    result = compile_bytes(to_yaml(edited), FILE_NAME)
    assume(result.org is not None)
    before, after = _compile(org), result.org

    forward, backward = diff_orgs(before, after), diff_orgs(after, before)

    assert _classified(forward, "widen") == _classified(backward, "narrow"), edits
    assert _classified(forward, "narrow") == _classified(backward, "widen"), edits
    assert _classified(forward, "neutral") == _classified(backward, "neutral"), edits


# Stable bytes

STABLE_SCRIPT = """\
import sys
from o2s_config.cli import main

org, folder = sys.argv[1], sys.argv[2]
for output_format in ("markdown", "json", "html", "xlsx", "csv"):
    main(["report", org, "--format", output_format, "-o", f"{folder}/report.{output_format}"])
main(["diff", org, sys.argv[3], "--format", "json", "-o", f"{folder}/diff.json"])
main(["check", org, "--today", "2025-01-01", "--junit", f"{folder}/junit.xml",
      "--update-expected", f"{folder}/snapshot.yaml"])
"""


def _outputs_in_subprocess(
    org: Path, other: Path, folder: Path, seed: str
) -> dict[str, bytes]:
    """Write every report, a diff and the check files with PYTHONHASHSEED=seed."""
    folder.mkdir()
    completed = subprocess.run(
        [sys.executable, "-c", STABLE_SCRIPT, str(org), str(folder), str(other)],
        env={**os.environ, "PYTHONHASHSEED": seed},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


# Each example runs four subprocesses, so a failure is reported unshrunk.
@settings(
    max_examples=3,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
@given(orgs(), orgs())
def test_outputs_identical_across_runs_and_hash_seeds(org: Org, other: Org):
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        (folder / "org.yaml").write_bytes(to_yaml(org))
        (folder / "other.yaml").write_bytes(to_yaml(other))
        runs = [
            _outputs_in_subprocess(
                folder / "org.yaml",
                folder / "other.yaml",
                folder / f"run-{index}",
                seed,
            )
            for index, seed in enumerate(("0", "1", "4242", "0"))
        ]

    assert len(runs[0]) == 8
    for run in runs[1:]:
        assert run.keys() == runs[0].keys()
        for name, content in run.items():
            assert content == runs[0][name], name


# Atomic writes


def _raise(*args: object, **kwargs: object) -> str:
    raise RuntimeError("renderer failed")


def _raise_midway(*args: object, **kwargs: object) -> Iterator[str]:
    yield "{\n  partial"
    raise RuntimeError("renderer failed")


# Each output path of the command line: the arguments, the files it writes,
# and the renderers to break, with what each breaks into. A renderer that
# streams its output breaks after its first piece, inside the write.
OUTPUTS: dict[str, tuple[list[str], list[str], dict[str, Any]]] = {
    "report-markdown": (
        ["report", "{org}", "-o", "out.md"],
        ["out.md"],
        {"o2s_config.emit.markdown.render_markdown": _raise},
    ),
    "report-json": (
        ["report", "{org}", "--format", "json", "-o", "out.json"],
        ["out.json"],
        {
            "o2s_config.emit.json_report.render_json": _raise,
            "o2s_config.emit.json_report.iter_json": _raise_midway,
        },
    ),
    "report-html": (
        ["report", "{org}", "--format", "html", "-o", "out.html"],
        ["out.html"],
        {"o2s_config.emit.html.render_html": _raise},
    ),
    "report-xlsx": (
        ["report", "{org}", "--format", "xlsx", "-o", "out.xlsx"],
        ["out.xlsx"],
        {"o2s_config.emit.xlsx.render_xlsx": _raise},
    ),
    "report-csv": (
        ["report", "{org}", "--format", "csv", "-o", "out.csv"],
        ["out.csv"],
        {"o2s_config.emit.csv_report.render_csv": _raise},
    ),
    "schema": (
        ["schema", "-o", "schemas"],
        [
            "schemas/catalogue.schema.json",
            "schemas/diff.schema.json",
            "schemas/org.schema.json",
            "schemas/report.schema.json",
        ],
        {"o2s_config.schema.generated_schemas": _raise},
    ),
    "check-update-expected": (
        ["check", "{org}", "--update-expected", "snapshot.yaml"],
        ["snapshot.yaml"],
        {"o2s_config.checks.snapshot.render_snapshot": _raise},
    ),
    "check-junit": (
        ["check", "{org}", "--junit", "junit.xml"],
        ["junit.xml"],
        {"o2s_config.checks.junit.render_junit": _raise},
    ),
    "diff": (
        ["diff", "{org}", "{org}", "-o", "diff.txt"],
        ["diff.txt"],
        {"o2s_config.emit.diff_render.render_text": _raise},
    ),
}

# The functions of o2s_config.atomic that the command line writes files with.
WRITERS = ("write_atomic", "write_atomic_chunks")

PREVIOUS = b"previous content\n"


def _prepare(folder: Path, files: list[str]) -> dict[str, bytes]:
    for name in files:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(PREVIOUS)
    return _tree(folder)


def _tree(folder: Path) -> dict[str, bytes]:
    """Return every file under `folder`, hidden temporary files included."""
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _arguments(key: str, org: Path) -> list[str]:
    return [part.format(org=org) for part in OUTPUTS[key][0]]


@pytest.fixture
def output_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


@pytest.mark.parametrize("key", sorted(OUTPUTS))
def test_output_goes_through_atomic_writer(
    key: str, output_folder: Path, monkeypatch: pytest.MonkeyPatch
):
    written: list[str] = []

    def spy(name: str) -> Any:
        real = getattr(cli, name)

        def record(path: Path, content: Any) -> None:
            written.append(str(path))
            real(path, content)

        return record

    for name in WRITERS:
        if hasattr(cli, name):
            monkeypatch.setattr(cli, name, spy(name))
    files = OUTPUTS[key][1]
    _prepare(output_folder, files)

    code, _, err = run_command(*_arguments(key, EXAMPLE))

    assert code in (0, 1), err
    assert sorted(written) == sorted(files)
    for name in files:
        assert (output_folder / name).read_bytes() != PREVIOUS, name


@pytest.mark.parametrize("key", sorted(OUTPUTS))
def test_failed_render_keeps_previous_file(
    key: str, output_folder: Path, monkeypatch: pytest.MonkeyPatch
):
    for dotted, broken in OUTPUTS[key][2].items():
        monkeypatch.setattr(dotted, broken, raising=False)
    before = _prepare(output_folder, OUTPUTS[key][1])

    code, _, err = run_command(*_arguments(key, EXAMPLE))

    assert code == 3
    assert err.startswith("internal error: RuntimeError: renderer failed")
    assert _tree(output_folder) == before


@pytest.mark.parametrize("key", sorted(OUTPUTS))
def test_interrupted_write_keeps_previous_file(
    key: str, output_folder: Path, monkeypatch: pytest.MonkeyPatch
):
    """Ctrl-C after the new content is in the temporary file, before the rename."""
    interrupted: list[list[str]] = []

    def interrupt(descriptor: int) -> None:
        interrupted.append(sorted(p.name for p in output_folder.rglob("*.tmp")))
        raise KeyboardInterrupt

    before = _prepare(output_folder, OUTPUTS[key][1])
    monkeypatch.setattr(os, "fsync", interrupt)

    code, _, err = run_command(*_arguments(key, EXAMPLE))

    assert code == 130
    assert err.endswith("Aborted.\n")
    assert len(interrupted) == 1
    assert len(interrupted[0]) == 1, "no temporary file existed at the interruption"
    assert _tree(output_folder) == before
