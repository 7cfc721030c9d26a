"""The pre-commit hook and the CI examples call commands that exist."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import click
import pytest
from ruamel.yaml import YAML

from o2s_config.cli import cli

from .conftest import EXAMPLE, ROOT

CI_FILES = [
    ROOT / "examples" / "ci" / "github-actions.yml",
    ROOT / "examples" / "ci" / "gitlab-ci.yml",
]


def _load(path: Path):
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def _console_script() -> list[str]:
    installed = Path(sys.executable).parent / "o2s-config"
    return (
        [str(installed)] if installed.exists() else [sys.executable, "-m", "o2s_config"]
    )


def _hook():
    [hook] = _load(ROOT / ".pre-commit-hooks.yaml")
    return hook


def _run_hook(*files: Path) -> subprocess.CompletedProcess[str]:
    entry = shlex.split(_hook()["entry"])
    assert entry[0] == "o2s-config"
    return subprocess.run(
        [*_console_script(), *entry[1:], *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_hook_passes_valid_file():
    completed = _run_hook(EXAMPLE)
    assert completed.returncode == 0, completed.stdout
    assert completed.stdout.endswith("org.yaml: valid\n")


def test_hook_stops_invalid_file(tmp_path):
    bad = tmp_path / "org.yaml"
    bad.write_text(
        EXAMPLE.read_text(encoding="utf-8").replace(
            "profile: junior", "profile: junor"
        ),
        encoding="utf-8",
    )
    completed = _run_hook(EXAMPLE, bad)
    assert completed.returncode == 1
    assert "error R001 unknown profile 'junor'" in completed.stdout
    assert completed.stdout.count(": valid\n") == 1


@pytest.mark.parametrize(
    ("name", "matches"),
    [
        ("org.yaml", True),
        ("agences/lyon.org.yml", True),
        ("profiles.yaml", False),
        ("notorg.yaml", False),
    ],
)
def test_hook_file_pattern(name, matches):
    assert bool(re.search(_hook()["files"], name)) is matches


def _commands(node) -> list[str]:
    """Every shell line in a CI file that calls o2s-config."""
    found = []
    if isinstance(node, dict):
        for value in node.values():
            found.extend(_commands(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(_commands(value))
    elif isinstance(node, str):
        for line in node.splitlines():
            start = line.find("o2s-config ")
            if start >= 0 and "pip install" not in line:
                found.append(line[start:].split(";")[0].strip())
    return found


@pytest.mark.parametrize("path", CI_FILES, ids=[path.name for path in CI_FILES])
def test_ci_file_commands_exist(path):
    commands = _commands(_load(path))
    assert len(commands) >= 3
    used = set()
    for command in commands:
        words = shlex.split(command)
        name = words[1]
        assert name in cli.commands, f"{path.name}: unknown command {name!r}"
        used.add(name)
        options = {
            option
            for param in cli.commands[name].params
            if isinstance(param, click.Option)
            for option in param.opts
        }
        for word in words[2:]:
            if word.startswith("-"):
                assert word in options, f"{path.name}: {name} has no option {word}"
    assert {"validate", "diff"} <= used


@pytest.mark.parametrize("path", CI_FILES, ids=[path.name for path in CI_FILES])
def test_ci_file_gates_on_widen(path):
    commands = _commands(_load(path))
    assert any("--fail-on widen" in command for command in commands)
    assert any("--format markdown" in command for command in commands)
