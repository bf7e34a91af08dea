"""The module diagram as inline SVG: apps in a row, contract calls above, events below.

Drawn from ``operations.module_edges`` (the code's own declarations), so it never
goes stale; no JavaScript and no network, unlike a Mermaid renderer.
"""

from __future__ import annotations

from html import escape

from django.conf import settings
from django.utils.safestring import SafeString, mark_safe

from extraction.observability.operations import Edge

BOX_W, BOX_H, GAP, TOP = 140, 44, 150, 150


def diagram_svg(edges: list[Edge]) -> SafeString:
    names = list(settings.ALL_SERVICES)
    x = {name: 20 + i * (BOX_W + GAP) for i, name in enumerate(names)}
    width = 40 + len(names) * BOX_W + (len(names) - 1) * GAP
    height = TOP * 2 + BOX_H
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" id="module-diagram" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" '
        'font-size="12">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" '
        'markerHeight="8" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z"/>'
        "</marker></defs>",
    ]
    lanes: dict[tuple[str, ...], int] = {}
    for edge in edges:
        if edge.source not in x or edge.target not in x or edge.source == edge.target:
            continue
        # Edges between the same two apps (either way) get a wider curve each.
        pair = (edge.kind, *sorted((edge.source, edge.target)))
        lane = lanes.get(pair, 0)
        lanes[pair] = lane + 1
        above = edge.kind == "call"
        x1 = x[edge.source] + BOX_W / 2 + (10 if x[edge.target] > x[edge.source] else -10)
        x2 = x[edge.target] + BOX_W / 2
        y = TOP if above else TOP + BOX_H
        bend = (-1 if above else 1) * (50 + 28 * lane + abs(x2 - x1) / 8)
        dash = "" if above else ' stroke-dasharray="5,4"'
        parts.append(
            f'<path d="M {x1:.0f} {y} Q {(x1 + x2) / 2:.0f} {y + bend * 2:.0f} {x2:.0f} {y}" '
            f'fill="none" stroke="#417690" stroke-width="1.5"{dash} marker-end="url(#arrow)"/>'
        )
        parts.append(
            f'<text x="{(x1 + x2) / 2:.0f}" y="{y + bend:.0f}" text-anchor="middle" '
            f'class="edge-{escape(edge.kind)}">{escape(edge.label)}</text>'
        )
    for name in names:
        local = name in settings.SEAMS_SERVICES
        fill = "#e8f1f5" if local else "#fff"
        stroke = 'stroke-width="2"' if local else 'stroke-width="1" stroke-dasharray="4,3"'
        suffix = "" if local else " (remote)"
        parts.append(
            f'<g class="app" data-app="{escape(name)}"><rect x="{x[name]}" y="{TOP}" '
            f'width="{BOX_W}" height="{BOX_H}" rx="6" fill="{fill}" stroke="#417690" {stroke}/>'
            f'<text x="{x[name] + BOX_W / 2:.0f}" y="{TOP + BOX_H / 2 + 4:.0f}" '
            f'text-anchor="middle">{escape(name)}{suffix}</text></g>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - built here, every label escaped
