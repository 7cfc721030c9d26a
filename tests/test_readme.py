"""The README's set-up commands and example stay true."""

from __future__ import annotations

import re

from o2s_config.pipeline import compile_bytes

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _set_up_commands():
    section = README.split("## Set up", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)\n```", section, flags=re.S)


def test_readme_has_two_set_up_commands():
    commands = _set_up_commands()
    assert len(commands) == 2
    assert commands[0].endswith("o2s-config report examples/org.yaml")
    assert "'.[test]'" in commands[1]
    assert commands[1].endswith("pytest")


def test_ci_runs_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert _set_up_commands()[1] in ci


def test_readme_org_example_is_valid():
    block = README.split("## The org file", 1)[1]
    text = re.search(r"```yaml\n(.*?)```", block, flags=re.S).group(1)
    result = compile_bytes(text.encode(), "README.md")
    assert not result.has_errors, [d.message for d in result.diagnostics]


def test_readme_error_example_is_real(run_cli, tmp_path):
    block = README.split("## The org file", 1)[1]
    text = re.search(r"```yaml\n(.*?)```", block, flags=re.S).group(1)
    path = tmp_path / "org.yaml"
    path.write_text(
        text.replace("profile: junior", "profile: juniro"), encoding="utf-8"
    )
    shown = README.split("has `profile: juniro` for Julie Leroy:", 1)[1]
    expected = re.search(
        r"```console\n\$ o2s-config validate org.yaml\n(.*?)```", shown, re.S
    )

    run = run_cli("validate", path)
    assert run.out.replace(str(path), "org.yaml") == expected.group(1)
