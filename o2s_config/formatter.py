"""The canonical layout of an org file, as `o2s-config fmt` writes it.

ruamel.yaml's round-trip mode loads the file with its comments, anchors, flow
or block style and scalar quotes, and dumps it with 2-space indentation. On the
way, this module puts the keys of the top level, of `establishment`, of each
profile and of each user in the order of the fields in `model.py`, sorts
`allow` and `deny`, and quotes the identifiers written with digits.

ruamel.yaml stores a full-line comment with the value above it, so moving a key
would take the comments above the next key along. Before reordering, each block
of full-line comments (and blank lines) is detached and attached to the key or
list item below it, indented like that key or item.

Two checks run on every result, and a failure raises FormatError. The
formatted text must load, with the project's own loader, to the same data as
the original once `allow` and `deny` are sorted. It must also contain the same
comment lines.
"""

from __future__ import annotations

import codecs
import difflib
import itertools
import re
import types
import typing
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from io import StringIO
from typing import Any

from _ruamel_yaml import CParser
from pydantic import BaseModel
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedBase, CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.events import DocumentEndEvent, DocumentStartEvent, StreamEndEvent
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, ScalarString
from ruamel.yaml.tokens import CommentToken

from .diagnostics import LoadError
from .model import OrgFile, Profile
from .source import DEFAULT_LIMITS, Limits, decode_text, parse_source

# Top-level sections whose keys follow the model's field order at every level.
ORDERED_SECTIONS = ("establishment", "profiles", "users")
# Profile fields whose lists are sorted.
SORTED_FIELDS = ("allow", "deny")
# Fields whose text is quoted when it is made of digits, so that an edit that
# removes the spaces of `732 829 320` cannot turn it into a YAML number.
IDENTIFIER_FIELDS = frozenset(
    {
        "postal_code",
        "siren",
        "siret",
        "orias",
        "phone",
        "naf",
        "vat_number",
        "policy_number",
    }
)
DIGIT_STRING = re.compile(r"\+?[0-9][0-9 .-]*")
_LEADING_BLANK_LINES = re.compile(r"\A(?:[ \t]*\n)+")

# With indent(mapping=2, sequence=4, offset=2), every nesting level, a mapping
# under a key or a list item under its key, starts 2 columns further right.
INDENT_STEP = 2
# ruamel.yaml folds lines longer than 80 columns by default, which splits flow
# mappings between a key and its value and leaves trailing spaces. This width
# keeps flow mappings and lists of up to 4096 characters on one line.
LINE_WIDTH = 4096


class FormatError(Exception):
    """Formatting would change the file's data or comments, so nothing is written.

    Apart from CommentNotKept, this is a bug in the formatter.
    """


class CommentNotKept(FormatError):
    """A comment sits where ruamel.yaml drops it, such as inside a flow list."""


@dataclass(frozen=True)
class FormattedText:
    """A file's text as read and in canonical form, byte order mark included."""

    original: str
    formatted: str

    @property
    def changed(self) -> bool:
        return self.original != self.formatted

    def unified_diff(self, name: str) -> str:
        """Return the changes as a unified diff, empty when there is none."""
        lines = difflib.unified_diff(
            self.original.splitlines(keepends=True),
            self.formatted.splitlines(keepends=True),
            fromfile=name,
            tofile=f"{name} (formatted)",
        )
        return "".join(_end_line(line) for line in lines)


def _end_line(line: str) -> str:
    if line.endswith("\n"):
        return line
    return line + "\n\\ No newline at end of file\n"


def format_bytes(
    raw: bytes, name: str, limits: Limits = DEFAULT_LIMITS
) -> FormattedText:
    """Format the bytes of a valid org file.

    A UTF-8 byte order mark is kept, and so are CR LF line endings when the
    first line ends with one. Raises LoadError when the bytes are not UTF-8
    text, and FormatError when a check of the result fails.
    """
    text = decode_text(raw, name)
    bom = "\ufeff" if raw.startswith(codecs.BOM_UTF8) else ""
    first_break = text.find("\n")
    crlf = first_break > 0 and text[first_break - 1] == "\r"

    formatted = format_text(text.replace("\r\n", "\n"), name, limits)
    if crlf:
        formatted = formatted.replace("\n", "\r\n")
    return FormattedText(bom + text, bom + formatted)


def format_text(
    text: str, name: str = "<text>", limits: Limits = DEFAULT_LIMITS
) -> str:
    """Return the canonical form of an org file's text, with LF line endings.

    Raises FormatError when the result would not load to the same data or
    would not hold the same comments.
    """
    # ruamel.yaml keeps one blank line at the start of a file that has more,
    # so a second run would change the file again.
    text = _LEADING_BLANK_LINES.sub("", text)
    yaml = _round_trip(text)
    # NOTE: ruamel.yaml's composer recurses per nesting level. Around 400
    # levels, far above the default --max-depth of 64, it raises RecursionError.
    data = yaml.load(text)
    if isinstance(data, CommentedMap):
        _arrange_root(data)
    stream = StringIO()
    yaml.dump(data, stream)
    formatted = stream.getvalue()

    _check_same_comments(text, formatted, name)
    _check_same_data(text, formatted, name, limits)
    return formatted


def _round_trip(text: str) -> YAML:
    """Return a round-trip YAML instance that keeps the document markers of `text`."""
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = LINE_WIDTH
    parser = CParser(text)
    while True:
        event = parser.get_event()
        if isinstance(event, DocumentStartEvent):
            yaml.explicit_start = bool(event.explicit)
            if event.version is not None:
                yaml.version = event.version
        elif isinstance(event, DocumentEndEvent):
            yaml.explicit_end = bool(event.explicit)
            return yaml
        elif isinstance(event, StreamEndEvent):
            return yaml


# Walking the sections


def _arrange_root(root: CommentedMap) -> None:
    # The comments above the first key are the file's header, such as the
    # yaml-language-server line, so they stay at the top.
    _arrange_entries(root, 0, order=list(OrgFile.model_fields), keep_opening=True)
    # A key that moves to the top may bring the blank line above it. Without a
    # header, ruamel.yaml would write it as the file's first line.
    entry = root.ca.items.get(next(iter(root), None))
    if not (root.ca.comment and root.ca.comment[1]) and entry and entry[1]:
        while entry[1] and not entry[1][0].value.strip():
            entry[1].pop(0)
    for section in ORDERED_SECTIONS:
        if section in root:
            _arrange_value(
                root[section],
                OrgFile.model_fields[section].annotation,
                INDENT_STEP,
                root.ca.items.get(section),
            )


def _arrange_value(
    node: Any, annotation: Any, column: int, parent_entry: list[Any] | None
) -> None:
    """Arrange `node`, typed `annotation`, whose entries start at `column`."""
    container, model = _model_in(annotation)
    if model is None:
        return
    if container is None and isinstance(node, CommentedMap):
        _arrange_model(node, model, column, parent_entry)
    elif container is list and isinstance(node, CommentedSeq):
        _arrange_entries(node, column, parent_entry=parent_entry)
        for index, item in enumerate(node):
            if isinstance(item, CommentedMap):
                lifted = _arrange_model(
                    item, model, column + INDENT_STEP, None, lift_first=True
                )
                _set_above(node, index, lifted, column)
    elif container is dict and isinstance(node, CommentedMap):
        _arrange_entries(node, column, parent_entry=parent_entry)
        for key, item in node.items():
            _arrange_value(item, model, column + INDENT_STEP, node.ca.items.get(key))


def _arrange_model(
    node: CommentedMap,
    model: type[BaseModel],
    column: int,
    parent_entry: list[Any] | None,
    lift_first: bool = False,
) -> list[str]:
    """Order a mapping's keys by `model`, and arrange its values.

    Returns the lines above the first key when `lift_first` is true, for a
    mapping that is a list item: they go above its dash.
    """
    lifted = _arrange_entries(
        node,
        column,
        order=list(model.model_fields),
        parent_entry=parent_entry,
        lift_first=lift_first,
    )
    for key in list(node):
        field = model.model_fields.get(key)
        if field is None:
            continue
        value = node[key]
        if key in IDENTIFIER_FIELDS and _is_plain_digit_string(value):
            node[key] = DoubleQuotedScalarString(value)
        elif model is Profile and key in SORTED_FIELDS:
            if isinstance(value, CommentedSeq):
                _arrange_entries(
                    value,
                    column + INDENT_STEP,
                    sort_key=str,
                    parent_entry=node.ca.items.get(key),
                )
        else:
            _arrange_value(
                value, field.annotation, column + INDENT_STEP, node.ca.items.get(key)
            )
    return lifted


def _model_in(annotation: Any) -> tuple[type | None, type[BaseModel] | None]:
    """Return the container (list, dict or None) and the model an annotation holds."""
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if origin is typing.Union or origin is types.UnionType:
        for argument in arguments:
            container, model = _model_in(argument)
            if model is not None:
                return container, model
        return None, None
    if origin in (list, dict) and arguments:
        _, model = _model_in(arguments[-1])
        return origin, model
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return None, annotation
    return None, None


def _is_plain_digit_string(value: Any) -> bool:
    # A ScalarString is quoted or a block scalar already; plain text is a str.
    return (
        isinstance(value, str)
        and not isinstance(value, ScalarString)
        and DIGIT_STRING.fullmatch(value) is not None
    )


# Moving comments and entries
#
# ruamel.yaml keeps the comments of a mapping in `ca.items[key]`, a list of
# four slots. Slot [1] is the comment lines above the key. Slot [2] is the
# comment after a scalar or flow value: its end-of-line comment, then the full
# lines below it. Slot [3] is the lines between the key and a block value.
# A list uses slot [0] for the comment after an item and [1] for the lines
# above it. `ca.comment` is a collection's end-of-line comment [0] and the
# lines above its first entry [1], and `ca.end` the lines after its last entry.

Key = Any


def _arrange_entries(
    node: CommentedMap | CommentedSeq,
    column: int,
    *,
    order: list[str] | None = None,
    sort_key: Callable[[Any], Any] | None = None,
    keep_opening: bool = False,
    parent_entry: list[Any] | None = None,
    lift_first: bool = False,
) -> list[str]:
    """Attach each comment block to the entry below it, then order the entries.

    A mapping follows `order` (keys it does not name go after those it names,
    in their original order), and a list is sorted by `sort_key` of its items.
    With `lift_first`, the lines above the first entry are returned instead
    of attached, and an empty list otherwise.
    """
    keys = _keys(node)
    if not keys:
        return []
    if _is_flow(node):
        # ruamel.yaml drops full-line comments inside a flow collection, which
        # _check_same_comments reports, so only the entries move here.
        _reorder(node, _ordered_keys(node, keys, order, sort_key))
        return []

    above: dict[Key, list[str]] = {}
    above[keys[0]] = [] if keep_opening else _take_opening(node, parent_entry)
    above[keys[0]] += _take_above(node, keys[0])
    for previous, key in itertools.pairwise(keys):
        above[key] = _take_below_entry(node, previous) + _take_above(node, key)
    tail = _take_below_entry(node, keys[-1]) + _take_end(node)

    if isinstance(node, CommentedSeq):
        for key in keys:
            item = node[key]
            if isinstance(item, CommentedMap) and item and not _is_flow(item):
                # Lines between the dash and the item's first key go above the
                # dash, since the item's keys may change order.
                above[key] += _take_opening(item, None)
                above[key] += _take_above(item, next(iter(item)))

    ordered = _ordered_keys(node, keys, order, sort_key)
    _reorder(node, ordered)
    lifted = above.pop(ordered[0]) if lift_first else []
    # After _reorder a list's items are numbered again from 0.
    positions = ordered if isinstance(node, CommentedMap) else range(len(ordered))
    for position, key in zip(positions, ordered, strict=True):
        _set_above(node, position, above.get(key, []), column)
    _append_below(node, tail)
    return lifted


def _keys(node: CommentedMap | CommentedSeq) -> list[Key]:
    if isinstance(node, CommentedMap):
        return list(node)
    return list(range(len(node)))


def _ordered_keys(
    node: CommentedMap | CommentedSeq,
    keys: list[Key],
    order: list[str] | None,
    sort_key: Callable[[Any], Any] | None,
) -> list[Key]:
    if order is not None:
        rank = {name: index for index, name in enumerate(order)}
        return sorted(keys, key=lambda key: rank.get(key, len(rank)))
    if sort_key is not None:
        return sorted(keys, key=lambda index: sort_key(node[index]))
    return keys


def _reorder(node: CommentedMap | CommentedSeq, ordered: list[Key]) -> None:
    if isinstance(node, CommentedMap):
        for key in ordered:
            node.move_to_end(key)
        return
    if ordered == list(range(len(node))):
        return
    items = [node[index] for index in ordered]
    entries = {
        position: node.ca.items[index]
        for position, index in enumerate(ordered)
        if index in node.ca.items
    }
    # list.__setitem__ skips CommentedSeq's own bookkeeping, which would
    # renumber the comment slots a second time.
    list.__setitem__(node, slice(None), items)
    node.ca.items.clear()
    node.ca.items.update(entries)


def _is_flow(node: CommentedMap | CommentedSeq) -> bool:
    return bool(node.fa.flow_style())


def _is_block_collection(value: Any) -> bool:
    return (
        isinstance(value, CommentedMap | CommentedSeq)
        and len(value) > 0
        and not _is_flow(value)
    )


def _below_slot(node: CommentedMap | CommentedSeq) -> int:
    return 2 if isinstance(node, CommentedMap) else 0


def _take_opening(node: CommentedBase, parent_entry: list[Any] | None) -> list[str]:
    """Detach the lines above a block collection's first entry.

    The end-of-line comment of the line that opens the collection stays. The
    parent mapping shares it in slot [2] and the lines above the first entry
    in slot [3] of `parent_entry`.
    """
    lines: list[str] = []
    comment = node.ca.comment
    if comment and comment[0] is not None:
        token = comment[0]
        end_of_line, below = _split_below(token.value)
        lines += below
        if end_of_line:
            token.value = end_of_line
        else:
            comment[0] = None
            if parent_entry and len(parent_entry) > 2 and parent_entry[2] is token:
                parent_entry[2] = None
    tokens: list[CommentToken] = []
    if comment and len(comment) > 1 and comment[1]:
        tokens += comment[1]
        comment[1] = None
    if parent_entry is not None and len(parent_entry) > 3 and parent_entry[3]:
        tokens += [t for t in parent_entry[3] if all(t is not s for s in tokens)]
        parent_entry[3] = None
    for token in tokens:
        lines += _token_lines(token)
    return lines


def _take_above(node: CommentedMap | CommentedSeq, key: Key) -> list[str]:
    """Detach the lines ruamel.yaml already stores above an entry."""
    entry = node.ca.items.get(key)
    if not entry or len(entry) < 2 or not entry[1]:
        return []
    lines = [line for token in entry[1] for line in _token_lines(token)]
    entry[1] = None
    return lines


def _take_below_entry(node: CommentedMap | CommentedSeq, key: Key) -> list[str]:
    """Detach the full lines below an entry, keeping its end-of-line comment."""
    value = node[key]
    if _is_block_collection(value):
        return _take_below_collection(value)
    entry = node.ca.items.get(key)
    slot = _below_slot(node)
    token = entry[slot] if entry and len(entry) > slot else None
    lines: list[str] = []
    if token is not None:
        end_of_line, lines = _split_below(token.value)
        if end_of_line:
            token.value = end_of_line
        else:
            entry[slot] = None
            # A flow collection shares this token as its own end-of-line comment.
            shared = isinstance(value, CommentedBase) and value.ca.comment
            if shared and value.ca.comment[0] is token:
                value.ca.comment[0] = None
    if isinstance(value, CommentedMap | CommentedSeq):
        lines += _take_end(value)
    return lines


def _take_below_collection(node: CommentedMap | CommentedSeq) -> list[str]:
    keys = _keys(node)
    lines = _take_below_entry(node, keys[-1]) if keys else []
    return lines + _take_end(node)


def _take_end(node: CommentedMap | CommentedSeq) -> list[str]:
    tokens = node.ca.end or []
    node.ca.end = None
    return [line for token in tokens for line in _token_lines(token)]


def _set_above(
    node: CommentedMap | CommentedSeq, key: Key, lines: list[str], column: int
) -> None:
    """Add lines above an entry, indented to `column`, after those it has."""
    if not lines:
        return
    entry = node.ca.items.setdefault(key, [None, None, None, None])
    while len(entry) < 2:
        entry.append(None)
    tokens = [
        CommentToken(
            f"{line.strip()}\n" if line.strip() else "\n",
            CommentMark(column if line.strip() else 0),
        )
        for line in lines
    ]
    entry[1] = [*(entry[1] or []), *tokens]


def _append_below(node: CommentedMap | CommentedSeq, lines: list[str]) -> None:
    """Attach lines below the last entry of `node`, as ruamel.yaml stores them."""
    if not lines:
        return
    last = _keys(node)[-1]
    value = node[last]
    if _is_block_collection(value):
        _append_below(value, lines)
        return
    entry = node.ca.items.setdefault(last, [None, None, None, None])
    slot = _below_slot(node)
    text = "".join(f"{line}\n" for line in lines)
    token = entry[slot]
    if token is None:
        entry[slot] = CommentToken("\n" + text, CommentMark(0))
    else:
        token.value = token.value + text


def _split_below(value: str) -> tuple[str, list[str]]:
    """Split a comment token's text into its end-of-line comment and the lines below.

    The end-of-line part keeps its newline; it is empty when the token starts
    with a newline, that is when the value's line has no comment.
    """
    first, _, rest = value.partition("\n")
    end_of_line = f"{first}\n" if first.strip() else ""
    return end_of_line, rest.splitlines()


def _token_lines(token: CommentToken) -> list[str]:
    """Return a stored comment token as lines, the first one indented to its column."""
    lines = token.value.splitlines() or [""]
    column = getattr(token, "column", 0) or 0
    if lines[0].strip():
        lines[0] = " " * column + lines[0]
    return lines


# Checks of the result


def _check_same_data(original: str, formatted: str, name: str, limits: Limits) -> None:
    before = _sorted_patterns(parse_source(original.encode(), name, limits).data)
    try:
        after = parse_source(formatted.encode(), name, limits).data
    except LoadError as exc:
        problem = exc.diagnostics[0].message if exc.diagnostics else "no diagnostic"
        raise FormatError(
            f"{name}: the formatted text does not load ({problem}), so the file is "
            "left unchanged"
        ) from None
    if before != after:
        raise FormatError(
            f"{name}: formatting would change the data of the file, so the file is "
            "left unchanged"
        )


def _sorted_patterns(data: Any) -> Any:
    profiles = data.get("profiles") if isinstance(data, dict) else None
    if not isinstance(profiles, dict):
        return data
    for body in profiles.values():
        if not isinstance(body, dict):
            continue
        for field in SORTED_FIELDS:
            if isinstance(body.get(field), list):
                body[field] = sorted(body[field], key=str)
    return data


def _check_same_comments(original: str, formatted: str, name: str) -> None:
    before = _comment_lines(original)
    after = _comment_lines(formatted)
    if before == after:
        return
    missing = sorted((before - after).elements())
    if not missing:
        extra = sorted((after - before).elements())
        raise FormatError(
            f"{name}: formatting would add the comment {extra[0]!r}, so the file "
            "is left unchanged"
        )
    comment = missing[0]
    line = next(
        (
            number
            for number, text in enumerate(original.splitlines(), start=1)
            if text.rstrip().endswith(comment)
        ),
        None,
    )
    where = f"{name}:{line}" if line is not None else name
    raise CommentNotKept(
        f"{where}: fmt cannot keep the comment {comment!r}, so the file is left "
        "unchanged. ruamel.yaml drops comments in some places, such as inside a "
        "flow list [...] or mapping {...}; move the comment to its own line above "
        "the key"
    )


def _comment_lines(text: str) -> Counter[str]:
    """Count the comment lines ruamel.yaml stores for a text, each stripped."""
    yaml = YAML(typ="rt")
    data = yaml.load(text)
    counts: Counter[str] = Counter()
    for token in _comment_tokens(data):
        for line in token.value.splitlines():
            if line.strip().startswith("#"):
                counts[line.strip()] += 1
    return counts


def _comment_tokens(root: Any) -> Iterator[CommentToken]:
    seen_nodes: set[int] = set()
    seen_tokens: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if not isinstance(node, CommentedBase) or id(node) in seen_nodes:
            continue
        seen_nodes.add(id(node))
        comments = node.ca
        for token in _flatten(
            [comments.comment, list(comments.items.values()), comments.end]
        ):
            if id(token) not in seen_tokens:
                seen_tokens.add(id(token))
                yield token
        if isinstance(node, CommentedMap):
            stack.extend(node.values())
        elif isinstance(node, CommentedSeq):
            stack.extend(node)


def _flatten(value: Any) -> Iterator[CommentToken]:
    if isinstance(value, CommentToken):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _flatten(item)
