"""docs/diagnostics.md: one section per code the package emits, with examples
that are run.

Each section is headed `## CODE: title`. A ```yaml block followed by a
```console block is a failing example: saved as org.yaml and given to the
o2s-config command on the console block's first line, it must print the rest
of the block. A ```yaml block with no ```console block after it is a fixed
file and must compile with no diagnostic. An HTML comment just before a
```yaml block can say how the file is saved: `<!-- saved as latin-1 -->`,
`<!-- saved as utf-16 -->`, or `<!-- saved with ␀ as a NUL byte -->`. A
```yaml block after `<!-- saved as PATH.yaml -->` is another file of the org,
such as an included one: it is written beside org.yaml for the next example.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

import pytest

from o2s_config.codes import CODES
from o2s_config.pipeline import compile_bytes, compile_path

from .conftest import ROOT

DOC = ROOT / "docs" / "diagnostics.md"
PACKAGE = ROOT / "o2s_config"

CODE = re.compile(r'"([YMR][0-9]{3})"')
HEADING = re.compile(r"^## ([YMR][0-9]{3}): \S", re.M)
BLOCK = re.compile(
    r"(?:<!-- (?P<saved>[^>]*?) -->\n)?```(?P<kind>yaml|console)\n(?P<body>.*?)```",
    re.S,
)
NUL_SIGN = "\u2400"


@dataclass(frozen=True)
class Block:
    kind: str
    body: str
    saved: str


@dataclass(frozen=True)
class Example:
    code: str
    index: int
    yaml: Block
    console: Block | None
    extras: tuple[Block, ...] = ()

    @property
    def id(self) -> str:
        kind = "fails" if self.console else "fixed"
        return f"{self.code}-{kind}-{self.index}"


def documented_codes() -> set[str]:
    """Return the codes that have a `## CODE: title` section in the docs."""
    return set(HEADING.findall(DOC.read_text(encoding="utf-8")))


def emitted_codes() -> set[str]:
    """Return every code string literal in the package's source."""
    codes = set()
    for source in PACKAGE.rglob("*.py"):
        codes.update(CODE.findall(source.read_text(encoding="utf-8")))
    return codes


def _sections() -> dict[str, str]:
    text = DOC.read_text(encoding="utf-8")
    parts = re.split(r"^## ", text, flags=re.M)
    sections = {}
    for part in parts[1:]:
        found = re.match(r"([YMR][0-9]{3}): ", part)
        if found:
            sections[found.group(1)] = part
    return sections


def _examples() -> list[Example]:
    examples = []
    for code, section in _sections().items():
        blocks = [
            Block(match["kind"], match["body"], match["saved"] or "")
            for match in BLOCK.finditer(section)
        ]
        extras: list[Block] = []
        for index, block in enumerate(blocks):
            if block.kind != "yaml":
                continue
            if _extra_file(block):
                extras.append(block)
                continue
            after = blocks[index + 1] if index + 1 < len(blocks) else None
            console = after if after is not None and after.kind == "console" else None
            examples.append(Example(code, index, block, console, tuple(extras)))
            extras = []
    return examples


def _extra_file(block: Block) -> str:
    """Return the path of a block saved as another file of the org, or ''."""
    found = re.fullmatch(r"saved as ([\w./-]+\.yaml)", block.saved)
    return found.group(1) if found else ""


def _write_files(example: Example, folder) -> None:
    (folder / "org.yaml").write_bytes(_file_bytes(example.yaml))
    for extra in example.extras:
        target = folder / _extra_file(extra)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(extra.body, encoding="utf-8")


def _file_bytes(block: Block) -> bytes:
    if block.saved == "saved as latin-1":
        return block.body.encode("latin-1")
    if block.saved == "saved as utf-16":
        return block.body.encode("utf-16")
    if block.saved == f"saved with {NUL_SIGN} as a NUL byte":
        return block.body.replace(NUL_SIGN, "\x00").encode("utf-8")
    assert not block.saved, f"unknown note before a yaml block: {block.saved!r}"
    return block.body.encode("utf-8")


EXAMPLES = _examples()
FAILING = [example for example in EXAMPLES if example.console is not None]
FIXED = [example for example in EXAMPLES if example.console is None]


def test_documented_codes_are_the_emitted_codes():
    documented = documented_codes()
    emitted = emitted_codes()
    assert emitted - documented == set(), "codes emitted but not documented"
    assert documented - emitted == set(), "codes documented but never emitted"


def test_section_titles_match_code_registry():
    text = DOC.read_text(encoding="utf-8")
    titles = dict(re.findall(r"^## ([YMR][0-9]{3}): (.*)$", text, flags=re.M))
    for code, heading in titles.items():
        assert heading == CODES.get(code), (
            f"{code}: heading differs from o2s_config.codes"
        )


def test_code_sections_are_in_order():
    headings = HEADING.findall(DOC.read_text(encoding="utf-8"))
    family_order = {"Y": 0, "M": 1, "R": 2}
    assert headings == sorted(headings, key=lambda code: (family_order[code[0]], code))


@pytest.mark.parametrize("code", sorted(_sections()))
def test_section_has_yaml_examples(code: str):
    failing = [example for example in FAILING if example.code == code]
    fixed = [example for example in FIXED if example.code == code]
    assert failing, f"{code} has no ```yaml example followed by its output"
    assert fixed, f"{code} has no fixed ```yaml example"


@pytest.mark.parametrize("example", FAILING, ids=[example.id for example in FAILING])
def test_failing_example_prints_shown_output(
    example: Example, run_cli, tmp_path, monkeypatch
):
    assert example.console is not None
    command, _, expected_output = example.console.body.partition("\n")
    arguments = shlex.split(command.removeprefix("$ "))
    assert arguments[0] == "o2s-config"
    assert arguments[-1] == "org.yaml"

    _write_files(example, tmp_path)
    monkeypatch.chdir(tmp_path)
    run = run_cli(*arguments[1:])

    assert run.out == expected_output
    assert f" {example.code} " in run.out


@pytest.mark.parametrize("example", FIXED, ids=[example.id for example in FIXED])
def test_fixed_example_is_clean(example: Example, tmp_path):
    if example.extras:
        _write_files(example, tmp_path)
        result = compile_path(tmp_path / "org.yaml")
    else:
        result = compile_bytes(_file_bytes(example.yaml), "org.yaml")
    assert [f"{d.code} {d.message}" for d in result.diagnostics] == []


def test_introduction_output_is_an_example_output():
    introduction = DOC.read_text(encoding="utf-8").split("\n## ", 1)[0]
    intro_block = BLOCK.search(introduction)
    assert intro_block is not None
    outputs = [example.console.body for example in FAILING if example.console]
    assert intro_block["body"] in outputs
