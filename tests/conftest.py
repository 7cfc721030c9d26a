from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from o2s_config.cli import main

ROOT = Path(__file__).resolve().parent.parent
CASES = Path(__file__).resolve().parent / "cases"
EXAMPLE = ROOT / "examples" / "org.yaml"


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


@pytest.fixture
def run_cli(capsys):
    """Run the command line in-process and return its exit code and output."""

    def run(*args: str) -> Run:
        code = main([str(arg) for arg in args])
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run
