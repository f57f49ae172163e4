"""Counts by row and month, drawn as a grid of small bar charts (one row per category or
team), in the style of :mod:`ourpatch.citizenfocus.charts` (its sizes and colours).

Rows are told apart by their written labels, not by colour. Like every chart there, the
SVG is decorative (``aria-hidden``) beside its data table, which is the accessible form.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils.html import escape

from ourpatch.citizenfocus import charts

ROW = 30
LABEL_WIDTH = 220


def counts_grid_svg(
    rows: Sequence[tuple[str, Sequence[int]]], months: Sequence[dt.date], title: str
) -> str:
    """One row of bars per label; bars share one scale so rows can be compared."""
    if not rows or not months:
        return ""
    top = charts.TOP
    height = top + ROW * len(rows) + charts.BOTTOM
    peak = max((max(counts, default=0) for _, counts in rows), default=0) or 1
    plot_width = charts.WIDTH - LABEL_WIDTH - charts.RIGHT
    slot = plot_width / len(months)
    bar = max(slot * 0.7, 1.0)
    parts = []
    for i, (label, counts) in enumerate(rows):
        base = top + ROW * (i + 1) - 4
        parts.append(
            f'<line x1="{LABEL_WIDTH}" x2="{charts.WIDTH - charts.RIGHT}" y1="{base:.1f}" '
            f'y2="{base:.1f}" stroke="{charts.GRID}" stroke-width="1"/>'
            f'<text x="{LABEL_WIDTH - 8}" y="{base - 6:.1f}" text-anchor="end" font-size="12">'
            f"{escape(label[:34])}</text>"
        )
        for k, n in enumerate(counts):
            if n <= 0:
                continue
            h = (ROW - 8) * n / peak
            x = LABEL_WIDTH + slot * k + (slot - bar) / 2
            parts.append(
                f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{charts.LINE}"/>'
            )
    step = max(1, len(months) // 6)
    for k, month in enumerate(months):
        if k % step == 0 or k == len(months) - 1:
            x = LABEL_WIDTH + slot * (k + 0.5)
            parts.append(
                f'<text x="{x:.1f}" y="{height - 12}" text-anchor="middle" font-size="11">'
                f"{month:%b %y}</text>"
            )
    parts.append(
        f'<text x="{charts.WIDTH - charts.RIGHT}" y="{height - 26}" text-anchor="end" '
        f'font-size="11">tallest bar: {peak}</text>'
    )
    return (
        f'<svg class="chart" viewBox="0 0 {charts.WIDTH} {height}" width="100%" role="img" '
        f'aria-hidden="true" focusable="false"><title>{escape(title)}</title>'
        + "".join(parts)
        + "</svg>"
    )
