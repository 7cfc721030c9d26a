"""Time o2s-config commands side by side with the floor of the same work.

Every figure is a whole command run as a separate process. The commands of a
group run in alternation (A, B, C, A, B, C...), so a slow moment of a shared
machine hits all of them alike, and each is reported as the median of its runs
and as a ratio to the group's floor measured in the same run.

    python benchmarks/run.py              # full run: 1k, 10k and 100k users
    python benchmarks/run.py --smoke      # 1k users, one repetition (CI)

Peak memory is the child's maximum resident set size from wait4().
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent
O2S = (
    [str(BIN / "o2s-config")]
    if (BIN / "o2s-config").exists()
    else [PYTHON, "-m", "o2s_config"]
)

COMPOSE = (
    "import sys; from ruamel.yaml import YAML; "
    "y = YAML(typ='safe', pure=False); "
    "[y.compose(open(f, encoding='utf-8')) for f in sys.argv[1:]]"
)
ROUND_TRIP = (
    "import sys; from ruamel.yaml import YAML; "
    "YAML(typ='rt').load(open(sys.argv[1], encoding='utf-8'))"
)
IMPORTS_ONLY = "import click, ruamel.yaml; from pydantic import BaseModel"


@dataclass
class Measure:
    name: str
    command: list[str]
    floor: bool = False
    seconds: list[float] = field(default_factory=list)
    peak_kib: list[int] = field(default_factory=list)
    failed: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.seconds) if self.seconds else float("nan")


def run_once(measure: Measure) -> None:
    start = time.perf_counter()
    process = subprocess.Popen(
        measure.command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        error = process.stderr.read().decode(errors="replace") if process.stderr else ""
        measure.failed = (
            f"exit {code}: {error.strip().splitlines()[-1] if error.strip() else ''}"
        )
        return
    measure.seconds.append(elapsed)
    measure.peak_kib.append(usage.ru_maxrss)


def run_group(measures: list[Measure], repetitions: int) -> None:
    for repetition in range(repetitions):
        order = (
            measures[repetition % len(measures) :]
            + measures[: repetition % len(measures)]
        )
        for measure in order:
            if not measure.failed:
                run_once(measure)


def report(title: str, measures: list[Measure]) -> list[str]:
    floor = next((m for m in measures if m.floor and not m.failed), None)
    lines = [
        f"### {title}",
        "",
        "| command | median (s) | ratio to floor | peak RSS (MB) | runs |",
        "|---|---|---|---|---|",
    ]
    for measure in measures:
        if measure.failed:
            lines.append(f"| {measure.name} | failed: {measure.failed} | | | 0 |")
            continue
        ratio = measure.median / floor.median if floor else float("nan")
        peak = max(measure.peak_kib) / 1024
        marker = " (floor)" if measure is floor else ""
        lines.append(
            f"| {measure.name}{marker} | {measure.median:.3f} | {ratio:.2f}x | {peak:.0f} | {len(measure.seconds)} |"
        )
    return [*lines, ""]


def generate(folder: Path, users: int, variant: bool = False) -> Path:
    suffix = "-b" if variant else ""
    path = folder / f"org-{users}{suffix}.yaml"
    if not path.exists():
        command = [
            PYTHON,
            str(ROOT / "benchmarks" / "generate.py"),
            "--users",
            str(users),
            "-o",
            str(path),
        ]
        if variant:
            command.append("--variant")
        subprocess.run(command, check=True)
    return path


def validate_group(folder: Path, users: int) -> list[Measure]:
    org = generate(folder, users)
    measures = [
        Measure(
            "compose with the C parser", [PYTHON, "-c", COMPOSE, str(org)], floor=True
        ),
        Measure("o2s-config validate", [*O2S, "validate", str(org)]),
    ]
    check_jsonschema = shutil.which("check-jsonschema") or str(BIN / "check-jsonschema")
    if Path(check_jsonschema).exists():
        schema = str(ROOT / "schemas" / "org.schema.json")
        measures.append(
            Measure(
                "check-jsonschema", [check_jsonschema, "--schemafile", schema, str(org)]
            )
        )
    measures.append(
        Measure("ruamel.yaml round-trip load", [PYTHON, "-c", ROUND_TRIP, str(org)])
    )
    return measures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="1k users, one repetition")
    parser.add_argument(
        "--repetitions", type=int, default=5, help="runs of each command"
    )
    parser.add_argument("--folder", type=Path, help="where to keep the generated orgs")
    args = parser.parse_args()

    repetitions = 1 if args.smoke else args.repetitions
    sizes = [1000] if args.smoke else [1000, 10_000, 100_000]
    large = 1000 if args.smoke else 10_000
    folder = args.folder or Path(tempfile.mkdtemp(prefix="o2s-bench-"))
    folder.mkdir(parents=True, exist_ok=True)

    out = [
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}",
        f"Command: python benchmarks/run.py{' --smoke' if args.smoke else ''} "
        f"(repetitions: {repetitions})",
        "",
    ]
    totals: dict[int, float] = {}
    for users in sizes:
        measures = validate_group(folder, users)
        run_group(
            measures, repetitions if users < 100_000 else max(1, repetitions // 2)
        )
        totals[users] = measures[1].median
        out += report(f"validate, {users:,} users", measures)

    org = generate(folder, large)
    variant = generate(folder, large, variant=True)
    reports = [
        Measure(
            "compose with the C parser", [PYTHON, "-c", COMPOSE, str(org)], floor=True
        ),
        Measure(
            "report --format json",
            [
                *O2S,
                "report",
                str(org),
                "--format",
                "json",
                "-o",
                str(folder / "r.json"),
            ],
        ),
        Measure(
            "report --format xlsx",
            [
                *O2S,
                "report",
                str(org),
                "--format",
                "xlsx",
                "-o",
                str(folder / "r.xlsx"),
            ],
        ),
    ]
    run_group(reports, repetitions)
    out += report(f"report, {large:,} users", reports)

    diffs = [
        Measure(
            "compose both files",
            [PYTHON, "-c", COMPOSE, str(org), str(variant)],
            floor=True,
        ),
        Measure(
            "o2s-config diff",
            [
                *O2S,
                "diff",
                str(org),
                str(variant),
                "--format",
                "json",
                "-o",
                str(folder / "d.json"),
            ],
        ),
    ]
    run_group(diffs, repetitions)
    out += report(
        f"diff of two {large:,}-user orgs (5% of users and 3 profiles differ)", diffs
    )

    example = str(ROOT / "examples" / "org.yaml")
    cold = [
        Measure(
            "import click, ruamel.yaml and pydantic.BaseModel",
            [PYTHON, "-c", IMPORTS_ONLY],
            floor=True,
        ),
        Measure("o2s-config validate examples/org.yaml", [*O2S, "validate", example]),
    ]
    run_group(cold, max(repetitions, 5) if not args.smoke else 1)
    out += report("cold start on the example", cold)

    if 100_000 in totals and 10_000 in totals:
        out.append(f"100k / 10k validate time: {totals[100_000] / totals[10_000]:.1f}x")
    print("\n".join(out))
    return 0 if all(not m.failed for m in reports[:2] + diffs + cold) else 1


if __name__ == "__main__":
    sys.exit(main())
