"""The command line: parse the arguments, call the pipeline, render, exit.

Exit codes: 0 success; 1 findings (an invalid org); 2 a usage error or a file
that cannot be opened; 3 an internal error, shown as one line unless -v is
given. No command prints a bare traceback.
"""

from __future__ import annotations

import logging
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from . import __version__
from .atomic import write_atomic
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

logger = logging.getLogger("o2s_config")

Command = TypeVar("Command", bound=Callable[..., Any])


class Findings(Exception):
    """A run that completed and found problems: exit code 1."""


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
            help="Most values that YAML aliases (*name) may expand to.",
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
    type=click.Choice(["markdown", "json"]),
    default="markdown",
    show_default=True,
    help="Report format.",
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
    help="Language of the labels and headings.",
)
@_limits_options
def report(
    org: Path,
    output_format: str,
    output: Path | None,
    lang: Lang,
    max_bytes: int,
    max_depth: int,
    max_alias_nodes: int,
) -> None:
    """Resolve ORG and write a report of its profiles, users and visibility."""
    result = _compile_or_fail(org, _limits(max_bytes, max_depth, max_alias_nodes))
    assert result.org is not None

    if output_format == "json":
        from .emit.json_report import render_json

        content = render_json(result.org)
    else:
        from .emit.markdown import render_markdown

        content = render_markdown(result.org, lang)

    if output is None:
        click.echo(content, nl=False)
    else:
        _write_output(output, content)


@cli.command()
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)
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
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)
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
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)
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


def _json(payload: object) -> str:
    import json

    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"


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
            traceback.print_exc()
        click.echo(
            f"internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in o2s-config; run again with -v for the traceback.",
            err=True,
        )
        return EXIT_INTERNAL
    return EXIT_OK


def run() -> None:
    sys.exit(main())
