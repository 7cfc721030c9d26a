"""The compiler pipeline: source, model, rules, resolve, CompiledOrg."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .catalogue import Catalogue, load_catalogue
from .compiled import CompiledOrg, CompiledUser
from .diagnostics import Diagnostic, LoadError, sort_diagnostics
from .document import OrgDocument, build_document
from .includes import load_includes
from .resolve import resolve_profiles
from .rules import RuleContext, run_rules
from .source import DEFAULT_LIMITS, Limits, SourceFile, parse_source, read_source
from .visibility import Hierarchy


@dataclass
class CompileResult:
    """The diagnostics of a run, and the organisation when it has no errors."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    org: CompiledOrg | None = None
    document: OrgDocument | None = None

    @property
    def has_errors(self) -> bool:
        return any(d.is_error for d in self.diagnostics)


def compile_path(
    path: Path, display_name: str | None = None, limits: Limits = DEFAULT_LIMITS
) -> CompileResult:
    """Compile an org file. Raises InputFileError when it cannot be opened."""
    try:
        source = read_source(path, display_name, limits)
    except LoadError as exc:
        return CompileResult(sort_diagnostics(exc.diagnostics))
    included, problems = load_includes(source, path, limits)
    return compile_source(source, included, problems)


def compile_bytes(
    raw: bytes, name: str, limits: Limits = DEFAULT_LIMITS
) -> CompileResult:
    try:
        source = parse_source(raw, name, limits)
    except LoadError as exc:
        return CompileResult(sort_diagnostics(exc.diagnostics))
    return compile_source(source)


def compile_source(
    source: SourceFile,
    included: Sequence[SourceFile] = (),
    include_problems: Sequence[Diagnostic] = (),
) -> CompileResult:
    document = build_document(source, included)
    catalogue = _catalogue_for(document)
    context = RuleContext(document, catalogue)
    diagnostics = [*include_problems, *document.diagnostics, *run_rules(context)]

    resolution = resolve_profiles(document, catalogue, context.unresolvable_profiles)
    diagnostics.extend(resolution.diagnostics)
    diagnostics = sort_diagnostics(diagnostics)
    if any(d.is_error for d in diagnostics) or document.establishment is None:
        return CompileResult(diagnostics, document=document)

    users = {
        entry.user.login: CompiledUser(
            login=entry.user.login,
            first_name=entry.user.first_name,
            last_name=entry.user.last_name,
            email=entry.user.email,
            structure=entry.user.structure,
            profile=entry.user.profile,
            manager=entry.user.manager,
            active=entry.user.active,
            location=entry.locate(),
            hired_on=entry.user.hired_on,
        )
        for entry in sorted(document.users, key=lambda e: e.user.login)
    }
    hierarchy = Hierarchy({login: user.manager for login, user in users.items()})
    org = CompiledOrg(
        source_name=source.name,
        establishment=document.establishment,
        structures=list(document.structures),
        catalogue=catalogue,
        profiles=dict(sorted(resolution.profiles.items())),
        users=users,
        hierarchy=hierarchy,
        diagnostics=diagnostics,
    )
    return CompileResult(diagnostics, org, document)


def _catalogue_for(document: OrgDocument) -> Catalogue:
    """Extend the shipped catalogue with the org's own rights that are sound."""
    shipped = load_catalogue()
    seen: set[str] = set()
    extra = []
    for right in document.rights:
        if right.key in shipped or right.key in seen or not shipped.has_tab(right.tab):
            continue
        seen.add(right.key)
        extra.append(right)
    return shipped.extended(extra) if extra else shipped
