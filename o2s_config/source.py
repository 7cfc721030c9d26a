"""Reading org files: bytes to plain data, with the position of every value.

The libyaml-backed parser of ruamel.yaml.clib produces events, and one loop
builds dicts, lists and scalars from them. Doing it here, instead of letting
the C composer build nodes, is what lets the loader bound nesting depth (the C
composer recurses and overflows the C stack on deeply nested input) and alias
expansion, reject duplicate keys and foreign tags, and keep positions in a
compact side table that is read only when a diagnostic needs one.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ruamel.yaml.error as yaml_error
import ruamel.yaml.events as ev
from _ruamel_yaml import CParser
from ruamel.yaml.reader import ReaderError

from .diagnostics import Diagnostic, InputFileError, LoadError, Location, error
from .scalars import STANDARD_TAGS, TAG_PREFIX, resolve_plain, resolve_tagged

PathKey = str | int
DataPath = Sequence[PathKey]


@dataclass(frozen=True)
class Limits:
    """Bounds that keep a hostile file from exhausting time or memory."""

    max_bytes: int = 64 * 1024 * 1024
    max_depth: int = 64
    max_alias_nodes: int = 100_000


DEFAULT_LIMITS = Limits()

# A value's position: (line, column), both counted from 0 as libyaml does.
Mark = tuple[int, int]


class SourceFile:
    """One loaded YAML file: its plain data and a position table.

    `marks` maps the id() of every dict and list in `data` to the positions of
    its entries: for a dict, key -> (key line, key column, value line, value
    column); for a list, one (line, column) per item.
    """

    def __init__(
        self, name: str, text: str, data: Any, marks: dict[int, Any], root: Mark
    ) -> None:
        self.name = name
        self.text = text
        self.data = data
        self._marks = marks
        self._root = root
        self._lines: list[str] | None = None

    def locate(self, path: DataPath, key: bool = False) -> Location:
        """Return where the value at `path` is, or its key when `key` is true.

        A path that leaves the data (a missing field) resolves to the deepest
        container that exists, which is where the missing entry belongs.
        """
        line, column = self._root
        node = self.data
        for depth, step in enumerate(path):
            entries = self._marks.get(id(node))
            if entries is None:
                break
            last = depth == len(path) - 1
            if isinstance(node, dict) and isinstance(step, str) and step in entries:
                key_line, key_column, line, column = entries[step]
                if last and key:
                    line, column = key_line, key_column
                node = node[step]
            elif (
                isinstance(node, list)
                and isinstance(step, int)
                and 0 <= step < len(node)
            ):
                line, column = entries[step]
                node = node[step]
            else:
                break
        return Location(self.name, line + 1, column + 1)

    def line_text(self, line: int) -> str:
        """Return the text of a line, counted from 1."""
        if self._lines is None:
            self._lines = self.text.splitlines()
        if 1 <= line <= len(self._lines):
            return self._lines[line - 1]
        return ""

    def token_at(self, location: Location) -> str:
        """Return the plain scalar written at a location, as typed in the file."""
        rest = self.line_text(location.line)[location.column - 1 :]
        token = rest.split(" #", 1)[0]
        for stop in (",", "}", "]"):
            token = token.split(stop, 1)[0]
        return token.strip()


def read_source(
    path: Path, display_name: str | None = None, limits: Limits = DEFAULT_LIMITS
) -> SourceFile:
    """Read and parse an org file.

    Raises InputFileError when the file cannot be opened (missing, a folder,
    a FIFO, unreadable), and LoadError with diagnostics when its content is
    not usable YAML.
    """
    name = display_name or str(path)
    raw = _read_bytes(path, name, limits)
    return parse_source(raw, name, limits)


def _read_bytes(path: Path, name: str, limits: Limits) -> bytes:
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise InputFileError(f"{name}: file not found") from None
    except OSError as exc:
        raise InputFileError(f"{name}: cannot read the file: {exc.strerror}") from None

    if stat.S_ISDIR(info.st_mode):
        raise InputFileError(f"{name}: is a folder, not an org file")
    if not stat.S_ISREG(info.st_mode):
        raise InputFileError(
            f"{name}: is not a regular file (a FIFO, socket or device)"
        )
    if info.st_size > limits.max_bytes:
        raise LoadError([_too_large(name, info.st_size, limits)])

    try:
        with open(path, "rb") as handle:
            raw = handle.read(limits.max_bytes + 1)
    except OSError as exc:
        raise InputFileError(f"{name}: cannot read the file: {exc.strerror}") from None
    if len(raw) > limits.max_bytes:
        raise LoadError([_too_large(name, len(raw), limits)])
    return raw


def _too_large(name: str, size: int, limits: Limits) -> Diagnostic:
    return error(
        "Y006",
        f"file is {size:,} bytes, over the limit of {limits.max_bytes:,} bytes",
        Location(name),
        hint="split the organisation into smaller files, or raise --max-bytes",
    )


def parse_source(raw: bytes, name: str, limits: Limits = DEFAULT_LIMITS) -> SourceFile:
    """Parse the bytes of a YAML file into a SourceFile, or raise LoadError."""
    if len(raw) > limits.max_bytes:
        raise LoadError([_too_large(name, len(raw), limits)])
    text = decode_text(raw, name)
    builder = _Builder(name, limits)
    data, root = builder.build(text)
    return SourceFile(name, text, data, builder.marks, root)


def decode_text(raw: bytes, name: str) -> str:
    """Decode UTF-8 (with or without a byte order mark), or raise LoadError."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise LoadError(
            [
                error(
                    "Y007",
                    "file is encoded as UTF-16; o2s-config reads UTF-8",
                    Location(name, 1, 1),
                    hint="save the file as UTF-8 (in most editors: Save with encoding)",
                )
            ]
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, column = _line_and_column(raw, exc.start)
        byte = raw[exc.start]
        raise LoadError(
            [
                error(
                    "Y007",
                    f"invalid UTF-8 byte 0x{byte:02x}; the file looks like Latin-1 or "
                    "Windows-1252",
                    Location(name, line, column),
                    hint="save the file as UTF-8",
                )
            ]
        ) from None

    nul = text.find("\x00")
    if nul >= 0:
        line, column = _line_and_column(text.encode("utf-8"), len(text[:nul].encode()))
        raise LoadError(
            [
                error(
                    "Y007",
                    "NUL character in the file; it is binary or not UTF-8 text",
                    Location(name, line, column),
                    hint="save the file as UTF-8 text",
                )
            ]
        )
    return text


def _line_and_column(raw: bytes, offset: int) -> tuple[int, int]:
    line = raw.count(b"\n", 0, offset) + 1
    start = raw.rfind(b"\n", 0, offset) + 1
    column = len(raw[start:offset].decode("utf-8", errors="replace")) + 1
    return line, column


_NO_KEY = object()
_SKIP = object()


class _Frame:
    __slots__ = ("anchor", "count", "key", "key_mark", "marks", "start", "value")

    def __init__(
        self, value: Any, marks: Any, anchor: str | None, count: int, start: Mark
    ) -> None:
        self.value = value
        self.marks = marks
        self.anchor = anchor
        self.count = count
        self.start = start
        self.key: Any = _NO_KEY
        self.key_mark: Mark = start


class _Builder:
    """Turns parser events into plain data; see the module docstring."""

    def __init__(self, name: str, limits: Limits) -> None:
        self.name = name
        self.limits = limits
        self.marks: dict[int, Any] = {}
        self.problems: list[Diagnostic] = []
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.stack: list[_Frame] = []
        # Values built, counting each alias as the size of what it stands for.
        self.expanded = 0
        self.alias_nodes = 0
        self.root: Any = _NO_KEY
        self.root_mark: Mark = (0, 0)
        self.documents = 0

    def build(self, text: str) -> tuple[dict[str, Any], Mark]:
        parser = CParser(text)
        try:
            self._consume(parser)
        except yaml_error.YAMLError as exc:
            raise LoadError([*self.problems, self._syntax_error(exc, text)]) from None
        except RecursionError:
            raise LoadError(
                [self._fatal("Y005", "nesting is too deep", (0, 0))]
            ) from None

        if self.problems:
            raise LoadError(self.problems)
        if self.root is _NO_KEY or self.root is None:
            raise LoadError([self._empty_error(text)])
        if not isinstance(self.root, dict):
            raise LoadError([self._top_level_error()])
        return self.root, self.root_mark

    def _empty_error(self, text: str) -> Diagnostic:
        if not text.strip():
            found = "file is empty"
        elif self.root is _NO_KEY:
            found = "file contains only comments"
        else:
            found = "the file's YAML document is empty (null)"
        return error(
            "Y008",
            f"{found}; an org file is a mapping that starts with 'version: 1'",
            Location(self.name, 1, 1),
            hint="write 'version: 1', then establishment, profiles and users, as "
            "docs/format.md describes",
        )

    def _top_level_error(self) -> Diagnostic:
        if isinstance(self.root, list):
            kind = "a list"
            hint = "remove the '- ' before the top-level keys"
        else:
            kind = "a single value"
            hint = "write each top-level key followed by ': ', as in 'version: 1'"
        return self._fatal(
            "Y009",
            f"the top level of the file is {kind}; it must be a mapping with keys "
            "such as version, establishment, profiles and users",
            self.root_mark,
            hint=hint,
        )

    def _consume(self, parser: Any) -> None:
        get_event = parser.get_event
        scalar_event = ev.ScalarEvent
        mapping_start = ev.MappingStartEvent
        mapping_end = ev.MappingEndEvent
        sequence_start = ev.SequenceStartEvent
        sequence_end = ev.SequenceEndEvent
        alias_event = ev.AliasEvent
        document_start = ev.DocumentStartEvent
        stream_end = ev.StreamEndEvent
        stack = self.stack

        while True:
            event = get_event()
            kind = type(event)
            if kind is scalar_event:
                self._scalar(event)
            elif kind is mapping_start or kind is sequence_start:
                self.expanded += 1
                mark = (event.start_mark.line, event.start_mark.column)
                if len(stack) >= self.limits.max_depth:
                    raise LoadError([*self.problems, self._depth_error(mark)])
                self._check_container_tag(event, kind is mapping_start, mark)
                if kind is mapping_start:
                    frame = _Frame({}, {}, event.anchor, self.expanded, mark)
                else:
                    frame = _Frame([], [], event.anchor, self.expanded, mark)
                self.marks[id(frame.value)] = frame.marks
                stack.append(frame)
            elif kind is mapping_end or kind is sequence_end:
                frame = stack.pop()
                if frame.anchor is not None:
                    self.anchors[frame.anchor] = (
                        frame.value,
                        self.expanded - frame.count + 1,
                    )
                self._add(frame.value, frame.start)
            elif kind is alias_event:
                self._alias(event)
            elif kind is document_start:
                self.documents += 1
                if self.documents > 1:
                    mark = (event.start_mark.line, event.start_mark.column)
                    raise LoadError(
                        [
                            *self.problems,
                            self._fatal(
                                "Y001",
                                "the file contains more than one YAML document",
                                mark,
                                hint="keep one document per file; remove the second '---'",
                            ),
                        ]
                    )
            elif kind is stream_end:
                return

    def _scalar(self, event: Any) -> None:
        self.expanded += 1
        mark = (event.start_mark.line, event.start_mark.column)
        text = event.value
        tag = event.tag
        plain = not event.style
        value: Any
        if tag is None or tag == "!":
            value = resolve_plain(text) if plain and tag is None else text
        elif tag in STANDARD_TAGS:
            resolved = resolve_tagged(tag, text)
            if isinstance(resolved, ValueError):
                self.problems.append(
                    self._fatal(
                        "Y003",
                        str(resolved),
                        mark,
                        hint="remove the tag, or write a value of the tagged type",
                    )
                )
                value = text
            else:
                value = resolved
        else:
            self.problems.append(self._tag_error(tag, mark))
            value = text

        stack = self.stack
        top = stack[-1] if stack else None
        in_key = top is not None and isinstance(top.value, dict) and top.key is _NO_KEY
        if plain and text == "<<" and in_key:
            assert top is not None
            self.problems.append(self._merge_key_error(mark))
            top.key = _SKIP
            top.key_mark = mark
            return
        if event.anchor is not None:
            self.anchors[event.anchor] = (value, 1)
        self._add(value, mark)

    def _alias(self, event: Any) -> None:
        mark = (event.start_mark.line, event.start_mark.column)
        found = self.anchors.get(event.anchor)
        if found is None:
            self.problems.append(
                self._fatal(
                    "Y001",
                    f"alias *{event.anchor} refers to no anchor defined before it",
                    mark,
                    hint=f"define '&{event.anchor}' on a value above this line",
                )
            )
            self._add(None, mark)
            return

        value, size = found
        self.expanded += size
        self.alias_nodes += size
        if self.alias_nodes > self.limits.max_alias_nodes:
            raise LoadError(
                [
                    *self.problems,
                    self._fatal(
                        "Y004",
                        f"aliases expand to more than {self.limits.max_alias_nodes:,} "
                        "values; the file may be a 'billion laughs' attack",
                        mark,
                        hint="write the values out, or raise --max-alias-nodes",
                    ),
                ]
            )
        self._add(value, mark)

    def _add(self, value: Any, mark: Mark) -> None:
        stack = self.stack
        if not stack:
            self.root = value
            self.root_mark = mark
            return

        top = stack[-1]
        if isinstance(top.value, list):
            top.value.append(value)
            top.marks.append(mark)
            return
        if top.key is _NO_KEY:
            self._set_key(top, value, mark)
            return
        if top.key is not _SKIP:
            key_line, key_column = top.key_mark
            top.value[top.key] = value
            top.marks[top.key] = (key_line, key_column, mark[0], mark[1])
        top.key = _NO_KEY

    def _set_key(self, top: _Frame, key: Any, mark: Mark) -> None:
        top.key = _SKIP
        top.key_mark = mark
        if not isinstance(key, str):
            self.problems.append(self._key_type_error(key, mark))
        elif key in top.value:
            first = top.marks[key]
            where = f"line {first[0] + 1}"
            if first[0] == mark[0]:
                where += f", column {first[1] + 1}"
            self.problems.append(
                self._fatal(
                    "Y002",
                    f"duplicate key '{key}'; it is first defined at {where}",
                    mark,
                    hint="remove one of the two entries; YAML keeps only one value per key",
                )
            )
        else:
            top.key = key

    def _check_container_tag(self, event: Any, is_mapping: bool, mark: Mark) -> None:
        tag = event.tag
        if tag is None or tag == "!":
            return
        expected = TAG_PREFIX + ("map" if is_mapping else "seq")
        if tag != expected:
            self.problems.append(self._tag_error(tag, mark))

    def _tag_error(self, tag: str, mark: Mark) -> Diagnostic:
        shown = (
            "!!" + tag.removeprefix(TAG_PREFIX) if tag.startswith(TAG_PREFIX) else tag
        )
        return self._fatal(
            "Y003",
            f"tag {shown} is not allowed; o2s-config reads plain YAML data and never "
            "builds objects from tags",
            mark,
            hint="remove the tag; only !!str, !!int, !!float, !!bool, !!null, !!map "
            "and !!seq are accepted",
        )

    def _merge_key_error(self, mark: Mark) -> Diagnostic:
        return self._fatal(
            "Y011",
            "merge keys ('<<') are not supported",
            mark,
            hint="write the keys out in full; an alias (*name) may stand for a whole value",
        )

    def _key_type_error(self, key: Any, mark: Mark) -> Diagnostic:
        if isinstance(key, dict | list):
            found = "a mapping" if isinstance(key, dict) else "a list"
            hint = "write the key as plain text"
        elif key is None:
            found = "null"
            hint = 'write a text key; quote the word null to use it as one: "null": ...'
        else:
            written = str(key).lower() if isinstance(key, bool) else str(key)
            kind = "boolean" if isinstance(key, bool) else "number"
            found = f"the {kind} {written}"
            hint = f'quote the key to make it text: "{written}": ...'
        return self._fatal(
            "Y010",
            f"mapping key is {found} in YAML; keys must be text",
            mark,
            hint=hint,
        )

    def _depth_error(self, mark: Mark) -> Diagnostic:
        return self._fatal(
            "Y005",
            f"nesting is deeper than {self.limits.max_depth} levels",
            mark,
            hint="an org file needs a few levels; raise --max-depth only for generated files",
        )

    def _syntax_error(self, exc: yaml_error.YAMLError, text: str) -> Diagnostic:
        if isinstance(exc, ReaderError) and isinstance(exc.character, int):
            # libyaml gives the offset of the character in the UTF-8 bytes.
            line, column = _line_and_column(text.encode("utf-8"), exc.position)
            return self._fatal(
                "Y001",
                f"YAML syntax error: {exc.reason}, found U+{exc.character:04X}",
                (line - 1, column - 1),
                hint="remove the character, or write it as the escape "
                f"\\u{exc.character:04x} inside double quotes",
            )
        if isinstance(exc, yaml_error.MarkedYAMLError):
            mark = exc.problem_mark or exc.context_mark
            where = (mark.line, mark.column) if mark is not None else (0, 0)
            problem = exc.problem or "invalid YAML"
            return self._fatal(
                "Y001",
                f"YAML syntax error: {problem}{_context(exc, where)}",
                where,
                hint=_hint(problem),
            )
        return self._fatal("Y001", f"YAML syntax error: {exc}", (0, 0))

    def _fatal(self, code: str, message: str, mark: Mark, hint: str = "") -> Diagnostic:
        return error(
            code, message, Location(self.name, mark[0] + 1, mark[1] + 1), hint=hint
        )


# libyaml reports an unclosed quote or bracket where the file ends or the next
# key starts, which can be many lines below the character to fix.
_OPENED = ("quoted scalar", "flow sequence", "flow mapping")


def _context(exc: yaml_error.MarkedYAMLError, where: Mark) -> str:
    """Return libyaml's context in brackets, with where an unclosed quote or bracket opens."""
    if not exc.context:
        return ""
    mark = exc.context_mark
    if mark is None or mark.line == where[0] or not exc.context.endswith(_OPENED):
        return f" ({exc.context})"
    return (
        f" ({exc.context} that opens at line {mark.line + 1}, column {mark.column + 1})"
    )


def _hint(problem: str) -> str:
    if "tab character" in problem:
        return "indent with spaces; YAML does not allow tabs in indentation"
    if "did not find expected key" in problem:
        return "fix the indentation: the keys of one mapping start in the same column"
    if "cannot start any token" in problem:
        return "indent with spaces, not tabs, and quote values that start with @ or `"
    if "mapping values are not allowed" in problem:
        return "quote a value that contains ': ', or fix the indentation of this line"
    if "expected ',' or ']'" in problem or "expected ',' or '}'" in problem:
        return (
            "close the bracket, or separate the items with commas; in a [...] list, "
            "quote an item that contains '?' or '[', such as a glob"
        )
    if "could not find expected ':'" in problem:
        return "add ': ' after the key, or fix the indentation"
    if "end of stream" in problem:
        return "close the quote or bracket opened above"
    return ""
