"""The layout of the organisation chart that the HTML report draws as SVG.

The chart reads left to right: each level of the hierarchy is a column, and
each user is a box. Users with no one below them take consecutive rows in the
pre-order of the hierarchy, and a manager sits halfway between the rows of
their first and last direct report. Subtrees therefore take disjoint row
ranges and no two boxes overlap. A firm with many advisers under one manager
grows the chart in height, which a printed page handles better than width.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..catalogue import Lang
from ..compiled import CompiledOrg
from .markdown import display_order
from .messages import text

BOX_WIDTH = 220
BOX_HEIGHT = 54
COLUMN_GAP = 48
ROW_GAP = 12
# Extra space between two separate trees (users with no manager), in rows.
TREE_GAP = 0.4
MARGIN = 8

# Widest text that fits a box, in characters. Estimated for the report's
# sans-serif font: about 7.4 px a character at 13 px bold, 6.2 px at 11 px.
NAME_CHARACTERS = 27
DETAIL_CHARACTERS = 33

# Colours of the stripe that marks a box's profile, by the profile's position
# in the matrix. They repeat when an org has more profiles than colours.
PROFILE_COLOURS = 8


@dataclass(frozen=True)
class ChartNode:
    """One user's box, with its top-left corner in SVG user units."""

    login: str
    x: float
    y: float
    name: str
    detail: str
    tooltip: str
    active: bool
    colour: int


@dataclass(frozen=True)
class ChartLayout:
    width: float
    height: float
    box_width: int
    box_height: int
    nodes: list[ChartNode]
    # SVG path data of the elbow connectors from each manager to each report.
    edges: list[str]


def layout_org_chart(org: CompiledOrg, lang: Lang) -> ChartLayout:
    """Place every user of the hierarchy and the connectors between them."""
    hierarchy = org.hierarchy
    rows = _rows(org)
    colours = {
        profile.id: index % PROFILE_COLOURS
        for index, profile in enumerate(display_order(org))
    }

    nodes = []
    position: dict[str, tuple[float, float]] = {}
    for login in hierarchy.order:
        user = org.users[login]
        x = MARGIN + hierarchy.depth[login] * (BOX_WIDTH + COLUMN_GAP)
        y = MARGIN + rows[login] * (BOX_HEIGHT + ROW_GAP)
        position[login] = (x, y)
        profile = org.profiles[user.profile].label
        detail = profile if user.active else f"{profile} ({text(lang, 'inactive')})"
        tooltip = f"{user.name} ({login}), {detail}"
        nodes.append(
            ChartNode(
                login=login,
                x=x,
                y=y,
                name=shorten(user.name, NAME_CHARACTERS),
                detail=shorten(detail, DETAIL_CHARACTERS),
                tooltip=tooltip,
                active=user.active,
                colour=colours.get(user.profile, 0),
            )
        )

    edges = []
    for login in hierarchy.order:
        manager = hierarchy.manager(login)
        if manager is None:
            continue
        parent_x, parent_y = position[manager]
        child_x, child_y = position[login]
        start_x = parent_x + BOX_WIDTH
        middle_x = start_x + COLUMN_GAP / 2
        edges.append(
            f"M{_n(start_x)} {_n(parent_y + BOX_HEIGHT / 2)}"
            f"H{_n(middle_x)}V{_n(child_y + BOX_HEIGHT / 2)}H{_n(child_x)}"
        )

    # NOTE: a long chain of managers makes a wide chart. The page scrolls it
    # on screen, but print shrinks it to the page width, text included.
    depth = max(hierarchy.depth.values(), default=0)
    width = 2 * MARGIN + (depth + 1) * BOX_WIDTH + depth * COLUMN_GAP
    height: float = 2 * MARGIN
    if position:
        height = max(y for _, y in position.values()) + BOX_HEIGHT + MARGIN
    return ChartLayout(width, height, BOX_WIDTH, BOX_HEIGHT, nodes, edges)


def _rows(org: CompiledOrg) -> dict[str, float]:
    """Give each user a row: leaves in pre-order, managers centred on their reports."""
    hierarchy = org.hierarchy
    rows: dict[str, float] = {}
    next_row = 0.0
    for login in hierarchy.order:
        if hierarchy.manager(login) is None and rows:
            next_row += TREE_GAP
        if not hierarchy.children.get(login):
            rows[login] = next_row
            next_row += 1
    # Reversed pre-order visits every report before its manager, so this loop
    # needs no recursion however deep the hierarchy is.
    for login in reversed(hierarchy.order):
        reports = hierarchy.children.get(login)
        if reports:
            rows[login] = (rows[reports[0]] + rows[reports[-1]]) / 2
    return rows


def shorten(value: str, limit: int) -> str:
    """Cut text to `limit` characters, ending with an ellipsis when cut."""
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


def _n(value: float) -> str:
    """Format an SVG coordinate with at most one decimal, the same way every run."""
    return f"{value:.1f}".removesuffix(".0")
