"""Coverage-guided fuzzing of the YAML loader, the validator and the reports.

Each input is the bytes of an org file. It goes through
`o2s_config.pipeline.compile_bytes`, and when it compiles, through the
Markdown and JSON reports. The documented outcomes are a `CompileResult`
whose `org` is set exactly when no diagnostic is an error, every diagnostic
with a code from `o2s_config.codes.CODES`, and reports that render to text.
Any exception, or any other outcome, is a crash: libFuzzer prints the
traceback and writes the input to a `crash-*` file.

Run it with atheris (`pip install atheris`) and libFuzzer's options:

    python fuzz/fuzz_validate.py -runs=100000
    python fuzz/fuzz_validate.py -max_total_time=60

The org files under tests/cases and examples/org.yaml seed the corpus, and
fuzz/org.dict gives libFuzzer the field names, right keys and YAML tokens to
insert. A corpus folder given on the command line is read as well, and
libFuzzer adds the new inputs it finds to the first one.
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["o2s_config"]):
    from o2s_config.codes import CODES
    from o2s_config.emit.json_report import render_json
    from o2s_config.emit.markdown import render_markdown
    from o2s_config.pipeline import compile_bytes

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
FILE_NAME = "fuzz.yaml"

# libFuzzer options applied unless the command line sets them. An input that
# takes more than 10 s, or a process above 2 GiB, is reported as a crash.
DEFAULT_OPTIONS = ("-timeout=10", "-rss_limit_mb=2048")


def seed_files() -> list[Path]:
    """Return the org files that seed the corpus: tests/cases and the example."""
    seeds = sorted((ROOT / "tests" / "cases").rglob("*.yaml"))
    return [*seeds, ROOT / "examples" / "org.yaml"]


def test_one_input(data: bytes) -> None:
    """Compile one input and render it, and raise on any undocumented outcome."""
    result = compile_bytes(data, FILE_NAME)

    unknown = sorted({d.code for d in result.diagnostics} - CODES.keys())
    if unknown:
        raise AssertionError(f"diagnostic codes missing from CODES: {unknown}")
    if (result.org is None) != result.has_errors:
        raise AssertionError(
            f"org is {'missing' if result.org is None else 'set'} but has_errors "
            f"is {result.has_errors}"
        )
    if result.org is None:
        return

    for lang in ("fr", "en"):
        if not render_markdown(result.org, lang):
            raise AssertionError(f"empty Markdown report ({lang})")
    if not render_json(result.org).endswith("}\n"):
        raise AssertionError("JSON report does not end with '}' and a newline")


def libfuzzer_arguments(argv: list[str]) -> list[str]:
    """Add the default options and the seed files to the command line."""
    arguments = list(argv)
    named = {argument.split("=", 1)[0] for argument in argv[1:]}
    for option in DEFAULT_OPTIONS:
        if option.split("=", 1)[0] not in named:
            arguments.append(option)
    if "-dict" not in named:
        arguments.append(f"-dict={HERE / 'org.dict'}")
    if "-seed_inputs" not in named:
        arguments.append("-seed_inputs=" + ",".join(map(str, seed_files())))
    return arguments


def main() -> None:
    atheris.Setup(libfuzzer_arguments(sys.argv), test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
