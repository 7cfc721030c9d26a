"""The command line: parse the arguments, call the pipeline, render, exit.

Exit codes: 0 success; 1 findings (an invalid org); 2 a usage error or a file
that cannot be opened; 3 an internal error, shown as one line unless -v is
given. No command prints a bare traceback.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import click

from . import __version__
from .atomic import write_atomic, write_atomic_chunks
from .catalogue import Lang, load_catalogue
from .compiled import CompiledOrg
from .diagnostics import InputFileError, has_failures
from .emit import diagnostics_text
from .pipeline import CompileResult, compile_path
from .source import DEFAULT_LIMITS, Limits

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3


Command = TypeVar("Command", bound=Callable[..., Any])


class Findings(Exception):
    """A run that completed and found problems: exit code 1."""


def _format_option(*choices: str) -> Callable[[Command], Command]:
    """Return the `--format` option with these choices, the first by default."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(list(choices)),
        default=choices[0],
        show_default=True,
        help="Output format.",
    )


def _limits_options(command: Command) -> Command:
    options = [
        click.option(
            "--max-bytes",
            type=click.IntRange(min=1),
            default=DEFAULT_LIMITS.max_bytes,
            show_default=True,
            help="Largest org file to read, in bytes.",
        ),
        click.option(
            "--max-depth",
            type=click.IntRange(min=2),
            default=DEFAULT_LIMITS.max_depth,
            show_default=True,
            help="Deepest nesting of YAML mappings and lists.",
        ),
        click.option(
            "--max-alias-nodes",
            type=click.IntRange(min=0),
            default=DEFAULT_LIMITS.max_alias_nodes,
            show_default=True,
            help="Maximum number of values that YAML aliases (*name) may expand to.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _limits(max_bytes: int, max_depth: int, max_alias_nodes: int) -> Limits:
    return Limits(
        max_bytes=max_bytes, max_depth=max_depth, max_alias_nodes=max_alias_nodes
    )


def _use_colour(stream: Any) -> bool:
    if "NO_COLOR" in os.environ:
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="o2s-config")
@click.option(
    "-v", "--verbose", is_flag=True, help="Show tracebacks of internal errors."
)
@click.pass_context
def cli(context: click.Context, verbose: bool) -> None:
    """Validate, resolve and report the user rights of an O2S organisation."""
    context.obj = {"verbose": verbose}


@cli.command()
@click.argument(
    "orgs", metavar="ORG...", nargs=-1, required=True, type=click.Path(path_type=Path)
)
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "github", "sarif"]),
    default="text",
    show_default=True,
    help="Output format: text, json, github (workflow commands that annotate a "
    "pull request) or sarif (SARIF 2.1.0 for code-scanning tools).",
)
@_limits_options
def validate(
    orgs: tuple[Path, ...],
    strict: bool,
    output_format: str,
    max_bytes: int,
    max_depth: int,
    max_alias_nodes: int,
) -> None:
    """Check each ORG file and print its diagnostics, one per line."""
    limits = _limits(max_bytes, max_depth, max_alias_nodes)
    results = [(str(org), compile_path(org, limits=limits)) for org in orgs]
    diagnostics = [d for _, result in results for d in result.diagnostics]

    if output_format == "json":
        names = [name for name, _ in results]
        click.echo(diagnostics_text.render_json(names, diagnostics), nl=False)
    elif output_format in ("github", "sarif"):
        from .emit import ci_formats

        if output_format == "github":
            click.echo(ci_formats.render_github(diagnostics), nl=False)
        else:
            click.echo(ci_formats.render_sarif(diagnostics), nl=False)
    else:
        colour = _use_colour(sys.stdout)
        for name, result in results:
            click.echo(
                diagnostics_text.render_text(result.diagnostics, colour), nl=False
            )
            click.echo(diagnostics_text.summarise(name, result.diagnostics), nl=False)
    if has_failures(diagnostics, strict):
        raise Findings()


@cli.command()
@click.argument("org", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["markdown", "json", "html", "xlsx", "csv"]),
    default="markdown",
    show_default=True,
    help="Report format: markdown, json, html (one self-contained page), xlsx "
    "(an Excel workbook, written only to a file given with -o) or csv (one row "
    "per user).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="File to write; the report goes to standard output without it.",
)
@click.option(
    "--lang",
    type=click.Choice(["fr", "en"]),
    default="fr",
    show_default=True,
    help="Language of the labels and headings. The JSON report has none.",
)
@click.option(
    "--csv-dialect",
    type=click.Choice(["excel-fr", "comma"]),
    default="excel-fr",
    show_default=True,
    help="With --format csv: excel-fr (UTF-8 with a byte order mark and ';' "
    "separators, for French Excel) or comma (plain UTF-8 with ',').",
)
@_limits_options
@click.pass_context
def report(
    context: click.Context,
    org: Path,
    output_format: str,
    output: Path | None,
    lang: Lang,
    csv_dialect: str,
    max_bytes: int,
    max_depth: int,
    max_alias_nodes: int,
) -> None:
    """Resolve ORG and write a report of its profiles, users and visibility."""
    dialect_source = context.get_parameter_source("csv_dialect")
    if (
        output_format != "csv"
        and dialect_source is click.core.ParameterSource.COMMANDLINE
    ):
        raise click.UsageError(
            f"--csv-dialect applies only to --format csv, not {output_format}: "
            "remove it or use --format csv"
        )
    # Checked before compiling, so a usage error costs no work and writes nothing.
    if output_format == "xlsx" and output is None:
        raise click.UsageError(
            "--format xlsx writes a binary workbook and needs a file: add -o PATH"
        )

    result = _compile_or_fail(org, _limits(max_bytes, max_depth, max_alias_nodes))
    assert result.org is not None

    content: str | bytes | Iterable[str]
    if output_format == "json":
        from .emit.json_report import iter_json

        # Streamed, so a large org's report is never one string in memory.
        content = iter_json(result.org)
    elif output_format == "html":
        from .emit.html import render_html

        content = render_html(result.org, lang)
    elif output_format == "xlsx":
        from .emit.xlsx import render_xlsx

        content = render_xlsx(result.org, lang)
    elif output_format == "csv":
        from .emit.csv_report import render_csv

        content = render_csv(result.org, lang, csv_dialect)
    else:
        from .emit.markdown import render_markdown

        content = render_markdown(result.org, lang)

    chunks = [content] if isinstance(content, str | bytes) else content
    if output is None:
        for chunk in chunks:
            assert isinstance(chunk, str)
            click.echo(chunk, nl=False)
        return
    try:
        write_atomic_chunks(output, chunks)
    except OSError as exc:
        raise click.UsageError(
            f"cannot write {output}: {exc.strerror or exc}"
        ) from None


@cli.command()
@_format_option("text", "json")
@click.option(
    "--lang",
    type=click.Choice(["fr", "en"]),
    default="fr",
    show_default=True,
    help="Language of the labels.",
)
def rights(output_format: str, lang: Lang) -> None:
    """List the rights catalogue: keys, types, scope options and labels."""
    from .emit.rights_list import render_rights_json, render_rights_text

    catalogue = load_catalogue()
    if output_format == "json":
        click.echo(render_rights_json(catalogue), nl=False)
    else:
        click.echo(render_rights_text(catalogue, lang), nl=False)


@cli.command()
@click.option(
    "-o",
    "--output",
    "folder",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("schemas"),
    show_default=True,
    help="Folder to write the schema files to.",
)
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; exit 1 when a file in the folder differs from the code.",
)
def schema(folder: Path, check: bool) -> None:
    """Write the JSON Schemas of the org file, catalogue and JSON report."""
    from .schema import generated_schemas

    generated = generated_schemas()
    if check:
        stale = [
            name
            for name, content in generated.items()
            if not (folder / name).is_file()
            or (folder / name).read_text(encoding="utf-8") != content
        ]
        for name in stale:
            click.echo(
                f"{folder / name}: out of date; run 'o2s-config schema -o {folder}'"
            )
        if stale:
            raise Findings()
        click.echo(f"{folder}: {len(generated)} schema files up to date")
        return

    folder.mkdir(parents=True, exist_ok=True)
    for name, content in generated.items():
        _write_output(folder / name, content)
        click.echo(f"wrote {folder / name}")


@cli.command()
@click.argument("base")
@click.argument("head")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
    help="Output format: text for a terminal, markdown for a pull-request comment.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["widen", "any", "never"]),
    default="never",
    show_default=True,
    help="Exit 1 when the diff has a change that widens access, or any change.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="File to write; the diff goes to standard output without it.",
)
@_limits_options
def diff(
    base: str,
    head: str,
    output_format: str,
    fail_on: str,
    output: Path | None,
    max_bytes: int,
    max_depth: int,
    max_alias_nodes: int,
) -> None:
    """Compare the effective rights and visibility of BASE and HEAD.

    Each side is a path, or REV:PATH read from git, such as origin/main:org.yaml.
    """
    from .diff import diff_orgs
    from .emit import diff_render
    from .revisions import compile_side

    limits = _limits(max_bytes, max_depth, max_alias_nodes)
    base_org = _require_org(base, compile_side(base, limits))
    head_org = _require_org(head, compile_side(head, limits))
    result = diff_orgs(base_org, head_org)

    renderers = {
        "text": diff_render.render_text,
        "markdown": diff_render.render_markdown,
        "json": diff_render.render_json,
    }
    content = renderers[output_format](result, base, head)
    if output is None:
        click.echo(content, nl=False)
    else:
        _write_output(output, content)
    if result.fails(fail_on):
        raise Findings()


@cli.command()
@click.argument("org", type=click.Path(path_type=Path))
@click.argument("user")
@click.argument("right")
@_format_option("text", "json")
def explain(org: Path, user: str, right: str, output_format: str) -> None:
    """Show why USER holds RIGHT: every step of the resolution with its line.

    For a scope right, also list the users it makes visible and the hierarchy
    path that makes each one visible.
    """
    from . import query
    from .emit.query_text import render_explanation

    compiled = _require_org(str(org), compile_path(org))
    try:
        result = query.explain(compiled, user, right)
    except query.QueryError as exc:
        raise click.UsageError(str(exc)) from None
    if output_format == "json":
        click.echo(_json(query.explanation_json(compiled, result)), nl=False)
    else:
        click.echo(render_explanation(compiled, result), nl=False)


@cli.command("who-can")
@click.argument("org", type=click.Path(path_type=Path))
@click.argument("right")
@click.option(
    "--at-least",
    type=click.Choice(["own", "attached", "group", "all"]),
    help="For a scope right: keep holders of this option or a wider one.",
)
@_format_option("text", "json")
def who_can(org: Path, right: str, at_least: str | None, output_format: str) -> None:
    """List the profiles and users that hold RIGHT, with what grants it."""
    from . import query
    from .emit.query_text import render_who_can

    compiled = _require_org(str(org), compile_path(org))
    try:
        result = query.who_can(compiled, right, at_least)
    except query.QueryError as exc:
        raise click.UsageError(str(exc)) from None
    if output_format == "json":
        click.echo(_json(query.who_can_json(result)), nl=False)
    else:
        click.echo(render_who_can(compiled, result), nl=False)


@cli.command()
@click.argument("target", metavar="ORG", type=click.Path(path_type=Path))
@_format_option("text", "json")
@click.option(
    "--junit",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also write the results as JUnit XML to this file.",
)
@click.option(
    "--expected",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Snapshot to compare with; any difference fails the run.",
)
@click.option(
    "--update-expected",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the snapshot of every profile's rights and every user's visibility.",
)
@click.option("--coverage", is_flag=True, help="Report what the checks exercise.")
@click.option(
    "--min-coverage",
    type=click.FloatRange(0, 100),
    help="Fail when profiles, rights or users are covered below this percentage.",
)
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The date for tenure policies, YYYY-MM-DD; today by default.",
)
@_limits_options
def check(
    target: Path,
    output_format: str,
    junit: Path | None,
    expected: Path | None,
    update_expected: Path | None,
    coverage: bool,
    min_coverage: float | None,
    today: Any,
    max_bytes: int,
    max_depth: int,
    max_alias_nodes: int,
) -> None:
    """Run the checks and policies of ORG, an org file or a *.checks.yaml file.

    A checks file names the org it tests with `org: PATH`, relative to itself.
    """
    from .checks import coverage as coverage_module
    from .checks.collect import collect_checks
    from .checks.junit import render_junit
    from .checks.run import resolve_org_path, run_checks
    from .checks.snapshot import render_snapshot
    from .emit import check_render

    limits = _limits(max_bytes, max_depth, max_alias_nodes)
    org_path, extra_checks = _checks_target(
        target, collect_checks, resolve_org_path, limits
    )
    compiled = compile_path(org_path, limits=limits)
    org = _require_org(str(org_path), compiled)
    document = compiled.document
    assert document is not None

    day = today.date() if today is not None else date.today()
    policies_location = document.locate(("policies",), key=True)
    results = run_checks(
        org,
        [*document.checks, *extra_checks],
        document.policies,
        day,
        policies_location,
    )
    if expected is not None:
        results.append(_snapshot_result(expected, org))
    if update_expected is not None:
        _write_output(update_expected, render_snapshot(org))

    dimensions = coverage_module.measure(org, results)
    below = (
        min_coverage is not None
        and coverage_module.lowest_percent(dimensions) < min_coverage
    )
    if output_format == "json":
        extra = (
            {"coverage": coverage_module.to_json(dimensions)}
            if coverage or min_coverage
            else {}
        )
        click.echo(check_render.to_json(results, extra), nl=False)
    else:
        click.echo(check_render.render_text(results), nl=False)
        if coverage or min_coverage is not None:
            click.echo(coverage_module.render_text(dimensions), nl=False)
        if below:
            click.echo(f"coverage is below the minimum of {min_coverage:g}%")
    if junit is not None:
        _write_output(junit, render_junit(results, str(target)))

    failed = any(not r.passed and r.severity == "error" for r in results)
    if failed or below:
        raise Findings()


def _checks_target(
    target: Path, collect: Any, resolve_org: Any, limits: Limits
) -> tuple[Path, list[Any]]:
    """Return the org to check and the checks of a standalone checks file."""
    from .diagnostics import LoadError
    from .source import read_source

    try:
        source = read_source(target, limits=limits)
    except LoadError as exc:
        click.echo(diagnostics_text.render_text(exc.diagnostics), nl=False, err=True)
        raise Findings() from None
    data = source.data
    if "org" not in data or "establishment" in data:
        return target, []

    org_path = resolve_org(target, source)
    unknown = sorted(set(data) - {"org", "checks"})
    problems = []
    if org_path is None or unknown:
        from .diagnostics import error

        problems.append(
            error(
                "M001" if unknown else "M003",
                f"unknown field '{unknown[0]}' in the checks file"
                if unknown
                else "org must be the path of the org file, relative to this file",
                source.locate(
                    (unknown[0],) if unknown else ("org",), key=bool(unknown)
                ),
                hint="a checks file has 'org: PATH' and 'checks: [...]'",
            )
        )
    checks, check_problems = collect(source)
    problems.extend(check_problems)
    if problems:
        click.echo(diagnostics_text.render_text(problems), nl=False, err=True)
        raise Findings()
    assert org_path is not None
    return org_path, checks


def _snapshot_result(expected: Path, org: CompiledOrg) -> Any:
    from .checks.evaluate import CheckResult, Failure
    from .checks.snapshot import compare_snapshot
    from .diagnostics import LoadError, Location
    from .source import read_source

    result = CheckResult(
        "snapshot", "snapshot", f"snapshot {expected}", Location(str(expected))
    )
    try:
        snapshot = read_source(expected)
    except LoadError as exc:
        message = "; ".join(f"{d.location}: {d.message}" for d in exc.diagnostics)
        result.failures.append(
            Failure(f"cannot read the snapshot: {message}", "a snapshot", "unreadable")
        )
        return result
    for classification, failure in compare_snapshot(snapshot.data, org):
        failure.message = f"[{classification}] {failure.message}"
        result.failures.append(failure)
    return result


@cli.command()
@click.argument(
    "folder",
    metavar="[DIR]",
    default=Path("."),
    type=click.Path(path_type=Path, file_okay=False),
)
@click.option(
    "--force",
    is_flag=True,
    help="Overwrite an existing org.yaml. An existing .pre-commit-config.yaml "
    "is never overwritten.",
)
def init(folder: Path, force: bool) -> None:
    """Write a starter org.yaml and a pre-commit configuration to DIR.

    DIR is the current folder by default, and is created when missing. When
    DIR already has a .pre-commit-config.yaml, the hook to add to it is printed
    instead.
    """
    from .starter import (
        ORG_FILE_NAME,
        PRE_COMMIT_FILE_NAME,
        STARTER_ORG,
        pre_commit_config,
    )

    org_path = folder / ORG_FILE_NAME
    pre_commit_path = folder / PRE_COMMIT_FILE_NAME
    if org_path.is_dir():
        raise click.ClickException(f"{org_path} is a folder; remove or rename it")
    if org_path.exists() and not force:
        raise click.ClickException(
            f"{org_path} already exists; pass --force to overwrite it"
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise click.ClickException(
            f"cannot create {folder}: {exc.strerror or exc}"
        ) from None

    _write_output(org_path, STARTER_ORG)
    click.echo(f"wrote {org_path}")
    if pre_commit_path.exists():
        click.echo(f"{pre_commit_path} already exists; add this hook to it:")
        click.echo(pre_commit_config(), nl=False)
    else:
        _write_output(pre_commit_path, pre_commit_config())
        click.echo(f"wrote {pre_commit_path}")
    click.echo(
        f"next: fill in the establishment and the users in {org_path}, then run "
        f"'o2s-config validate {org_path}'"
    )


@cli.command()
@click.argument("org", type=click.Path(path_type=Path))
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; print a unified diff and exit 1 when ORG is not in "
    "canonical form.",
)
@_limits_options
def fmt(
    org: Path, check: bool, max_bytes: int, max_depth: int, max_alias_nodes: int
) -> None:
    """Rewrite ORG in canonical form, keeping every comment.

    Keys follow the field order of the org file format, allow and deny lists
    are sorted, indentation is 2 spaces, and identifiers written with digits
    are quoted.
    A file with errors is not formatted: its diagnostics are printed as
    validate prints them.
    """
    from .formatter import CommentNotKept, format_bytes

    limits = _limits(max_bytes, max_depth, max_alias_nodes)
    result = compile_path(org, limits=limits)
    if result.has_errors or result.org is None:
        colour = _use_colour(sys.stdout)
        click.echo(diagnostics_text.render_text(result.diagnostics, colour), nl=False)
        click.echo(diagnostics_text.summarise(str(org), result.diagnostics), nl=False)
        raise Findings()
    try:
        raw = org.read_bytes()
    except OSError as exc:
        raise InputFileError(f"{org}: cannot read the file: {exc.strerror}") from None

    try:
        formatted = format_bytes(raw, str(org), limits)
    except CommentNotKept as exc:
        click.echo(f"error: {exc}", err=True)
        raise Findings() from None
    if not formatted.changed:
        click.echo(f"{org}: already formatted")
        return
    if check:
        click.echo(formatted.unified_diff(str(org)), nl=False)
        click.echo(f"{org}: not formatted; run 'o2s-config fmt {org}'", err=True)
        raise Findings()
    # Resolving a symbolic link replaces the file it points to, not the link.
    _write_output(org.resolve(), formatted.formatted)
    click.echo(f"{org}: formatted")


def _json(payload: object) -> str:
    import json

    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"


@cli.command("import")
@click.argument("workbook", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Org file to write.",
)
@click.option(
    "--partial",
    is_flag=True,
    help="Write the org file without the rows that cannot be read, and list them "
    "on standard error.",
)
@click.option(
    "--defaults-from",
    "defaults_from",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Org file that supplies the establishment and the profiles when the "
    "workbook has no such sheet, for a workbook with a users sheet only.",
)
def import_workbook_command(
    workbook: Path, output: Path, partial: bool, defaults_from: Path | None
) -> None:
    """Write an org file from WORKBOOK, an .xlsx file of the O2S set-up.

    WORKBOOK is the workbook that 'report --format xlsx' writes, or one with a
    users sheet typed by an administrator. Each profile becomes the shortest
    definition that gives the rights of the workbook. Rows that cannot be read
    are listed with their sheet and row, and nothing is written unless
    --partial is given.
    """
    from .importer import import_workbook

    defaults = None
    if defaults_from is not None:
        defaults = _require_org(str(defaults_from), compile_path(defaults_from))
    result = import_workbook(workbook, output, defaults)
    for problem in result.problems:
        click.echo(problem.describe(str(workbook)), err=True)
    if result.text is None:
        click.echo(f"{workbook}: not imported; fix the problems above", err=True)
        raise Findings()
    if result.problems and not partial:
        click.echo(
            f"{workbook}: not imported, {len(result.problems)} unreadable row(s); fix "
            "them, or give --partial to import without them",
            err=True,
        )
        raise Findings()
    _write_output(output, result.text)
    org = result.org
    assert org is not None
    skipped = f", {len(result.problems)} row(s) skipped" if result.problems else ""
    click.echo(
        f"wrote {output}: {len(org.profiles) - 1} profile(s) and {len(org.users)} "
        f"user(s) from {', '.join(result.sheets)}{skipped}"
    )


@cli.command()
@click.argument("org")
@click.argument("workbook", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
    help="Output format, as for diff: text for a terminal, markdown for a "
    "pull-request comment or an issue.",
)
def drift(org: str, workbook: Path, output_format: str) -> None:
    """Compare the organisation declared in ORG with the state in WORKBOOK.

    ORG is a path or REV:PATH, as for diff. The diff goes from ORG to WORKBOOK,
    so 'widen' means that O2S grants more than ORG declares. Exits 1 when they
    differ or when a row of WORKBOOK cannot be read.
    """
    from .drift import compare_with_workbook
    from .emit import diff_render
    from .revisions import compile_side

    declared = _require_org(org, compile_side(org))
    result = compare_with_workbook(declared, workbook)
    if result.diff is None:
        for problem in result.problems:
            click.echo(problem.describe(str(workbook)), err=True)
        click.echo(
            f"{workbook}: cannot compare with {org}; fix the rows above", err=True
        )
        raise Findings()
    renderers = {
        "text": diff_render.render_text,
        "markdown": diff_render.render_markdown,
        "json": diff_render.render_json,
    }
    click.echo(renderers[output_format](result.diff, org, str(workbook)), nl=False)
    if result.drifted:
        raise Findings()


@cli.command()
@click.argument("base")
@click.argument("head")
@click.option(
    "--lang",
    type=click.Choice(["fr", "en"]),
    default="fr",
    show_default=True,
    help="Language of the steps. The O2S labels stay in French.",
)
def runbook(base: str, head: str, lang: Lang) -> None:
    """Write the steps that carry out the changes from BASE to HEAD in O2S.

    Each side is a path, or REV:PATH read from git, as for diff. The steps are
    a Markdown checklist in the order an administrator follows them.
    """
    from .diff import diff_orgs
    from .revisions import compile_side
    from .runbook import build_runbook, render_markdown

    base_org = _require_org(base, compile_side(base))
    head_org = _require_org(head, compile_side(head))
    steps = build_runbook(diff_orgs(base_org, head_org), lang)
    click.echo(render_markdown(steps, base, head, lang), nl=False)


def _require_org(name: str, result: CompileResult) -> CompiledOrg:
    if result.diagnostics:
        colour = _use_colour(sys.stderr)
        click.echo(
            diagnostics_text.render_text(result.diagnostics, colour), nl=False, err=True
        )
    if result.org is None:
        click.echo(
            diagnostics_text.summarise(name, result.diagnostics), nl=False, err=True
        )
        raise Findings()
    return result.org


def _compile_or_fail(org: Path, limits: Limits) -> CompileResult:
    result = compile_path(org, limits=limits)
    if result.diagnostics:
        colour = _use_colour(sys.stderr)
        click.echo(
            diagnostics_text.render_text(result.diagnostics, colour), nl=False, err=True
        )
    if result.org is None:
        click.echo(
            diagnostics_text.summarise(str(org), result.diagnostics), nl=False, err=True
        )
        raise Findings()
    return result


def _write_output(path: Path, content: str) -> None:
    try:
        write_atomic(path, content)
    except OSError as exc:
        raise click.UsageError(f"cannot write {path}: {exc.strerror or exc}") from None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    verbose = "-v" in args or "--verbose" in args
    try:
        cli.main(args=args, prog_name="o2s-config", standalone_mode=False)
    except Findings:
        return EXIT_FINDINGS
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.Abort:
        click.echo("Aborted.", err=True)
        return 130
    except click.ClickException as exc:
        exc.show()
        return EXIT_USAGE
    except InputFileError as exc:
        click.echo(f"error: {exc}", err=True)
        return EXIT_USAGE
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:
        if verbose:
            import traceback

            traceback.print_exc()
        click.echo(
            f"internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in o2s-config; run again with -v for the traceback.",
            err=True,
        )
        return EXIT_INTERNAL
    return EXIT_OK
